"""Generate: One MP4 at the project's aspect ratio, loudness-normalized, with subtitles."""
import streamlit as st

from core.ui.common import require_project
from core.ui.prereq import require_step

st.title("📦 Generate")
st.caption("One MP4 at the project's aspect ratio, loudness-normalized, with subtitles.")
project = require_project("Generate")
require_step(project=project, need="keyframes")
st.warning("This step's tools are not built yet in this version of Storyreel; the steps before it are ready.")
