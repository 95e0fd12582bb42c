"""A copyable share link for a render (``core.shares``): a button makes one, the link shows in a code
box (with its copy button) and stays for the session."""
from __future__ import annotations

import streamlit as st

from core.shares import create_share, link_answers, share_url
from core.ui.errors import shown_errors
from core.ui.signin import may, why_not

_LINKS = "_share_links"


def share_link(*, media_id: str, key: str) -> None:
    """Show a "Share link" button for ``media_id``, and the link (7 days) once made."""
    links = st.session_state.setdefault(_LINKS, {})
    if st.button("🔗 Share link", key=key, disabled=not may("share"), help=why_not("share")):
        with shown_errors("Share link"):
            token, expires_at = create_share(media_id=media_id)
            url = share_url(token=token)
            links[media_id] = (url, expires_at, link_answers(url=url))  # checked once, when made
    if media_id in links:
        url, expires_at, answers = links[media_id]
        st.code(url, language=None)
        st.caption(f"Opens without an account until {expires_at:%Y-%m-%d %H:%M} UTC (served by the API).")
        if not answers:
            st.warning("Nothing answers at this link's address yet: it opens once the API runs there "
                       "(`python3 -m core serve`), or set STORYREEL_PUBLIC_URL to the API's address as others "
                       "reach it.")
