"""Alembic upgrades an empty PostgreSQL database to head, and the result matches the SQLModel tables;
aware datetimes come back in UTC whatever the server's time zone."""
from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

import core.models  # noqa: F401  (registers the tables)
from core.db import MIGRATIONS_DIR, get_engine, session
from core.models import Project

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


def test_times_round_trip_in_utc_under_a_non_utc_server_zone(pg_url):
    engine = get_engine()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW TimeZone").scalar() == "Pacific/Chatham"
    with session() as s:
        project = Project(name="Clock")
        s.add(project)
    with session() as s:
        back = s.get(Project, project.id)
        newer = s.exec(select(Project).where(Project.created_at >= project.created_at)).all()
    assert back.created_at == project.created_at and back.created_at.utcoffset() == timedelta(0)
    assert [p.id for p in newer] == [project.id]
