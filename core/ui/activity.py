"""The open project's activity list: who changed what, newest first (``core.accounts.activity``)."""
from __future__ import annotations

import streamlit as st

from core.accounts.activity import NO_USER, list_activity

SHOWN = 100


def activity_panel(*, project_id: int) -> None:
    """An expander with the project's latest changes (when, who, what), filterable by person."""
    with st.expander("🕘 Activity", expanded=False):
        entries = list_activity(project_id=project_id, limit=SHOWN)
        if not entries:
            st.caption("Nothing recorded yet.")
            return
        people = sorted({e.user for e in entries})
        who = st.selectbox("Who", ["everyone", *people], key=f"activity_who_{project_id}")
        shown = [e for e in entries if who == "everyone" or e.user == who]
        st.dataframe([{"when": e.at.strftime("%Y-%m-%d %H:%M:%S UTC"), "who": e.user, "what": e.action,
                       "details": e.subject} for e in shown], hide_index=True)
        if NO_USER in people:
            st.caption(f"{NO_USER}: made while sign-in was off.")
