"""Workers on two machines (issue 15 point 6): two `python -m core worker` processes, each with its own
data dir and HOME (no shared local disk), given only the database, the queue, the media store and the
provider key — PostgreSQL, a real Redis and moto's S3 server, all on loopback — generate the keyframes
of a 6-shot film through the Replicate emulator (a paid provider: every create is counted) and render
it. Three keyframes are made with both workers up; for the other three the provider's polls are held
open, worker A is killed with SIGKILL while it holds one of those jobs, and worker B takes the job
over and finishes the wave: exactly one create per job. Machine A's worker is started again, B is
stopped, and A renders the film from keyframes B stored — read from the bucket, not a shared disk.
The film then opens through its share link: a redirect to a presigned URL of the S3 store, fetched over HTTP."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from core.api.app import app
from core.breakdowns import list_shots, run_breakdown, update_shot
from core.generation.shots import generate_keyframe
from core.jobs.runner import JobRunner, load_job
from core.jobs.service import set_runner
from core.media_assets import get_asset
from core.projects import create_project
from core.render.service import start_render
from core.scripts import save_version
from core.settings import get_settings
from core.timeline.store import project_timeline
from tests.conftest import S3_CREDENTIALS, ffmpeg_probe
from tests.emulators.replicate import EmulatedModel, make_app
from tests.emulators.server import Fault, serve
from tests.jobs.conftest import REPLICATE_KEY, _openapi, redis_server, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.multiprocess]

ROOT = Path(__file__).resolve().parents[2]
LEASE_S = 2.0
SHOT_S = 2.0
HOLD_S = 3.0
MODEL = {"provider": "replicate", "model": "bytedance/seedream-4"}
SCRIPT = """INT. LIGHTHOUSE - NIGHT

MAYA climbs the spiral stairs with a lantern.

MAYA
We sail at dawn.

EXT. HARBOUR - DAWN

TOM unties the boat.

TOM
The sea is calm today.

EXT. OPEN SEA - DAY

The boat cuts through grey waves.

MAYA
Land ahead!
"""
FINISHED = ("succeeded", "failed", "cancelled", "unknown_outcome")


@pytest.fixture
def redis_url(monkeypatch):
    with redis_server() as url:
        monkeypatch.setenv("STORYREEL_QUEUE_URL", url)
        get_settings.cache_clear()
        yield url


class Machine:
    """One worker machine: its own data dir and HOME; a worker process started with only the
    settings a worker needs."""

    def __init__(self, root: Path, name: str):
        self.name, self.data, self.home = name, root / name / "data", root / name / "home"
        self.home.mkdir(parents=True)
        self.proc: subprocess.Popen | None = None
        self.log = root / f"{name}.log"

    def start(self, *, workers: int = 2) -> subprocess.Popen:
        s = get_settings()
        env = {
            "DATABASE_URL": s.database_url, "STORYREEL_QUEUE_URL": s.storyreel_queue_url,
            "STORYREEL_MEDIA_URL": s.storyreel_media_url, "STORYREEL_S3_ENDPOINT_URL": s.storyreel_s3_endpoint_url,
            **S3_CREDENTIALS,
            "REPLICATE_API_TOKEN": REPLICATE_KEY, "REPLICATE_BASE_URL": s.replicate_base_url,
            "STORYREEL_JOB_LEASE_S": str(LEASE_S),
            "STORYREEL_DATA_DIR": str(self.data), "HOME": str(self.home),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
        }
        self.offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "core", "worker", "--workers", str(workers),
                                          "--poll-s", "0.2"], cwd=self.home, env=env, stdout=log,
                                         stderr=subprocess.STDOUT)
        return self.proc

    def ready(self) -> bool:
        assert self.proc.poll() is None, f"worker {self.name} died: {self.log.read_text()[-2000:]}"
        return "[worker]" in self._this_run()

    def _this_run(self) -> str:
        return self.log.read_bytes()[self.offset:].decode(errors="replace")

    def worker_prefix(self) -> str:
        line = next(ln for ln in self._this_run().splitlines() if ln.startswith("[worker]"))
        return line.split()[1].rstrip(":").rsplit(":", 1)[0]  # host:pid, the runner id without its random tail

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def has(self, rel: str) -> bool:
        return (self.data / rel).is_file()


@pytest.fixture
def machines(tmp_path):
    """Machines A and B; whatever their workers' fate in the test, none outlives it."""
    pair = Machine(tmp_path, "machine-a"), Machine(tmp_path, "machine-b")
    yield pair
    for machine in pair:
        machine.stop(signal.SIGKILL)


