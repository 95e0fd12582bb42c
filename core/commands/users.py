"""Accounts and API tokens for sign-in (``STORYREEL_AUTH=on``):

- ``python -m core users add NAME --role owner|editor|viewer`` reads the password from stdin (a line,
  then the same line again to confirm; prompts without echo on a terminal);
- ``users list``, ``users remove NAME``, ``users grant NAME --project ID --role ROLE`` (a role in one project);
- ``python -m core tokens create NAME`` prints a new API token alone on its last line, once (only its hash is kept).
"""
from __future__ import annotations

import argparse
import getpass
import sys

from core.accounts import service
from core.commands import report_user_error
from core.errors import InvalidInput, StoryreelError
from core.models import ROLES


def _read_password() -> str:
    """Return the password typed twice (stdin lines, or no-echo prompts on a terminal); raises InvalidInput."""
    if sys.stdin.isatty():
        first, second = getpass.getpass("Password: "), getpass.getpass("Repeat: ")
    else:
        first, second = sys.stdin.readline().rstrip("\r\n"), sys.stdin.readline().rstrip("\r\n")
    if first != second:
        raise InvalidInput("The two passwords differ.", field="password")
    return first


def _add(args: argparse.Namespace) -> int:
    service.add_user(name=args.name, password=_read_password(), role=args.role)
    print(f"added {args.name} ({args.role})")
    return 0


def _list(args: argparse.Namespace) -> int:
    for user in service.list_users():
        print(f"{user.name}\t{user.role}\t{user.created_at:%Y-%m-%d}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    service.remove_user(name=args.name)
    print(f"removed {args.name}")
    return 0


def _grant(args: argparse.Namespace) -> int:
    service.set_member(project_id=args.project, name=args.name, role=args.role)
    print(f"{args.name} is {args.role} in project {args.project}")
    return 0


def _token(args: argparse.Namespace) -> int:
    token = service.create_token(name=args.name)
    print(f"API token for {args.name} (shown once; send it as 'Authorization: Bearer <token>'):")
    print(token)
    return 0


def _guarded(func):
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except StoryreelError as exc:
            return report_user_error(exc)
    return run


def register(subparsers) -> None:
    """Add the ``users`` and ``tokens`` subcommands to an argparse ``subparsers`` object."""
    users = subparsers.add_parser("users", help="password accounts and their roles")
    sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add an account (password from stdin, twice)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True, help="the default role in every project")
    add.set_defaults(func=_guarded(_add))
    sub.add_parser("list", help="every account").set_defaults(func=_guarded(_list))
    remove = sub.add_parser("remove", help="delete an account and its tokens")
    remove.add_argument("name")
    remove.set_defaults(func=_guarded(_remove))
    grant = sub.add_parser("grant", help="a role in one project (overrides the default role)")
    grant.add_argument("name")
    grant.add_argument("--project", type=int, required=True)
    grant.add_argument("--role", choices=ROLES, required=True)
    grant.set_defaults(func=_guarded(_grant))
    tokens = subparsers.add_parser("tokens", help="API tokens of a user")
    tsub = tokens.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    create = tsub.add_parser("create", help="a new API token, printed once")
    create.add_argument("name")
    create.set_defaults(func=_guarded(_token))
