"""Who is acting right now: a context variable set by the API per request and by the app per run.

Lower layers (media records, jobs) read ``current_user()`` to stamp ``created_by``; it is None when
sign-in is off, so single-user installs record nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_CURRENT: ContextVar[str | None] = ContextVar("storyreel_current_user", default=None)
ADMIN = "admin"  # the name recorded for the STORYREEL_API_TOKEN admin token


def current_user() -> str | None:
    """Return the name of the user acting in this context, or None (sign-in off, or no user)."""
    return _CURRENT.get()


def set_current(*, name: str | None) -> None:
    """Make ``name`` the current user for the rest of this context (a Streamlit script run)."""
    _CURRENT.set(name)


@contextmanager
def acting_as(*, name: str | None) -> Iterator[None]:
    """Run the block with ``name`` as the current user; restores the previous one afterwards."""
    token = _CURRENT.set(name)
    try:
        yield
    finally:
        _CURRENT.reset(token)
