"""Concurrent writers on one database: script versions saved at once each get their own number (a
unique (project_id, number) and a retry on conflict), databases that already hold duplicate numbers
are renumbered by the migration, and two first-start owner setups at once make one owner."""
from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy.exc import IntegrityError

from core.accounts import service
from core.db import MIGRATIONS_DIR, get_engine, reset_engines, session
from core.errors import Forbidden
from core.models import ScriptVersion
from core.projects import create_project
from core.scripts import list_versions, save_version
from core.settings import get_settings

SCRIPT = "INT. LIGHTHOUSE - NIGHT\n\nMAYA climbs the stairs.\n"


def saves_at_once(*, project_id: int, n: int) -> list[int]:
    """Save ``n`` versions from ``n`` threads released together; returns the numbers they got."""
    gate = Barrier(n)

    def one(i: int) -> int:
        gate.wait()
        return save_version(project_id=project_id, text=f"{SCRIPT}\nTake {i}.\n").number

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def owners_at_once(*, n: int) -> list[str]:
    """``n`` threads try the first-start owner setup together; returns the names that were created."""
    gate = Barrier(n)

    def one(i: int) -> str | None:
        gate.wait()
        try:
            return service.create_first_owner(name=f"owner{i}", password="pw").name
        except Forbidden:
            return None

    with ThreadPoolExecutor(max_workers=n) as pool:
        return [name for name in pool.map(one, range(n)) if name]


def test_first_start_setups_at_once_make_one_owner(data_dir):
    made = owners_at_once(n=8)
    assert len(made) == 1 and [u.name for u in service.list_users()] == made


def test_concurrent_saves_get_distinct_numbers(data_dir):
    pid = create_project(name="Busy").id
    numbers = saves_at_once(project_id=pid, n=12)
    assert sorted(numbers) == list(range(1, 13))
    assert sorted(v.number for v in list_versions(project_id=pid)) == list(range(1, 13))


def test_the_database_refuses_a_duplicate_number(data_dir):
    pid = create_project(name="Strict").id
    save_version(project_id=pid, text=SCRIPT)
    with pytest.raises(IntegrityError):
        with session() as s:
            s.add(ScriptVersion(project_id=pid, number=1, text=SCRIPT))
    other = create_project(name="Other").id
    assert save_version(project_id=other, text=SCRIPT).number == 1  # numbers are per project


def test_the_migration_renumbers_existing_duplicates(data_dir):
    pid = create_project(name="Old").id
    for _ in range(2):
        save_version(project_id=pid, text=SCRIPT)
    engine = get_engine()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005_job_leases")
    db = get_settings().data_dir / "storyreel.db"
    reset_engines()
    with sqlite3.connect(db) as raw:  # what concurrent saves could leave before the constraint
        raw.execute("UPDATE scriptversion SET number = 1")
    versions = list_versions(project_id=pid)  # the engine migrates to head again on first use
    assert sorted(v.number for v in versions) == [1, 2]
