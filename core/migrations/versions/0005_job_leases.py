"""job ownership: leases, submitted_at, in-flight key; drop the unused next_poll_at

Revision ID: 0005_job_leases
Revises: 0004_h15_spend
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005_job_leases'
down_revision = '0004_h15_spend'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('lease_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('inflight_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f('ix_job_lease_expires_at'), ['lease_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_inflight_key'), ['inflight_key'], unique=True)
        batch_op.drop_column('next_poll_at')


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_poll_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_job_inflight_key'))
        batch_op.drop_index(batch_op.f('ix_job_lease_expires_at'))
        batch_op.drop_column('inflight_key')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('worker')
