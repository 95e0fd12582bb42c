"""A real PostgreSQL server for the database tests: started once per session on a free loopback port
in a temp dir, from the server binaries on PATH or under /usr/lib/postgresql/*/bin (Debian's
``postgresql`` package; .ci/run installs it). As root the server runs as the ``postgres`` system user
(created when missing), since postgres refuses to run as root. Each test gets a fresh, empty database
and ``DATABASE_URL=postgresql+psycopg://…`` pointing at it. The server's time zone is not UTC. Skips, with the reason, only when no server
can be started."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.conftest import forget_state

try:
    import psycopg
except ImportError:  # skipped below with the reason; the requirement may be missing here
    psycopg = None

PG_USER = "storyreel"


def _bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: PATH first, then the newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]) if
                  d.split("/")[-2].isdigit() else 0, reverse=True)
    for d in dirs:
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    return None


def _system_user() -> str | None:
    """The unprivileged user the server runs as when we are root (None when we are not root)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
                       check=True, capture_output=True)
    return "postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], *, user: str | None) -> subprocess.CompletedProcess:
    full = ["runuser", "-u", user, "--", *cmd] if user else cmd
    return subprocess.run(full, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def pg_server():
    """Start PostgreSQL once; yields the server's base URL (no database name). Skips when impossible."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb/pg_ctl) on PATH or under /usr/lib/postgresql/*/bin")
    if psycopg is None:
        pytest.skip("psycopg (the driver DATABASE_URL names) is not installed")
    user = _system_user()
    root = Path(tempfile.mkdtemp(prefix="storyreel-pg-"))
    if user:
        shutil.chown(root, user=user)
    data, port = root / "data", _free_port()
    init = _run([str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust", "-E", "UTF8",
                 "--no-sync", "--no-instructions"], user=user)
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"initdb failed: {init.stderr.strip()[-400:]}")
    # An odd server time zone (+13:45) so a naive or local-time datetime anywhere shows up as wrong.
    opts = (f"-p {port} -h 127.0.0.1 -k {root} -F -c max_connections=200 -c fsync=off "
            f"-c TimeZone=Pacific/Chatham")
    start = _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "server.log"), "-w",
                  "-t", "60", "start"], user=user)
    if start.returncode != 0:
        log = (root / "server.log").read_text(errors="replace")[-400:] if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"PostgreSQL did not start: {start.stderr.strip()[-300:]} {log}")
    try:
        yield f"postgresql+psycopg://{PG_USER}@127.0.0.1:{port}"
    finally:
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], user=user)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server, data_dir, monkeypatch):
    """A fresh empty database on the session's server, set as DATABASE_URL (after data_dir cleared it)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    plain = pg_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{pg_server}/{name}"
    monkeypatch.setenv("DATABASE_URL", url)
    forget_state()
    yield url
    forget_state()
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
