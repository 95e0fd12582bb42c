"""Spend of the open project per user and per provider (estimates), with its budget if one is set."""
from __future__ import annotations

import streamlit as st

from core.accounts import spend
from core.projects import get_project


def spend_summary(*, project_id: int) -> None:
    """Captions: the project's budget use, then spend per provider and per user (largest first)."""
    budget = (get_project(project_id=project_id).settings or {}).get(spend.BUDGET_KEY)
    if budget is not None:
        st.caption(f"Budget: ${spend.project_spent(project_id=project_id):.2f} of ${budget:.2f} used")
    for key, label in (("provider", "By provider"), ("user", "By user")):
        totals = spend.spend_by(key=key, project_id=project_id)
        if totals:
            st.caption(f"{label}: " + " · ".join(f"{name} ${usd:.2f}" for name, usd in totals.items()))
