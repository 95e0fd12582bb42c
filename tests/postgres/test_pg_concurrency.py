"""Concurrent writers on PostgreSQL: paid jobs submitted at once cannot pass a project budget or a
user's daily limit together (the project's and the user's rows are held FOR UPDATE while the spend is
read and the job inserted), script versions saved at once each get their own number, and first-start
owner setups at once make one owner (the user table locked)."""
from __future__ import annotations

import pytest

from core.accounts import service, spend
from core.projects import create_project
from tests.api.test_concurrent_saves import owners_at_once, saves_at_once
from tests.api.test_spend_atomic import cost, google_settings, stored_jobs, submit_at_once  # noqa: F401 (fixtures)

pytestmark = pytest.mark.postgres


def test_budget_and_daily_limit_hold_under_concurrent_submits(pg_url, google_settings, cost):  # noqa: F811
    pid = create_project(name="Lighthouse").id
    spend.set_project_budget(project_id=pid, usd=round(cost * 3 + cost / 2, 4))
    admitted, refused = submit_at_once(n=12, project_ids=[pid], user=None)
    assert len(admitted) == 3 and len(refused) == 9
    assert all("budget of project 'Lighthouse'" in m for m in refused)
    service.add_user(name="ed", password="pw", role="editor")
    spend.set_daily_limit(name="ed", usd=round(cost * 2, 4))
    others = [create_project(name=f"P{i}").id for i in range(3)]
    admitted, refused = submit_at_once(n=12, project_ids=others, user="ed", tag="u")
    assert len(admitted) == 2 and all("ed's daily limit" in m for m in refused)
    assert len(stored_jobs()) == 5


def test_script_versions_saved_at_once_get_distinct_numbers(pg_url):
    pid = create_project(name="Busy").id
    assert sorted(saves_at_once(project_id=pid, n=12)) == list(range(1, 13))


def test_first_start_setups_at_once_make_one_owner(pg_url):
    made = owners_at_once(n=8)
    assert len(made) == 1 and [u.name for u in service.list_users()] == made
