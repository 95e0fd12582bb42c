"""Script: paste, import or have a model write it; every save is a version with a summary."""
import streamlit as st

from core.ui.nav import ensure_navigation

ensure_navigation(__file__)

from core.scripts import (
    available_writer, import_file, latest_version, list_versions, restore_version, save_version,
    write_for_project,
)
from core.ui.common import require_project
from core.ui.errors import shown_errors
from core.ui.signin import may, why_not

st.title("📝 Script")
project = require_project("Script")
latest = latest_version(project_id=project.id)
st.caption(f"Project **{project.name}** · {project.genre} · target {project.target_length_s} s · language {project.language}")
flash = st.session_state.pop("script_flash", None)
if flash:
    st.success(flash)


def _done(message: str) -> None:
    """Show ``message`` after the rerun that refreshes the versions (a message shown right before
    st.rerun() would vanish)."""
    st.session_state.script_flash = message
    st.rerun()


paste_tab, import_tab, write_tab = st.tabs(["✍️ Paste or edit", "📂 Import a file", "🤖 Write it for me"])

with paste_tab:
    with st.form("paste"):
        # The box follows the latest version, so an import, a restore or the writer shows up here at
        # once instead of the text it held before (which a later save would silently bring back).
        shown_for = (project.id, latest.id if latest else None)
        if st.session_state.get("paste_text_for") != shown_for:
            st.session_state.paste_text_for = shown_for
            st.session_state.paste_text = latest.text if latest else ""
        text = st.text_area("Script (Fountain screenplay or plain prose)",
                            height=360, key="paste_text", placeholder="INT. KITCHEN - NIGHT\n\nMAYA stares at the letter.\n\nMAYA\nIt came back.")
        if st.form_submit_button("Save as new version", type="primary", key="save_paste"):
            with shown_errors("Not saved"):
                v = save_version(project_id=project.id, text=text, source="pasted")
                _done(f"Saved version {v.number}: {v.summary}")

with import_tab:
    uploads = st.session_state.setdefault("script_uploads", 0)  # a new key empties the uploader after an import
    upload = st.file_uploader("A .fountain, .fdx (Final Draft), .txt or .md file", type=["fountain", "fdx", "txt", "md"],
                              key=f"script_upload_{uploads}")
    if upload is not None and st.button("Import as new version", type="primary", key="import_script"):
        with shown_errors("Not imported"):
            v = import_file(project_id=project.id, name=upload.name, data=upload.getvalue())
            st.session_state.script_uploads = uploads + 1
            _done(f"Imported {upload.name} as version {v.number}: {v.summary}")

with write_tab:
    writer = available_writer()
    st.caption("Uses a provider's text model (structured output) when one is set up — Gemini with "
               f"`GOOGLE_API_KEY` — otherwise the built-in local writer. Now: **{writer}**.")
    logline = st.text_input("Logline (optional)", key="logline", placeholder="A lighthouse keeper finds a message in a bottle addressed to her.")
    if st.button("Write a script", type="primary", key="write", disabled=not may("generate"), help=why_not("generate")):
        with shown_errors("The writer failed; nothing was saved"):
            with st.spinner("Writing…"):
                v = write_for_project(project_id=project.id, logline=logline)
            _done(f"Wrote version {v.number}: {v.summary}")

st.divider()
versions = list_versions(project_id=project.id)
if not versions:
    st.info("No script yet. Paste one, import a file, or let the writer draft one from your settings.")
    st.stop()

st.subheader(f"Versions ({len(versions)})")
for v in versions:
    c1, c2 = st.columns([5, 1])
    current = v.number == versions[0].number
    c1.markdown(f"**v{v.number}** · {v.source} · {v.created_at:%Y-%m-%d %H:%M} — {v.summary}")
    if current:
        c2.markdown("✅ current")
    elif c2.button("Restore", key=f"restore_{v.id}", help="Make this text the current script again (as a new version)"):
        with shown_errors("Not restored"):
            restored = restore_version(version_id=v.id)
            _done(f"Restored v{v.number} as the current script (version {restored.number}).")

if len(versions) > 1:
    from core.story.versions import diff_scripts

    with st.expander("Compare two versions"):
        numbers = [v.number for v in versions]
        by_no = {v.number: v for v in versions}
        c1, c2 = st.columns(2)
        label = lambda n: f"v{n} · {by_no[n].source}"  # noqa: E731
        a = c1.selectbox("Older", numbers, index=1, key="cmp_a", format_func=label)
        b = c2.selectbox("Newer", numbers, index=0, key="cmp_b", format_func=label)
        diff = diff_scripts(old=by_no[a].text, new=by_no[b].text)
        st.code("\n".join(diff) if diff else "(no differences)", language="diff", height=420)

with st.expander(f"Current script (v{versions[0].number})", expanded=False):
    st.code(versions[0].text, language=None)
