"""script versions: one number per project (unique), created_by

Revision ID: 0006_h15b_script_numbers
Revises: 0005_job_leases

Databases written before the constraint may hold two versions of one project with the same number
(concurrent saves): the later ones are renumbered after the project's highest number first.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006_h15b_script_numbers'
down_revision = '0005_job_leases'
branch_labels = None
depends_on = None


def _renumber_duplicates() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, project_id, number FROM scriptversion ORDER BY project_id, number, id")).all()
    highest: dict[int, int] = {}
    for _id, project_id, number in rows:
        highest[project_id] = max(highest.get(project_id, 0), number)
    seen: set[tuple[int, int]] = set()
    for row_id, project_id, number in rows:
        if (project_id, number) in seen:
            highest[project_id] += 1
            bind.execute(sa.text("UPDATE scriptversion SET number = :n WHERE id = :id"),
                         {"n": highest[project_id], "id": row_id})
        else:
            seen.add((project_id, number))


def upgrade() -> None:
    _renumber_duplicates()
    with op.batch_alter_table('scriptversion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_unique_constraint('uq_scriptversion_project_number', ['project_id', 'number'])


def downgrade() -> None:
    with op.batch_alter_table('scriptversion', schema=None) as batch_op:
        batch_op.drop_constraint('uq_scriptversion_project_number', type_='unique')
        batch_op.drop_column('created_by')
