"""``python -m core breakdown SCRIPT [--target-length S] [--mode auto|fountain|prose]``.

Prints the breakdown JSON of API.md (``scenes`` with ``heading`` and ``shots``, ``characters``),
made by the same ``breakdown_script`` the Breakdown page uses.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.commands import report_user_error
from core.errors import StoryreelError
from core.story.breakdown import MODES, breakdown_script
from core.story.importer import read_script_file


def handler(args: argparse.Namespace) -> int:
    """Print the breakdown of ``args.script``; return 0, or 2 (message on stderr) on a bad file/input."""
    path = Path(args.script)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"error: cannot read script file {str(path)!r}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        text = read_script_file(name=path.name, data=data)
        result = breakdown_script(text=text, target_length_s=args.target_length, mode=args.mode)
    except StoryreelError as exc:
        return report_user_error(exc)
    print(json.dumps(result.to_api_json(), indent=2, ensure_ascii=False))
    return 0


def register(subparsers) -> None:
    """Add the ``breakdown`` subcommand to an argparse ``subparsers`` object."""
    parser = subparsers.add_parser("breakdown", help="print the scene/shot breakdown of a script as JSON",
                                   description="Break a script (.fountain, .txt, .md, .fdx) into scenes, "
                                               "shots and characters; prints JSON.")
    parser.add_argument("script", help="path of the script file")
    parser.add_argument("--target-length", type=int, default=120, metavar="S",
                        help="film length to time the shots to, in seconds (default 120)")
    parser.add_argument("--mode", choices=MODES, default="auto",
                        help="screenplay (fountain), prose story, or auto-detect (default)")
    parser.set_defaults(func=handler)
