"""A real PostgreSQL server for the database tests: started once per session on a free loopback port
in a temp dir. The binaries come from the ``pgserver`` pip package (requirements.txt; it ships a
PostgreSQL build), else from PATH or /usr/lib/postgresql/*/bin (Debian's ``postgresql``, which .ci/run
installs when missing); the first that starts is used. As root the server runs as the ``postgres``
system user (created when missing), since postgres refuses to run as root. The server's time zone is
not UTC. Each test gets a fresh, empty database and ``DATABASE_URL=postgresql+psycopg://…`` pointing at
it. Skips, with the reasons, only when no server can be started."""
from __future__ import annotations

import glob
import importlib.util
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


def _bin_dirs() -> list[Path]:
    """Folders holding initdb and pg_ctl, best first: the pgserver package's build, PATH, then the
    newest /usr/lib/postgresql/N/bin."""
    found: list[Path] = []
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        found.append(Path(spec.origin).parent / "pginstall" / "bin")
    initdb = shutil.which("initdb")
    if initdb:
        found.append(Path(os.path.realpath(initdb)).parent)
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True,
                    key=lambda d: int(Path(d).parent.name) if Path(d).parent.name.isdigit() else 0)
    found += [Path(d) for d in debian]
    unique = list(dict.fromkeys(found))
    return [d for d in unique if (d / "initdb").exists() and (d / "pg_ctl").exists()]


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


def _start(*, bin_dir: Path, root: Path, user: str | None) -> tuple[str, str]:
    """initdb + pg_ctl start under ``root``; returns (base URL, "") or ("", why it failed)."""
    if user and not _run(["test", "-x", str(bin_dir / "initdb")], user=user).returncode == 0:
        # The build sits where that user cannot reach (a site-packages under /root): copy it, with
        # the wheel's bundled libraries beside it, where the binaries' RPATH ($ORIGIN/../../../<pkg>.libs) looks.
        install, site = bin_dir.parent, root / "site"
        shutil.copytree(install, site / install.parent.name / install.name, symlinks=True)
        libs = install.parent.parent / f"{install.parent.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, site / libs.name, symlinks=True)
        bin_dir = site / install.parent.name / install.name / "bin"
    data, port = root / f"data-{uuid.uuid4().hex[:6]}", _free_port()
    init = _run([str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust", "-E", "UTF8",
                 "--no-sync", "--no-instructions"], user=user)
    if init.returncode != 0:
        return "", f"{bin_dir}: initdb failed: {init.stderr.strip()[-300:]}"
    # An odd server time zone (+13:45) so a naive or local-time datetime anywhere shows up as wrong.
    opts = (f"-p {port} -h 127.0.0.1 -k {root} -F -c max_connections=200 -c fsync=off "
            f"-c TimeZone=Pacific/Chatham")
    log = root / f"{data.name}.log"
    start = _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "-t", "60", "start"],
                 user=user)
    if start.returncode != 0:
        tail = log.read_text(errors="replace")[-300:] if log.exists() else ""
        return "", f"{bin_dir}: PostgreSQL did not start: {start.stderr.strip()[-200:]} {tail}"
    _STOP.append([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
    return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{port}", ""


_STOP: list[list[str]] = []


@pytest.fixture(scope="session")
def pg_server():
    """Start PostgreSQL once; yields the server's base URL (no database name). Skips when impossible."""
    if psycopg is None:
        pytest.skip("psycopg (the driver DATABASE_URL names) is not installed")
    bin_dirs = _bin_dirs()
    if not bin_dirs:
        pytest.skip("no PostgreSQL server binaries: pgserver is not installed and initdb/pg_ctl are neither on "
                    "PATH nor under /usr/lib/postgresql/*/bin")
    user = _system_user()
    root = Path(tempfile.mkdtemp(prefix="storyreel-pg-"))
    if user:
        shutil.chown(root, user=user)
    url, reasons = "", []
    for bin_dir in bin_dirs:
        url, why = _start(bin_dir=bin_dir, root=root, user=user)
        if url:
            break
        reasons.append(why)
    try:
        if not url:
            pytest.skip("no PostgreSQL server could be started: " + " | ".join(reasons))
        yield url
    finally:
        while _STOP:
            _run(_STOP.pop(), user=user)
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
