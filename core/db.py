"""One engine per database URL (SQLite in WAL mode, or a server such as PostgreSQL through
``DATABASE_URL=postgresql+psycopg://…``); schema from Alembic migrations.

``session()`` is the only way core code talks to the database.
"""
from __future__ import annotations

import fcntl
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from core.settings import get_settings

_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
_lock = threading.Lock()
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets the Streamlit page read while the job runner writes; busy_timeout avoids
    # "database is locked" under that concurrency; foreign keys are off by default in SQLite.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def get_engine() -> Engine:
    """Return the engine for the configured URL, migrating the schema to head on first use."""
    url = get_settings().db_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            kwargs: dict = {}
            if url.startswith("sqlite"):
                kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            else:
                # A server database (PostgreSQL): the runner's workers, render threads and the API's
                # requests each hold a connection at once, more than the default pool of 5 + 10;
                # pre-ping drops connections the server closed (restart, idle timeout).
                kwargs.update(pool_size=10, max_overflow=40, pool_pre_ping=True, pool_timeout=60)
            engine = create_engine(url, **kwargs)
            if url.startswith("sqlite"):
                event.listen(engine, "connect", _sqlite_pragmas)
            _engines[url] = engine
        if url not in _migrated:
            migrate(engine=engine)
            _migrated.add(url)
    return engine


def migrate(*, engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to the newest Alembic revision. Processes starting
    together (the app, the API and workers on one data dir) take turns: a lock file beside a
    SQLite database; elsewhere a second try once the other process has finished."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))

    def upgrade() -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:":
        with open(f"{database}.migrate.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                upgrade()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    try:
        upgrade()
    except Exception:  # another process migrated meanwhile (table exists): head is reached now
        time.sleep(1.0)
        upgrade()


@contextmanager
def session() -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise


def lock_for_writing(s: Session) -> None:
    """Make the transaction of session ``s`` a writer from its first statement, so what it reads stays
    true until it commits: on SQLite ``BEGIN IMMEDIATE`` (one writer at a time; call it before anything
    else in the session); on PostgreSQL nothing here — lock the rows read with ``SELECT … FOR UPDATE``."""
    if s.get_bind().dialect.name == "sqlite":
        s.connection().exec_driver_sql("BEGIN IMMEDIATE")


def lock_key(s: Session, *, key: str) -> None:
    """Make transactions that name the same ``key`` take turns until the one of session ``s`` ends: on
    PostgreSQL a transaction-scoped advisory lock; on SQLite nothing (one writer at a time already)."""
    if s.get_bind().dialect.name == "postgresql":
        s.exec(select(func.pg_advisory_xact_lock(func.hashtext(key))))


def lock_table(s: Session, *, table: str) -> None:
    """Hold ``table`` against other writers until the transaction of session ``s`` ends (call it first in
    the session): for a check that reads no row to lock, such as "the table is still empty". SQLite:
    ``BEGIN IMMEDIATE``; PostgreSQL: ``LOCK TABLE … IN SHARE ROW EXCLUSIVE MODE`` (readers go on)."""
    if s.get_bind().dialect.name == "sqlite":
        lock_for_writing(s)
    else:
        quoted = s.get_bind().dialect.identifier_preparer.quote(table)
        s.connection().exec_driver_sql(f"LOCK TABLE {quoted} IN SHARE ROW EXCLUSIVE MODE")


def reset_engines() -> None:
    """Forget engines (tests switch data dirs between cases)."""
    with _lock:
        for e in _engines.values():
            e.dispose()
        _engines.clear()
        _migrated.clear()
