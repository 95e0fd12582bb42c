"""Alembic upgrades an empty PostgreSQL database to head, and the result matches the SQLModel tables."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import core.models  # noqa: F401  (registers the tables)
from core.db import MIGRATIONS_DIR, get_engine

pytestmark = pytest.mark.postgres


def test_migrations_reach_head_on_an_empty_postgres_database(pg_url):
    engine = get_engine()  # migrates on first use
    assert engine.dialect.name == "postgresql"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = ScriptDirectory.from_config(cfg).get_heads()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() == heads[0]
        assert compare_metadata(context, SQLModel.metadata) == []
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
