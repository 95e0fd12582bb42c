"""The job queue: Huey's storage layer carrying job ids from whoever asks to whichever worker is free.

``STORYREEL_QUEUE_URL`` picks the storage:
- ``sqlite`` (default): Huey's SqliteStorage in ``<data dir>/queue.db`` — one machine, no server;
  ``sqlite:///path/to/file.db`` names another file;
- ``redis://host:port/db``: Huey's RedisStorage — any number of machines;
- ``postgresql://user:pass@host/db``: Huey's SqlStorage (``huey.contrib.sql_huey``, through peewee).

The queue only says "look at this job"; the database stays the source of truth (who owns a job is
its lease, see ``core.jobs.leases``), so a message delivered twice or lost costs nothing: a second
delivery finds the job owned or finished, and the sweep re-sends a lost one. Messages due later
(the next poll of a provider operation) go to the storage's schedule.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from huey.storage import RedisStorage, SqliteStorage

from core.errors import InvalidInput
from core.settings import get_settings

NAME = "storyreel-jobs"
# A worker blocks this long on an empty Redis queue (BRPOP) before checking its schedule again: the
# most a due poll waits to be picked up (bench/generate.py: 0.1 s plus an idle pause made Redis
# 1.33 × ideal against SQLite's 1.18).
REDIS_WAIT_S = 0.05

_storages: dict[str, object] = {}
_lock = threading.Lock()


def queue_url() -> str:
    """Return the configured queue URL with the SQLite default resolved to a file in the data dir."""
    url = (get_settings().storyreel_queue_url or "sqlite").strip()
    if url == "sqlite":
        return f"sqlite:///{get_settings().data_dir / 'queue.db'}"
    return url


def _open(url: str):
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage(name=NAME, filename=str(path), timeout=30)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(name=NAME, url=url, blocking=True, read_timeout=REDIS_WAIT_S)
    if url.startswith(("postgresql://", "postgres://")):
        # Imported here because peewee is only needed by deployments that choose Postgres.
        from huey.contrib.sql_huey import SqlStorage

        return SqlStorage(name=NAME, database=url.replace("postgresql://", "postgres://", 1))
    raise InvalidInput("STORYREEL_QUEUE_URL must be sqlite, sqlite:///FILE, redis://… or postgresql://…",
                       field="STORYREEL_QUEUE_URL")


def storage():
    """Return the Huey storage of the configured queue (one per URL in this process).

    Raises InvalidInput naming STORYREEL_QUEUE_URL when the URL has no known scheme."""
    url = queue_url()
    with _lock:
        found = _storages.get(url)
        if found is None:
            found = _storages[url] = _open(url)
        return found


def _naive_utc(when: datetime) -> datetime:
    # Huey compares schedule timestamps as naive UTC datetimes.
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def push(*, job_id: str, delay_s: float = 0.0, store=None) -> None:
    """Ask a worker to look at ``job_id`` now, or after ``delay_s`` seconds (on ``store``, default
    the configured queue)."""
    st = store or storage()
    data = job_id.encode("ascii")
    if delay_s > 0:
        st.add_to_schedule(data, _naive_utc(datetime.now(timezone.utc) + timedelta(seconds=delay_s)))
    else:
        st.enqueue(data)


def pop(*, store=None) -> str | None:
    """Return the next job id to look at (moving due scheduled ones into the queue first), or None
    when there is none right now (Redis waits up to REDIS_WAIT_S for one). A runner passes the
    ``store`` it resolved once, so its loop never reads the settings."""
    st = store or storage()
    for data in st.read_schedule(_naive_utc(datetime.now(timezone.utc))):
        st.enqueue(data)
    data = st.dequeue()
    if data is None:
        return None
    return data.decode("ascii") if isinstance(data, (bytes, bytearray)) else str(data)


def pending() -> int:
    """Return how many messages wait in the queue (scheduled ones not counted)."""
    return int(storage().queue_size())


def flush() -> None:
    """Drop every message, due or scheduled (tests, and `python -m core worker --flush`)."""
    st = storage()
    st.flush_queue()
    st.flush_schedule()


def close_all() -> None:
    """Forget every open storage (tests switching data dirs)."""
    with _lock:
        for st in _storages.values():
            close = getattr(st, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # closing a half-broken connection must not fail a reset
                    pass
        _storages.clear()
