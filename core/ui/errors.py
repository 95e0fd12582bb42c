"""The one UI boundary for errors: a StoryreelError becomes a single clear message on the page."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import streamlit as st

from core.credentials import redact
from core.errors import InvalidCombination, StoryreelError


def field_title(name: str, labels: dict[str, str] | None = None) -> str:
    """Return a field as people read it: its form label when known, else "reference_images" →
    "Reference images"."""
    if labels and name in labels:
        return labels[name]
    return name.replace("_", " ").strip().capitalize() or name


def _humane(text: str, labels: dict[str, str] | None) -> str:
    for name, title in sorted((labels or {}).items(), key=lambda kv: -len(kv[0])):
        if "_" in name:  # only unmistakable field names are rewritten inside a sentence
            text = text.replace(f"`{name}`", title).replace(name, title)
    return text


@contextmanager
def shown_errors(what: str = "", *, labels: dict[str, str] | None = None) -> Iterator[None]:
    """Run a block; a StoryreelError inside is shown once as ``st.error`` (naming the field or
    setting — fields by their form labels when ``labels`` maps names to them) instead of a
    traceback. Other exceptions propagate: they are bugs, not user errors."""
    try:
        yield
    except StoryreelError as exc:
        prefix = f"{what}: " if what else ""
        if isinstance(exc, InvalidCombination):
            lines = "\n".join(f"- **{', '.join(field_title(f, labels) for f in v.fields)}** — "
                              f"{_humane(v.message, labels)}" for v in exc.violations)
            st.error(f"{prefix}these settings cannot be used together:\n{lines}")
        else:
            where = (f" (field: {field_title(exc.field, labels)})" if exc.field else
                     f" (setting: `{exc.setting}`)" if exc.setting else "")
            st.error(redact(f"{prefix}{_humane(exc.message, labels)}{where}"))
