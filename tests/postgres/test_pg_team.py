"""Share links and spend limits on PostgreSQL: a link opens, expires by its signed time and is revoked;
a project budget refuses the job that would pass it (timestamps and JSON costs read back from Postgres)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.accounts import spend
from core.db import session
from core.errors import SpendLimitExceeded
from core.media_assets import create_asset
from core.models import Job, utcnow
from tests.emulators.media import seeded_png
from tests.postgres.test_pg_flow import client  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres


def test_share_link_on_postgres(client, monkeypatch):  # noqa: F811
    data = seeded_png(width=8, height=8, seed="pg-share")
    asset = create_asset(type="image", project_id=None, data=data, mime="image/png")
    body = client.post(f"/media/{asset.media_id}/share", json={"expires_in_s": 3600}).json()
    token, expires = body["token"], datetime.fromisoformat(body["expires_at"])
    assert client.get(f"/share/{token}").content == data
    monkeypatch.setattr("core.shares.utcnow", lambda: expires + timedelta(seconds=1))
    assert "expired" in client.get(f"/share/{token}").json()["error"]["message"]
    monkeypatch.setattr("core.shares.utcnow", utcnow)
    assert client.delete(f"/share/{token}").status_code == 204
    assert "revoked" in client.get(f"/share/{token}").json()["error"]["message"]


def test_project_budget_on_postgres(client):  # noqa: F811
    pid = client.post("/projects", json={"name": "Budget"}).json()["id"]
    with session() as s:
        s.add(Job(project_id=pid, kind="generate", provider="google", model="veo", status="succeeded",
                  created_by="ed", request={"cost_estimate_usd": 0.75}))
    spend.set_project_budget(project_id=pid, usd=1.0)
    assert spend.project_spent(project_id=pid) == pytest.approx(0.75)
    spend.check_spend(project_id=pid, user="ed", cost=0.25)
    with pytest.raises(SpendLimitExceeded, match="budget of project 'Budget' is \\$1.00"):
        spend.check_spend(project_id=pid, user="ed", cost=0.26)
    assert spend.spend_by(key="user", project_id=pid) == {"ed": pytest.approx(0.75)}
