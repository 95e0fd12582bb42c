"""Spend limits: a budget per project and a daily limit per user (USD, from the jobs' cost estimates).

Spend is the sum of ``cost_estimate_usd`` the jobs carry (set before submission), over jobs that
were not cancelled or failed and were not cache hits — so queued and running paid work counts at
once, not only what has finished. ``check_spend`` is the one hook the job engine calls before it
persists a paid job; it raises SpendLimitExceeded naming the limit that would be passed.

``admit_job`` makes the check and the reservation one step: the paid job is inserted in the same
transaction that read the spend, holding the project's and the user's rows (``FOR UPDATE`` on
PostgreSQL, the write lock on SQLite), so concurrent submits from any number of processes cannot
pass a limit together.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, select

from core.accounts.activity import record
from core.db import lock_for_writing, session
from core.errors import InvalidInput, NotFound, SpendLimitExceeded
from core.models import Job, Project, User, utcnow

BUDGET_KEY = "budget_usd"  # in Project.settings
NOT_SPENT = ("failed", "cancelled")


def _cost(job: Job) -> float:
    value = (job.request or {}).get("cost_estimate_usd")
    return float(value) if isinstance(value, (int, float)) and job.status not in NOT_SPENT else 0.0


def _jobs(*, project_id: int | None = None, user: str | None = None, since: datetime | None = None,
          s: Session | None = None) -> list[Job]:
    query = select(Job)
    if project_id is not None:
        query = query.where(Job.project_id == project_id)
    if user is not None:
        query = query.where(Job.created_by == user)
    if since is not None:
        query = query.where(Job.created_at >= since)
    if s is not None:
        return list(s.exec(query).all())
    with session() as own:
        return list(own.exec(query).all())


def _check_limit(value: float | None, *, field: str) -> float | None:
    if value is not None and value < 0:
        raise InvalidInput("A spend limit is a USD amount of 0 or more (or none).", field=field)
    return value


def set_project_budget(*, project_id: int, usd: float | None) -> None:
    """Set (or with None clear) a project's budget in USD. Raises NotFound, InvalidInput."""
    _check_limit(usd, field="budget_usd")
    with session() as s:
        project = s.get(Project, project_id)
        if project is None:
            raise NotFound(f"No project with id {project_id}.", field="project_id")
        settings = dict(project.settings or {})
        settings.pop(BUDGET_KEY, None)
        if usd is not None:
            settings[BUDGET_KEY] = float(usd)
        project.settings = settings
        s.add(project)
        record(s, project_id=project_id, action="budget",
               subject="budget cleared" if usd is None else f"budget set to ${float(usd):.2f}")


def set_daily_limit(*, name: str, usd: float | None) -> None:
    """Set (or with None clear) a user's daily spend limit in USD. Raises NotFound, InvalidInput."""
    _check_limit(usd, field="daily_limit_usd")
    with session() as s:
        user = s.get(User, name)
        if user is None:
            raise NotFound(f"No user named {name!r}.", field="name")
        user.daily_limit_usd = None if usd is None else float(usd)
        s.add(user)
        record(s, project_id=None, action="budget", ref=name,
               subject=f"{name}'s daily limit " + ("cleared" if usd is None else f"set to ${float(usd):.2f}"))


def project_spent(*, project_id: int) -> float:
    """USD the project's jobs are estimated to cost (cancelled, failed and cache hits count 0)."""
    return sum(_cost(j) for j in _jobs(project_id=project_id))


def user_spent_today(*, name: str) -> float:
    """USD the user's jobs since 00:00 UTC today are estimated to cost."""
    return sum(_cost(j) for j in _jobs(user=name, since=start_of_today()))


def _refuse_over_limits(s: Session, *, project: Project | None, account: User | None, cost: float) -> None:
    """Raise SpendLimitExceeded when ``cost`` on top of what is spent (read through ``s``) passes the
    project's budget or the account's daily limit."""
    budget = (project.settings or {}).get(BUDGET_KEY) if project is not None else None
    if budget is not None:
        spent = sum(_cost(j) for j in _jobs(project_id=project.id, s=s))
        if spent + cost > budget + 1e-9:
            raise SpendLimitExceeded(
                f"Refused: the budget of project '{project.name}' is ${budget:.2f}; ${spent:.2f} is spent and this "
                f"job is estimated at ${cost:.2f}.", field="project_id")
    if account is not None and account.daily_limit_usd is not None:
        spent = sum(_cost(j) for j in _jobs(user=account.name, since=start_of_today(), s=s))
        if spent + cost > account.daily_limit_usd + 1e-9:
            raise SpendLimitExceeded(
                f"Refused: {account.name}'s daily limit is ${account.daily_limit_usd:.2f}; ${spent:.2f} is spent "
                f"today and this job is estimated at ${cost:.2f}.")


def check_spend(*, project_id: int | None, user: str | None, cost: float | None) -> None:
    """Raise SpendLimitExceeded when a job costing ``cost`` USD would pass the project's budget or the
    user's daily limit; free and unpriced jobs always pass. A read only: ``admit_job`` is the check
    that reserves."""
    if not cost or cost <= 0:
        return
    with session() as s:
        project = s.get(Project, project_id) if project_id is not None else None
        account = s.get(User, user) if user else None
        _refuse_over_limits(s, project=project, account=account, cost=cost)


def admit_job(*, job: Job, cost: float | None) -> Job:
    """Persist ``job`` (its project and ``created_by`` say whose limits apply); a paid one (``cost`` > 0)
    only when it passes neither the project's budget nor the user's daily limit, checked and inserted
    in one transaction that holds the project's and the user's rows, in that order. Returns the job.

    Raises SpendLimitExceeded (nothing stored) naming the limit; IntegrityError from the insert (an
    identical job in flight) propagates."""
    with session() as s:
        if cost and cost > 0:
            lock_for_writing(s)
            project = (s.exec(select(Project).where(Project.id == job.project_id).with_for_update()).first()
                       if job.project_id is not None else None)
            account = (s.exec(select(User).where(User.name == job.created_by).with_for_update()).first()
                       if job.created_by else None)
            _refuse_over_limits(s, project=project, account=account, cost=float(cost))
        s.add(job)
    return job


def spend_by(*, key: str, project_id: int | None = None, since: datetime | None = None) -> dict[str, float]:
    """USD per ``key`` ("user" or "provider"), largest first; jobs without a user count under "(no user)"."""
    totals: dict[str, float] = defaultdict(float)
    for job in _jobs(project_id=project_id, since=since):
        cost = _cost(job)
        if cost:
            name = (job.created_by or "(no user)") if key == "user" else job.provider
            totals[name] += cost
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def start_of_today() -> datetime:
    """00:00 UTC today."""
    return utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