def _film_project() -> tuple[int, list[int]]:
    project = create_project(name="Two machines", target_length_s=30)
    save_version(project_id=project.id, text=SCRIPT)
    run_breakdown(project_id=project.id, mode="auto")
    shots = [sh.id for sh in list_shots(project_id=project.id)]
    for sid in shots:
        update_shot(shot_id=sid, duration_s=SHOT_S)
    return project.id, shots


def test_two_worker_machines_generate_and_render_a_film(pg_url, redis_url, s3_media, machines, tmp_path,
                                                          monkeypatch, capsys):
    client, bucket, prefix = s3_media
    emu = make_app(token=REPLICATE_KEY, steps=3, models=[
        EmulatedModel(owner="bytedance", name="seedream-4", openapi_schema=_openapi("bytedance__seedream-4"),
                      output="image")])
    emu.image_by_prompt = True  # six different keyframes: six files to store and fetch
    started = time.monotonic()
    with serve(emu.app) as replicate_url:
        monkeypatch.setenv("REPLICATE_API_TOKEN", REPLICATE_KEY)
        monkeypatch.setenv("REPLICATE_BASE_URL", replicate_url)
        monkeypatch.setenv("STORYREEL_JOB_LEASE_S", str(LEASE_S))
        get_settings.cache_clear()
        set_runner(JobRunner(workers=0))  # this process (the app's machine) only queues
        pid, shots = _film_project()
        assert len(shots) == 6
        a, b = machines
        a.start(), b.start()
        wait_until(lambda: a.ready() and b.ready(), timeout_s=90, what="both workers", every_s=0.2)
        a_id, b_id = a.worker_prefix(), b.worker_prefix()

        holders: dict[str, set[str]] = defaultdict(set)

        def watch(jobs: list[str]) -> list[str] | None:
            """Note which workers hold each job; return the states once all are finished."""
            states = []
            for jid in jobs:
                job = load_job(jid)
                if job.worker:
                    holders[jid].add(job.worker.rsplit(":", 1)[0])
                states.append(job.status)
            return states if all(st in FINISHED for st in states) else None

        # Wave 1: three keyframes with both workers up.
        first = [generate_keyframe(shot_id=sid, **MODEL, params={"prompt": f"shot {n}"}).id
                 for n, sid in enumerate(shots[:3])]
        assert wait_until(lambda: watch(first), timeout_s=120, what="wave 1", every_s=0.05) == ["succeeded"] * 3
        wave1 = [get_asset(media_id=load_job(j).result_media_id).file_path for j in first]
        wave1_stored = {"A": sum(map(a.has, wave1)), "B": sum(map(b.has, wave1))}

        # Wave 2: polls are held open HOLD_S; A is killed while it holds a job it is polling.
        emu.faults.add(Fault(kind="slow", route="poll", delay_s=HOLD_S), times=12)
        second = [generate_keyframe(shot_id=sid, **MODEL, params={"prompt": f"shot {n}"}).id
                  for n, sid in enumerate(shots[3:], start=3)]
        killed_job = None
        deadline = time.monotonic() + 120
        while killed_job is None:
            assert time.monotonic() < deadline, "worker A never held a job it was polling"
            watch(second)
            for jid in second:
                job = load_job(jid)
                if (job.worker and job.worker.startswith(a_id) and job.status in ("submitted", "running")
                        and job.operation_id):
                    killed_job = jid
                    break
            time.sleep(0.05)
        a.stop(signal.SIGKILL)  # mid-job: the prediction is running at the provider
        killed_at = time.monotonic()
        states = wait_until(lambda: watch(second), timeout_s=180, what="wave 2", every_s=0.05)
        generated_s = time.monotonic() - started
        takeover_s = time.monotonic() - killed_at
        jobs = first + second
        assert states == ["succeeded"] * 3, [load_job(j).error for j in second]
        assert len(emu.predictions) == 6 and len(emu.calls("create")) == 6, "a job was sent to the provider twice"
        taken_over = load_job(killed_job)
        assert taken_over.operation_id in emu.predictions
        keyframes = [get_asset(media_id=load_job(j).result_media_id) for j in jobs]
        assert all(k.type == "image" for k in keyframes) and len({k.file_path for k in keyframes}) == 6
        assert [sh.keyframe_media_id for sh in list_shots(project_id=pid)] == [k.media_id for k in keyframes]
        stored = {"A": sum(a.has(k.file_path) for k in keyframes), "B": sum(b.has(k.file_path) for k in keyframes)}
        # A was dead when the job it held was finished: B stored that keyframe (only B has a copy).
        killed_file = get_asset(media_id=taken_over.result_media_id).file_path
        assert b.has(killed_file) and not a.has(killed_file), "worker B did not finish the job A held"
        # Which workers held each job at some step, as sampled (a figure: short steps may be missed).
        touched = {name: sum(any(h.startswith(wid) for h in hs) for hs in holders.values())
                   for name, wid in (("A", a_id), ("B", b_id))}
        bucket_keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]}
        assert all(f"{prefix}/{k.file_path}" in bucket_keys for k in keyframes)

        # Machine A's worker comes back (same disk); B stops: A renders from what B stored.
        b.stop()
        missing_on_a = [k.file_path for k in keyframes if not a.has(k.file_path)]
        assert missing_on_a, "machine A already had every keyframe: nothing would be read from the store"
        a.start()
        wait_until(a.ready, timeout_s=90, what="worker A again", every_s=0.2)
        render_started = time.monotonic()
        job = start_render(project_id=pid, operation="film", options={"short_side": 240, "subtitles": "none"})
        done = wait_until(lambda: (j := load_job(job.id)).status in FINISHED and j, timeout_s=240,
                          what="the film render", every_s=0.1)
        render_s = time.monotonic() - render_started
        assert done.status == "succeeded", done.error
        film = get_asset(media_id=done.result_media_id)
        assert a.has(film.file_path) and not b.has(film.file_path)
        assert all(a.has(rel) for rel in missing_on_a), "the keyframes did not come from the store"
        assert len(emu.calls("create")) == 6

        expected = project_timeline(project_id=pid).timeline.duration_s
        with TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 50000),
                        base_url="http://127.0.0.1") as api:
            link = api.post(f"/media/{film.media_id}/share", json={"expires_in_s": 3600})
            assert link.status_code == 201, link.text
            url = api.get(f"/share/{link.json()['token']}", follow_redirects=False).headers["location"]
        assert url.startswith(f"{get_settings().storyreel_s3_endpoint_url}/{bucket}/{prefix}/")
        opened = httpx.get(url, timeout=60)
        assert opened.status_code == 200 and opened.content[4:8] == b"ftyp"
        out = tmp_path / "shared.mp4"
        out.write_bytes(opened.content)
        info = ffmpeg_probe(out)
        assert abs(info["duration"] - expected) < 0.25 and info["video"][0] == "h264", info
        a.stop()
    with capsys.disabled():
        print(f"\n[two machines] 6 keyframe jobs: held at some step by A {touched['A']}, by B {touched['B']}; "
              f"local copies after generation: A {stored['A']} (wave 1: A {wave1_stored['A']}, B {wave1_stored['B']}), B {stored['B']}; "
              f"A killed holding a job mid-poll, B finished the wave {takeover_s:.1f}s later; 6 creates for 6 jobs; "
              f"generation {generated_s:.1f}s; film rendered by A from the bucket ({len(missing_on_a)} keyframes "
              f"fetched) in {render_s:.1f}s; shared film {info['duration']:.2f}s (expected {expected:.2f}s); "
              f"total {time.monotonic() - started:.1f}s")
