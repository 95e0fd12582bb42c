"""``python -m core validate PROVIDER MODEL PARAMS_JSON``: exit 0 and print the validated
params, or exit 2 with one line per broken rule."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.errors import InvalidCombination, InvalidInput
from core.registry import get_registry


def _params(text: str) -> dict:
    """Parse PARAMS_JSON: inline JSON, ``@file.json``, or ``-`` for stdin."""
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"PARAMS_JSON is not valid JSON: {exc}", field="params") from exc
    if not isinstance(value, dict):
        raise InvalidInput("PARAMS_JSON must be a JSON object", field="params")
    return value


def handle(args: argparse.Namespace) -> int:
    """Validate; returns 0 (valid, JSON on stdout) or 2 (one violation per line on stderr)."""
    params = _params(args.params)
    try:
        validated = get_registry().validate(
            provider=args.provider, model=args.model, params=params, operation=args.operation)
    except InvalidCombination as exc:
        for v in exc.violations:
            print(f"{', '.join(v.fields)}: {v.message}", file=sys.stderr)
        return 2
    print(json.dumps(validated, indent=2, ensure_ascii=False))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` command."""
    parser = subparsers.add_parser("validate", help="check parameters against a model's schema and rules")
    parser.add_argument("provider")
    parser.add_argument("model", help="model id, or any Replicate owner/name[:version]")
    parser.add_argument("params", metavar="PARAMS_JSON", help="JSON object, @file.json, or - for stdin")
    parser.add_argument("--operation", default=None, help="operation when the model has several (e.g. extend)")
    parser.set_defaults(func=handle)
