"""Who owns a job, decided by the database alone (conditional UPDATEs), so any number of worker
processes on any number of machines can share one database.

A job is in one of three ownership states:
- **held**: ``worker`` is set and ``lease_expires_at`` is in the future — only that worker may
  submit, poll, store or finish it (every write here is conditional on ``worker``), and it renews
  the lease while it works;
- **parked**: between two steps (waiting for its next poll or a retry): ``worker`` is NULL and
  ``lease_expires_at`` is the time by which some worker should have picked it up again;
- **lapsed**: the lease (or park deadline) is in the past — its worker died or its message was
  lost; the sweep hands it to any worker, which takes it over.

A finished job has neither worker nor lease, and its ``inflight_key`` is cleared so identical work
can start again.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from core.db import lock_key, session
from core.models import ACTIVE_STATUSES, QUEUED, RUNNING, SUBMITTED, SUBMITTING, Job, utcnow

_T = Job.__table__
# Jobs that occupy a provider: counted against its concurrency limit when a new one is claimed.
IN_FLIGHT = (SUBMITTING, SUBMITTED, RUNNING)
# A job never leased (just queued, message possibly lost) is re-sent by the sweep after this long.
UNCLAIMED_GRACE_S = 30.0
CLAIM_LOCK = "storyreel-claim:"  # + provider: the PostgreSQL advisory lock its claims take turns on


def _update(where: Any, values: dict[str, Any], *, lock: str | None = None) -> int:
    with session() as s:
        if lock is not None:
            lock_key(s, key=lock)
        result = s.exec(sa.update(_T).where(where).values(**values, updated_at=utcnow()))  # type: ignore[call-overload]
        return int(result.rowcount or 0)


def claim(*, job_id: str, worker: str, lease_s: float, limit: int | None = None,
          provider: str | None = None) -> Job | None:
    """Take ``job_id`` for ``worker`` for ``lease_s`` seconds; returns the job as claimed, or None
    when it is finished, held by a live worker, or (queued with ``limit`` given) its provider already
    has ``limit`` jobs in flight or claimed to be sent. One conditional UPDATE: two workers never
    both get it; on PostgreSQL the claims of one provider also take turns (a transaction-scoped
    advisory lock), so two claims at once cannot both count the same free slot. ``provider``: the
    job's, when the caller knows it (else it is looked up)."""
    now = utcnow()
    # Not "worker == me": two slots of one process must not both take a job delivered twice.
    free = sa.or_(_T.c.worker.is_(None), _T.c.lease_expires_at.is_(None), _T.c.lease_expires_at < now)
    cond = sa.and_(_T.c.id == job_id, _T.c.status.in_(ACTIVE_STATUSES), free)
    if limit is not None:
        other = sa.alias(_T, name="other")
        # A queued job a live worker has claimed is about to be sent: it holds a slot already.
        occupying = sa.or_(other.c.status.in_(IN_FLIGHT),
                           sa.and_(other.c.status == QUEUED, other.c.worker.is_not(None),
                                   other.c.lease_expires_at >= now))
        busy = (sa.select(sa.func.count()).select_from(other)
                .where(other.c.provider == _T.c.provider, other.c.id != _T.c.id, occupying).scalar_subquery())
        cond = sa.and_(cond, sa.or_(_T.c.status != QUEUED, busy < limit))
    lock = None
    if limit is not None:
        if provider is None:
            with session() as s:
                provider = s.exec(select(Job.provider).where(Job.id == job_id)).first()
            if provider is None:
                return None
        # Under READ COMMITTED two concurrent UPDATEs would each count the other's slot as free.
        lock = CLAIM_LOCK + provider
    if _update(cond, {"worker": worker, "lease_expires_at": now + timedelta(seconds=lease_s)}, lock=lock) != 1:
        return None
    with session() as s:
        return s.get(Job, job_id)


def owned(*, job_id: str, worker: str, when: tuple[str, ...] = ACTIVE_STATUSES, **fields: Any) -> bool:
    """Write ``fields`` on a job ``worker`` holds and whose status is still in ``when``; returns
    False (and writes nothing) when the lease was lost or the job was cancelled meanwhile."""
    cond = sa.and_(_T.c.id == job_id, _T.c.worker == worker, _T.c.status.in_(when))
    return _update(cond, fields) == 1


def renew(*, job_id: str, worker: str, lease_s: float) -> bool:
    """Extend ``worker``'s lease on a job; returns False when it no longer holds it (taken over,
    cancelled or finished)."""
    return owned(job_id=job_id, worker=worker, lease_expires_at=utcnow() + timedelta(seconds=lease_s))


def park(*, job_id: str, worker: str, deadline_s: float, **fields: Any) -> bool:
    """Let go of a job between two steps (``fields`` written too); the sweep takes it over if no
    worker picked it up ``deadline_s`` seconds from now. Returns False when it was not held."""
    cond = sa.and_(_T.c.id == job_id, _T.c.worker == worker, _T.c.status.in_(ACTIVE_STATUSES))
    return _update(cond, {**fields, "worker": None, "lease_expires_at": utcnow() + timedelta(seconds=deadline_s)}) == 1


def finish(*, job_id: str, worker: str | None, status: str, **fields: Any) -> bool:
    """Move a job to a finished ``status`` and drop its lease and in-flight key. With ``worker``
    only its lease holder may; with None (a user's cancel) anyone may while it is unfinished.
    Returns False when nothing changed (already finished, or not held by ``worker``)."""
    cond = sa.and_(_T.c.id == job_id, _T.c.status.in_(ACTIVE_STATUSES))
    if worker is not None:
        cond = sa.and_(cond, _T.c.worker == worker)
    return _update(cond, {**fields, "status": status, "worker": None, "lease_expires_at": None,
                          "inflight_key": None}) == 1


def release(*, job_id: str, worker: str) -> None:
    """Let go of a job at once (a worker stopping): the sweep hands it on without waiting."""
    _update(sa.and_(_T.c.id == job_id, _T.c.worker == worker),
            {"worker": None, "lease_expires_at": utcnow()})


def lapsed(*, now: datetime | None = None, limit: int = 500) -> list[str]:
    """Return ids of unfinished jobs nobody looks after: an expired lease or park deadline, or
    never leased and queued longer than UNCLAIMED_GRACE_S (oldest first)."""
    now = now or utcnow()
    with session() as s:
        rows = s.exec(select(Job.id).where(
            Job.status.in_(ACTIVE_STATUSES),
            sa.or_(Job.lease_expires_at < now,
                   sa.and_(Job.lease_expires_at.is_(None),
                           Job.updated_at < now - timedelta(seconds=UNCLAIMED_GRACE_S))),
        ).order_by(Job.created_at).limit(limit)).all()
    return list(rows)


def operation_ids(*, provider: str, exclude: str) -> set[str]:
    """Return the provider operation ids other jobs already own (reconciling must not take one)."""
    with session() as s:
        rows = s.exec(select(Job.operation_id).where(Job.provider == provider, Job.id != exclude,
                                                     Job.operation_id.is_not(None))).all()
    return {r for r in rows if r}
