"""Accounts and API tokens for sign-in (``STORYREEL_AUTH=on``):

- ``python -m core users add NAME --role owner|editor|viewer`` reads the password from stdin (a line,
  then the same line again to confirm; prompts without echo on a terminal);
- ``users list``, ``users remove NAME``, ``users grant NAME --project ID --role ROLE`` (a role in one project);
- ``users limit NAME --daily USD|none`` (a daily spend limit); ``python -m core spend [--project ID]
  [--budget USD|none]`` shows spend per user and per provider (and sets a project's budget);
- ``python -m core tokens create NAME`` prints a new API token alone on its last line, once (only its hash is kept).
"""
from __future__ import annotations

import argparse
import getpass
import sys

from core.accounts import service, spend
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


def _usd(value: str) -> float | None:
    """argparse type: a USD amount, or ``none`` for no limit."""
    if value.lower() == "none":
        return None
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a USD amount (e.g. 5 or 2.50) or 'none'") from None


def _limit(args: argparse.Namespace) -> int:
    spend.set_daily_limit(name=args.name, usd=args.daily)
    print(f"{args.name}: daily limit {'none' if args.daily is None else f'${args.daily:.2f}'}")
    return 0


def _spend(args: argparse.Namespace) -> int:
    if args.budget is not _UNSET:
        if args.project is None:
            raise InvalidInput("--budget sets one project's budget: give --project ID too.", field="project")
        spend.set_project_budget(project_id=args.project, usd=args.budget)
    if args.project is not None:
        print(f"project {args.project}: ${spend.project_spent(project_id=args.project):.2f} spent")
    for key in ("user", "provider"):
        for name, usd in spend.spend_by(key=key, project_id=args.project).items():
            print(f"{key}\t{name}\t${usd:.2f}")
    return 0


_UNSET = object()


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
    limit = sub.add_parser("limit", help="a user's daily spend limit (USD, or none)")
    limit.add_argument("name")
    limit.add_argument("--daily", type=_usd, required=True)
    limit.set_defaults(func=_guarded(_limit))
    spent = subparsers.add_parser("spend", help="spend per user and per provider; --budget sets a project's budget")
    spent.add_argument("--project", type=int, help="one project only")
    spent.add_argument("--budget", type=_usd, default=_UNSET, help="set the project's budget (USD, or none)")
    spent.set_defaults(func=_guarded(_spend))
    tokens = subparsers.add_parser("tokens", help="API tokens of a user")
    tsub = tokens.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    create = tsub.add_parser("create", help="a new API token, printed once")
    create.add_argument("name")
    create.set_defaults(func=_guarded(_token))
