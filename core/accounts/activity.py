"""A project's activity list: every stored asset, script version, shot version, render and setting
change, with who made it (``current_user()``: the signed-in user, the API token's owner, or — in a
worker — the user who asked for the job) and when.

The stores call ``record`` inside the transaction that makes the change, so an entry exists exactly
when the change does.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, delete, select

from core.accounts.identity import current_user
from core.db import session
from core.errors import InvalidInput
from core.models import ACTIVITY_ACTIONS, Activity

MAX_LIST = 500
NO_USER = "(no sign-in)"  # shown for changes made while sign-in was off


@dataclass(frozen=True)
class Entry:
    """One line of the activity list."""

    at: datetime
    user: str  # NO_USER when nobody was signed in
    action: str
    subject: str
    ref: str


def record(s: Session, *, project_id: int | None, action: str, subject: str, ref: str | int = "") -> Activity:
    """Add an activity entry by the current user to session ``s`` (committed with the change it
    describes); returns it. Raises ValueError for an action not in ACTIVITY_ACTIONS (a programming error)."""
    if action not in ACTIVITY_ACTIONS:
        raise ValueError(f"unknown activity action {action!r}")
    row = Activity(project_id=project_id, user_name=current_user(), action=action, subject=subject[:300],
                   ref=str(ref or ""))
    s.add(row)
    return row


def list_activity(*, project_id: int, limit: int = 100, user: str | None = None,
                  action: str | None = None) -> list[Entry]:
    """Return the project's activity, newest first, at most ``limit`` entries (1-500), optionally of one
    user and/or one action. Raises InvalidInput for a bad limit or action."""
    if not 1 <= limit <= MAX_LIST:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIST}.", field="limit")
    if action is not None and action not in ACTIVITY_ACTIONS:
        raise InvalidInput(f"action must be one of {', '.join(ACTIVITY_ACTIONS)}.", field="action")
    query = select(Activity).where(Activity.project_id == project_id)
    if user is not None:
        query = query.where(Activity.user_name == user)
    if action is not None:
        query = query.where(Activity.action == action)
    with session() as s:
        rows = s.exec(query.order_by(Activity.at.desc(), Activity.id.desc()).limit(limit)).all()
    return [Entry(at=r.at, user=r.user_name or NO_USER, action=r.action, subject=r.subject, ref=r.ref) for r in rows]


def forget_project(s: Session, *, project_id: int) -> None:
    """Delete a project's activity in session ``s`` (the project is being deleted)."""
    s.exec(delete(Activity).where(Activity.project_id == project_id))
