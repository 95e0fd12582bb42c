"""The Alembic chain has one head and, upgraded, matches the SQLModel tables exactly."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import core.models  # noqa: F401  (registers the tables)
from core.db import MIGRATIONS_DIR, get_engine


def test_one_head_and_no_drift_from_the_models(data_dir):
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert len(heads) == 1, heads
    with get_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() == heads[0]
        assert compare_metadata(context, SQLModel.metadata) == []
