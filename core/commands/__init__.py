"""The ``python -m core`` subcommands (wired by core/cli.py), and what they share."""
from __future__ import annotations

import sys

from core.errors import StoryreelError


def report_user_error(exc: StoryreelError) -> int:
    """Print ``error (field): message`` on stderr; returns the user-error exit code, 2."""
    where = f" ({exc.field})" if exc.field else ""
    print(f"error{where}: {exc.message}", file=sys.stderr)
    return 2
