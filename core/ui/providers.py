"""The Providers panel (app sidebar): which providers have credentials, and — on request — the same
check as ``python -m core doctor``: one cheap authenticated call per configured key, the models that
key can use, and the retired models. Logic lives in core (``core.registry.doctor``); this only draws."""
from __future__ import annotations

import streamlit as st

from core.credentials import get_setting
from core.providers.base import KeyCheck
from core.providers.doctor import ProviderReport, exit_code
from core.registry.doctor import run_doctor, shipped_models

STATE_KEY = "providers_panel_reports"
ICON = {KeyCheck.OK: "✅", KeyCheck.REFUSED: "⛔", KeyCheck.UNREACHABLE: "📡", KeyCheck.ERROR: "⚠️"}


def _setup_lines() -> list[str]:
    """One line per provider saying whether its settings are present (no network)."""
    lines = []
    for provider, models in shipped_models().items():
        needs = sorted({s for m in models if not m.retired for s in m.needs})
        if not needs:
            lines.append(f"✅ **{provider}** — built in, no key")
        elif any(get_setting(setting=s) for s in needs):
            have = [s for s in needs if get_setting(setting=s)]
            lines.append(f"🔑 **{provider}** — {', '.join(have)} set")
        else:
            lines.append(f"⚪ **{provider}** — not set up (set {' or '.join(needs)})")
    return lines


def _show_report(report: ProviderReport) -> None:
    if not report.configured:
        return
    if not report.checks:
        st.markdown(f"✅ **{report.provider}** — no key needed ({len(report.usable)} models)")
        return
    st.markdown(f"{ICON.get(report.status, '⚠️')} **{report.provider}** — {report.status}")
    for c in report.checks:
        st.caption(f"{c.setting}: {c.status}" + (f" — {c.detail}" if c.detail else ""))
    if report.usable:
        st.caption(f"Usable ({len(report.usable)}): {', '.join(report.usable)}")
    for model, why in report.unavailable.items():
        st.caption(f"Not usable: {model} ({why})")
    for note in report.notes:
        st.caption(f"Note: {note}")


def render_providers_panel() -> None:
    """Draw the panel: set-up status at once, the key check when the user asks for it."""
    for line in _setup_lines():
        st.caption(line)
    if st.button("Check keys", key="providers_panel_check", help="One cheap authenticated call per configured "
                 "provider (no generation, no cost). Keys are never shown."):
        with st.spinner("Asking each provider…"):
            st.session_state[STATE_KEY] = run_doctor()
    reports = st.session_state.get(STATE_KEY)
    if reports is None:
        return
    if exit_code(reports) == 0:
        st.success("Every configured provider answered OK.")
    else:
        st.error("Some configured provider did not answer OK.")
    for report in reports:
        _show_report(report)
    retired = [(r.provider, m) for r in reports for m in r.retired]
    if retired:
        st.caption("Retired (hidden from pickers; old assets keep working): " + "; ".join(
            f"{p}/{m.model} → {m.replacement} (since {m.retired})" for p, m in retired))
