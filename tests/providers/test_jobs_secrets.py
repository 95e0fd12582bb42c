"""After runs with keys set, no key is in the database file, the media metadata, the cache or the logs."""
import json
import logging

from sqlmodel import select

from core.db import session
from core.jobs.service import run_sync
from core.models import Job, MediaAsset
from tests.emulators.server import Fault
from tests.providers.conftest import GOOGLE_KEY, VERTEX_TOKEN


def test_jobs_no_key_in_database_metadata_or_logs(google_emu, runner, png_file, data_dir, caplog):
    caplog.set_level(logging.DEBUG)
    google_emu.faults.add(Fault(kind="status", route="create", status=429, retry_after=0.01,
                                message=f"quota for key {GOOGLE_KEY}"))  # a server echoing a key back
    google_emu.faults.add(Fault(kind="status", route="generate", status=403,
                                message=f"API key {GOOGLE_KEY} was revoked"))
    ok = run_sync(provider="google", model="veo-3.1-generate-001", params={"prompt": "p"},
                  inputs={"image": str(png_file)}, timeout_s=30)
    failed = run_sync(provider="google", model="gemini-nano-banana-2.1", params={"prompt": "p"}, timeout_s=30)
    run_sync(provider="google", model="gemini-3.1-flash-image", params={"prompt": "p"}, timeout_s=30)
    assert ok.status == "succeeded" and failed.status == "failed" and "revoked" in failed.error
    secrets = [GOOGLE_KEY.encode(), VERTEX_TOKEN.encode()]
    with session() as s:
        rows = [r.model_dump(mode="json") for r in s.exec(select(Job)).all()]
        rows += [r.model_dump(mode="json") for r in s.exec(select(MediaAsset)).all()]
    dumped = json.dumps(rows).encode()
    assert len(rows) >= 5
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name.startswith("storyreel.db") for p in files)
    for blob in [dumped, caplog.text.encode(), *(p.read_bytes() for p in files)]:
        for secret in secrets:
            assert secret not in blob
