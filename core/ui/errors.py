"""The one UI boundary for errors: a StoryreelError becomes a single clear message on the page."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import streamlit as st

from core.credentials import redact
from core.errors import InvalidCombination, StoryreelError


@contextmanager
def shown_errors(what: str = "") -> Iterator[None]:
    """Run a block; a StoryreelError inside is shown once as ``st.error`` (naming the field or
    setting) instead of a traceback. Other exceptions propagate: they are bugs, not user errors."""
    try:
        yield
    except StoryreelError as exc:
        prefix = f"{what}: " if what else ""
        if isinstance(exc, InvalidCombination):
            lines = "\n".join(f"- **{', '.join(v.fields)}** — {v.message}" for v in exc.violations)
            st.error(f"{prefix}these settings cannot be used together:\n{lines}")
        else:
            where = f" (field: `{exc.field}`)" if exc.field else f" (setting: `{exc.setting}`)" if exc.setting else ""
            st.error(redact(f"{prefix}{exc.message}{where}"))
