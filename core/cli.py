"""The command line: ``python -m core <command>`` (see API.md). Each command lives in its own
module under ``core/commands/`` with a ``register(subparsers)`` function; this file only wires them."""
from __future__ import annotations

import argparse
import importlib
import sys

from core.errors import StoryreelError

COMMAND_MODULES = (
    "core.commands.film",
    "core.commands.breakdown",
    "core.commands.capabilities",
    "core.commands.validate",
    "core.commands.serve",
    "core.commands.export",
    "core.commands.doctor",
    "core.commands.users",
    "core.commands.worker",
    "core.commands.jobs",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every available command registered."""
    parser = argparse.ArgumentParser(prog="python -m core", description="Storyreel command line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command not built in this version
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; returns the exit code (2 for user errors)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except StoryreelError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
