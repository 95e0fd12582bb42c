"""Helpers of the hostile-input suite (tests/api/test_hostile_*.py, issue 16): every case expects a
4xx naming the field (or the setting) — or a clean refusal from a core check — and the server
still healthy afterwards."""
from __future__ import annotations

import pytest
from sqlmodel import select

from core.db import session
from core.models import MediaAsset
from tests.api.conftest import LOCAL


def refused(answer, status: int, field: str | None = None, code: str | None = None) -> dict:
    """Assert ``answer`` is the one error body with ``status`` (and ``code``), naming ``field`` among
    its fields or in its message; return the error."""
    assert answer.status_code == status, (answer.status_code, answer.text[:400])
    body = answer.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    if code:
        assert err["code"] == code, err
    if field:
        names = [f.get("name") for f in err["fields"]] + [n for f in err["fields"] for n in f.get("fields", [])]
        assert any(n == field or str(n).startswith(f"{field}.") for n in names) or field in err["message"], err
    assert "Traceback" not in answer.text and "/tmp/" not in answer.text
    return err


def media_count() -> int:
    """How many media records the database holds."""
    with session() as s:
        return len(s.exec(select(MediaAsset)).all())


@pytest.fixture
def healthy(data_dir):
    """After the test: a plain loopback client still gets a 200 from GET /projects (no broken state)."""
    yield
    from fastapi.testclient import TestClient

    from core.api.app import app

    with TestClient(app, raise_server_exceptions=False, **LOCAL) as c:
        assert c.get("/projects").status_code == 200
