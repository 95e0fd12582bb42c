"""activity: who changed what in a project

Revision ID: 0007_h15b_activity
Revises: 0006_h15b_script_numbers
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007_h15b_activity'
down_revision = '0006_h15b_script_numbers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'activity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('user_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_at'))
        batch_op.drop_index(batch_op.f('ix_activity_project_id'))
    op.drop_table('activity')
