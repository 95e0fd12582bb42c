"""Accounts, API tokens and roles per project.

- Passwords are stored as argon2id hashes (argon2-cffi); API tokens as their SHA-256 (a token is a
  random 32-byte secret, so a slow hash adds nothing) and shown once, when created.
- A user's ``role`` is the default in every project; a ``ProjectMember`` row overrides it for one.
- Roles rank viewer < editor < owner; each action needs a minimum role (``ACTIONS``). The admin
  (``STORYREEL_API_TOKEN``) may do everything.
- ``STORYREEL_AUTH=on`` turns sign-in on for the app and the API (``auth_enabled``).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import delete, select

from core.accounts.activity import record
from core.accounts.identity import ADMIN, current_user
from core.credentials import get_setting
from core.db import lock_table, session
from core.errors import Forbidden, InvalidInput, NotFound
from core.models import ROLES, ApiToken, MediaAsset, ProjectMember, Scene, Shot, User
from core.settings import secrets_section

ACTIONS = {"watch": "viewer", "download": "viewer", "edit": "editor", "generate": "editor", "spend": "editor",
           "share": "editor", "delete": "owner", "members": "owner"}
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
TOKEN_PREFIX = "srt_"
_HASHER = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("storyreel-no-such-user")


def auth_enabled() -> bool:
    """True when ``STORYREEL_AUTH`` is on (``on``/``1``/``true``/``yes``)."""
    return (get_setting(setting="STORYREEL_AUTH") or "").strip().lower() in ("on", "1", "true", "yes")


def constant_equal(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def project_of(*, kind: str, ident: str) -> int | None:
    """Return the project of a stored scene, shot or media record (``kind`` = scenes/shots/media), or None."""
    table = {"scenes": Scene, "shots": Shot, "media": MediaAsset}[kind]
    if table is not MediaAsset and not ident.isdigit():
        return None
    with session() as s:
        row = s.get(table, ident if table is MediaAsset else int(ident))
    return getattr(row, "project_id", None)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.", field="role")
    return role


def _check_account(*, name: str, password: str, role: str) -> None:
    if not NAME_PATTERN.match(name or ""):
        raise InvalidInput("A user name is 1-64 letters, digits, '_', '-', '.' or '@'.", field="name")
    _check_role(role)
    if not password:
        raise InvalidInput("The password may not be empty.", field="password")


def create_first_owner(*, name: str, password: str) -> User:
    """First start: create the owner account, only while no account exists (checked and inserted with
    the user table held, so two browsers setting up at once make one owner). Returns the User.
    Raises InvalidInput (bad name, empty password) or Forbidden when an account exists already."""
    _check_account(name=name, password=password, role="owner")
    with session() as s:
        lock_table(s, table="user")
        if s.exec(select(User.name).limit(1)).first() is not None:
            raise Forbidden("An account exists already: sign in, or ask an owner to add you "
                            "(python -m core users add NAME --role …).")
        user = User(name=name, password_hash=_HASHER.hash(password), role="owner")
        s.add(user)
    return user


def add_user(*, name: str, password: str, role: str) -> User:
    """Create a password account; returns the saved User. Raises InvalidInput (bad name, role, empty
    password, name taken)."""
    _check_account(name=name, password=password, role=role)
    with session() as s:
        if s.get(User, name) is not None:
            raise InvalidInput(f"A user named {name!r} already exists.", field="name")
        user = User(name=name, password_hash=_HASHER.hash(password), role=role)
        s.add(user)
    return user


def list_users() -> list[User]:
    """Return every account, by name."""
    with session() as s:
        return list(s.exec(select(User).order_by(User.name)).all())


def has_users() -> bool:
    """True when at least one account exists."""
    with session() as s:
        return s.exec(select(User.name).limit(1)).first() is not None


def remove_user(*, name: str) -> None:
    """Delete an account with its tokens and memberships. Raises NotFound."""
    with session() as s:
        if s.get(User, name) is None:
            raise NotFound(f"No user named {name!r}.", field="name")
        s.exec(delete(ApiToken).where(ApiToken.user_name == name))
        s.exec(delete(ProjectMember).where(ProjectMember.user_name == name))
        s.flush()
        s.exec(delete(User).where(User.name == name))


def check_password(*, name: str, password: str) -> User | None:
    """Return the User when ``password`` is theirs, else None (same cost for unknown names)."""
    with session() as s:
        user = s.get(User, name)
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(*, name: str) -> str:
    """Create an API token for user ``name`` and return it (the only time it is readable). Raises NotFound."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with session() as s:
        if s.get(User, name) is None:
            raise NotFound(f"No user named {name!r}.", field="name")
        s.add(ApiToken(user_name=name, token_hash=_token_digest(token)))
    return token


def user_for_token(*, token: str) -> User | None:
    """Return the user owning API token ``token``, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = _token_digest(token)
    with session() as s:
        row = s.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        return s.get(User, row.user_name)


def set_member(*, project_id: int, name: str, role: str) -> None:
    """Give user ``name`` ``role`` in one project (overrides the default role). Raises NotFound, InvalidInput."""
    _check_role(role)
    with session() as s:
        if s.get(User, name) is None:
            raise NotFound(f"No user named {name!r}.", field="name")
        row = s.get(ProjectMember, (project_id, name))
        if row is None:
            s.add(ProjectMember(project_id=project_id, user_name=name, role=role))
        else:
            row.role = role
            s.add(row)
        record(s, project_id=project_id, action="member", subject=f"{name} is {role} here", ref=name)


def role_in(*, name: str, project_id: int | None) -> str | None:
    """Return the user's role in ``project_id`` (membership first, then the default role); None for no user.
    The admin is an owner everywhere."""
    if name == ADMIN:
        return "owner"
    with session() as s:
        if project_id is not None:
            member = s.get(ProjectMember, (project_id, name))
            if member is not None:
                return member.role
        user = s.get(User, name)
    return user.role if user else None


def can(*, name: str | None, action: str, project_id: int | None = None) -> bool:
    """True when user ``name`` may do ``action`` (a key of ACTIONS) in ``project_id``."""
    if name is None:
        return False
    role = role_in(name=name, project_id=project_id)
    return role is not None and ROLES.index(role) >= ROLES.index(ACTIONS[action])


def require(*, name: str | None, action: str, project_id: int | None = None) -> None:
    """Raise Forbidden unless user ``name`` may do ``action`` in ``project_id``; the message names the role needed."""
    if not can(name=name, action=action, project_id=project_id):
        role = role_in(name=name, project_id=project_id) if name else None
        where = f" in project {project_id}" if project_id is not None else ""
        raise Forbidden(f"{name or 'Nobody'} ({role or 'no role'}{where}) may not {action}: "
                        f"that needs the {ACTIONS[action]} role.")


def require_current(*, action: str, project_id: int | None) -> None:
    """With sign-in on, raise Forbidden unless the current user — the signed-in user, the API caller, or
    in a worker the user who asked for the job — may do ``action`` in ``project_id``. Without sign-in, or
    with no current user (the command line, which is the machine's own admin), everything passes.
    The doors check first (disabled buttons, 403); this is the same rule where the work starts."""
    name = current_user()
    if name is None or not auth_enabled():
        return
    require(name=name, action=action, project_id=project_id)


def oidc_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` table (Streamlit's OpenID Connect sign-in)."""
    return bool(secrets_section(name="auth"))


def get_user(*, name: str) -> User | None:
    """Return the account ``name``, or None."""
    with session() as s:
        return s.get(User, name)
