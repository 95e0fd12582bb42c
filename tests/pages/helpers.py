"""Shared helpers for the UX AppTests: run the real app.py and open a page through its navigation."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import open_app, page_texts

ROOT = Path(__file__).resolve().parents[2]


def app(page: str | None = None, project_id: int | None = None, timeout: float = 120):
    return open_app(page, project_id, timeout)


def texts(at) -> str:
    return page_texts(at)