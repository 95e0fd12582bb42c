"""``python -m core doctor``: check each configured provider with one cheap authenticated call and list
the shipped models its key can use (retired models flagged). Never prints a key. Exit 0 only when
every configured provider answered OK, else 1."""
from __future__ import annotations

import argparse
import json

from core.providers.doctor import exit_code, report_json, report_text
from core.registry.doctor import run_doctor


def handle(args: argparse.Namespace) -> int:
    """Run the checks, print the report (text, or JSON with ``--json``); returns 0 or 1."""
    reports = run_doctor()
    if args.json:
        print(json.dumps(report_json(reports), indent=2))
    else:
        print(report_text(reports))
    return exit_code(reports)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``doctor`` command."""
    parser = subparsers.add_parser("doctor", help="check provider keys and list the models each key can use")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=handle)
