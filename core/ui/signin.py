"""Sign-in for the app (``STORYREEL_AUTH=on``) and what the signed-in user's role allows on a page.

- With an ``[auth]`` table in ``.streamlit/secrets.toml``, Streamlit's OpenID Connect sign-in
  (``st.login``) is used; the identity's e-mail (or name) must be an account (``python -m core users
  add``), whose role applies.
- Otherwise a username/password form, checked by ``core.accounts.service.check_password``.
Without sign-in every action is allowed (the single-user studio on loopback).
"""
from __future__ import annotations

import streamlit as st

from core.accounts import service
from core.accounts.identity import set_current
from core.ui.errors import shown_errors

USER_KEY = "signed_in_user"


def _oidc_user() -> str | None:
    """The account name of the OpenID Connect identity, or stop the page with a log-in button."""
    if not st.user.get("is_logged_in", False):
        st.title("🎬 Storyreel")
        st.button("Log in", type="primary", on_click=st.login, key="oidc_login")
        st.stop()
    name = st.user.get("email") or st.user.get("name")
    if not name or service.get_user(name=str(name)) is None:
        st.error(f"No Storyreel account for {name}: an owner adds it with "
                 f"`python -m core users add {name} --role …`.")
        st.button("Log out", on_click=st.logout, key="oidc_logout")
        st.stop()
    return str(name)


def _owner_setup() -> None:
    """First start (sign-in on, no account yet): the form that creates the owner account and signs it in."""
    st.subheader("Create the owner account")
    st.caption("No account exists yet. The first one owns every project: it adds the team's accounts "
               "(`python -m core users add NAME --role …`) and may delete. More owners can be added the same way.")
    with st.form("owner_setup"):
        username = st.text_input("Owner name", key="setup_name")
        password = st.text_input("Password", type="password", key="setup_password")
        again = st.text_input("Password again", type="password", key="setup_password_again")
        submitted = st.form_submit_button("Create the owner account", type="primary")
    if not submitted:
        return
    if password != again:
        st.error("The two passwords differ.")
        return
    with shown_errors("Could not create the owner account"):
        owner = service.create_first_owner(name=username.strip(), password=password)
        st.session_state[USER_KEY] = owner.name
        st.rerun()


def _password_user() -> str:
    """The signed-in account name, or stop the page with the sign-in form (the owner setup form on
    first start, while no account exists)."""
    name = st.session_state.get(USER_KEY)
    if name and service.get_user(name=name) is not None:
        return name
    st.title("🎬 Storyreel")
    if not service.has_users():
        _owner_setup()
        st.stop()
    with st.form("sign_in"):
        username = st.text_input("Username", key="signin_name")
        password = st.text_input("Password", type="password", key="signin_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        user = service.check_password(name=username.strip(), password=password)
        if user is not None:
            st.session_state[USER_KEY] = user.name
            st.rerun()
        st.error("Wrong username or password.")
    st.stop()
    raise AssertionError("st.stop() returned")  # pragma: no cover


def require_sign_in() -> str | None:
    """Return the signed-in user's name (and make it the current user), or None when sign-in is off.
    Stops the page with a sign-in form (or OpenID Connect log-in) until someone signs in."""
    if not service.auth_enabled():
        set_current(name=None)
        return None
    name = _oidc_user() if service.oidc_configured() else _password_user()
    st.session_state[USER_KEY] = name
    set_current(name=name)
    return name


def sign_out_button() -> None:
    """Show who is signed in with a sign-out button (sidebar)."""
    name = st.session_state.get(USER_KEY)
    if service.oidc_configured() and st.user.get("is_logged_in", False):
        st.button("Log out", on_click=st.logout, key="oidc_logout_sidebar")
        return
    if name and st.button(f"Sign out ({name})", key="sign_out"):
        st.session_state.pop(USER_KEY, None)
        st.rerun()


def may(action: str) -> bool:
    """True when sign-in is off or the signed-in user's role in the open project allows ``action``
    (``generate``, ``spend``, ``edit``, ``delete``…)."""
    if not service.auth_enabled():
        return True
    name = st.session_state.get(USER_KEY)
    return service.can(name=name, action=action, project_id=st.session_state.get("project_id"))


def why_not(action: str) -> str | None:
    """A button's help text when ``action`` is not allowed, else None."""
    if may(action):
        return None
    return f"Your role may not {action} here (needs {service.ACTIONS[action]})."
