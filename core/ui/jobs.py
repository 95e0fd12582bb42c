"""Live job widgets: pages enqueue work and return at once; these parts refresh on their own with
``st.fragment(run_every=…)`` while the project has unfinished jobs, and stop refreshing when it has
none (the decision is made again on every full page run).

- :func:`watch_jobs` reruns the whole page when one of the project's jobs changes state, so shot
  cards, renders and lines show results the workers stored — no click needed;
- :func:`jobs_panel` lists the project's active and recent jobs (provider, model, estimated cost,
  status, progress, age) with cancel, retry and a confirmed "send again" for unknown outcomes.
"""
from __future__ import annotations

from datetime import timezone

import streamlit as st

from core.errors import StoryreelError
from core.jobs.service import cancel_job, job_states, list_jobs, resend_job
from core.jobs.steps import load_job
from core.models import ACTIVE_STATUSES, FAILED, UNKNOWN_OUTCOME, Job, utcnow
from core.ui.signin import may, why_not

REFRESH = "2s"


SEEN = "_jobs_seen"  # (project id, jobs signature) taken by app.py before the page reads any data


def _signature(project_id: int) -> tuple:
    """The project's active jobs (id, status) and how many have ended: changes when one starts or ends."""
    states = job_states(project_id=project_id, limit=200)
    return tuple(js for js in states if js[1] in ACTIVE_STATUSES) + (
        sum(status not in ACTIVE_STATUSES for _, status in states),)


def refresh_every(*, project_id: int) -> str | None:
    """Return the refresh interval while the project has unfinished jobs, else None (no timer)."""
    return REFRESH if list_jobs(project_id=project_id, status="active", limit=1) else None


def note_jobs(*, project_id: int) -> None:
    """Remember the project's jobs as they are before this run draws anything (app.py, first):
    :func:`watch_jobs` compares against it, so a job that ends while the page is being drawn still
    makes the page redraw."""
    st.session_state[SEEN] = (project_id, _signature(project_id))


def watch_jobs(*, project_id: int, key: str = "jobs_watch") -> None:
    """Rerun the page whenever one of the project's jobs starts, ends or appears, while any runs —
    or once, shortly, when they changed since this run began (see :func:`note_jobs`)."""
    seen = st.session_state.pop(SEEN, None)  # this run's own, never a stale one of an earlier run
    now = _signature(project_id)
    start = seen[1] if seen and seen[0] == project_id else now
    st.session_state[key] = start
    active = len(start) > 1 or len(now) > 1  # any active job (the last part is the count of ended ones)

    drawn = {"inline": True}

    @st.fragment(run_every=REFRESH if active or now != start else None)
    def _watch() -> None:
        if drawn.pop("inline", False):
            return  # drawn with the page: compared on the timer's ticks (never a rerun loop)
        current = _signature(project_id)
        if current != st.session_state.get(key):
            st.session_state[key] = current
            st.rerun(scope="app")

    _watch()


def watch_job(*, job: Job) -> None:
    """Rerun the page once ``job`` (as the page just read it) has finished: a result shown on a page
    that has no project."""
    if job.status not in ACTIVE_STATUSES:
        return

    @st.fragment(run_every=REFRESH)
    def _watch() -> None:
        now = load_job(job.id)  # None: gone
        if now is None or now.status not in ACTIVE_STATUSES:
            st.rerun(scope="app")

    _watch()


def work_state(work, *, icon: str, when_ready: str, failed: str) -> None:
    """Show what queued work (``core.generation`` ``SoundWork``: ``making``, ``error``) is doing: what is
    being made and what happens when it is ready, or why it failed."""
    if work.making:
        st.info(f"{icon} Making {work.making}… {when_ready}")
    if work.error:
        st.error(f"{failed} {work.error}")


def _age(job: Job) -> str:
    created = job.created_at if job.created_at.tzinfo else job.created_at.replace(tzinfo=timezone.utc)
    s = int((utcnow() - created).total_seconds())
    return f"{s}s" if s < 120 else f"{s // 60} min" if s < 7200 else f"{s // 3600} h"


def _row(job: Job) -> None:
    req = job.request or {}
    cost = req.get("cost_estimate_usd")
    c1, c2, c3 = st.columns([5, 3, 2])
    c1.markdown(f"**{job.provider} · {job.model}** — {job.kind}"
                + (f" · shot {job.shot_id}" if job.shot_id else "")
                + ("" if cost is None else f" · ≈${cost:.2f}"))
    c2.progress(min(1.0, max(0.0, float(job.progress or 0.0))),
                text=f"{job.status.replace('_', ' ')} · {_age(job)}"
                + (f" · {req['message']}" if isinstance(req.get("message"), str) and job.status in ACTIVE_STATUSES else ""))
    with c3:
        try:
            if job.status in ACTIVE_STATUSES and st.button("Cancel", key=f"job_cancel_{job.id}"):
                cancel_job(job_id=job.id)
                st.rerun(scope="app")
            elif job.status == FAILED and job.error_retryable and st.button(
                    "Retry", key=f"job_retry_{job.id}", disabled=not may("spend"), help=why_not("spend")):
                resend_job(job_id=job.id)
                st.rerun(scope="app")
            elif job.status == UNKNOWN_OUTCOME:
                sure = st.checkbox("The provider may bill twice — send again", key=f"job_sure_{job.id}")
                if st.button("Send again", key=f"job_resend_{job.id}", disabled=not sure or not may("spend"),
                             help=why_not("spend")):
                    resend_job(job_id=job.id)
                    st.rerun(scope="app")
        except StoryreelError as exc:
            st.error(exc.message)
    if job.error and job.status in (FAILED, UNKNOWN_OUTCOME):
        st.caption(job.error)


def jobs_panel(*, project_id: int, recent: int = 10) -> None:
    """The project's unfinished jobs and its ``recent`` latest finished ones, refreshing while any run."""

    @st.fragment(run_every=refresh_every(project_id=project_id))
    def _panel() -> None:
        jobs = list_jobs(project_id=project_id, limit=200)
        active = [j for j in jobs if j.status in ACTIVE_STATUSES]
        done = [j for j in jobs if j.status not in ACTIVE_STATUSES][:recent]
        st.caption(f"{len(active)} running or queued · refreshed {utcnow():%H:%M:%S} UTC" if active
                   else "No job running.")
        for job in active + done:
            _row(job)

    _panel()
