"""Edit: Voice-over with timestamps, music ducked under the voice, sound effects, on a timeline."""
import streamlit as st

from core.ui.common import require_project
from core.ui.prereq import require_step

st.title("🎚️ Edit")
st.caption("Voice-over with timestamps, music ducked under the voice, sound effects, on a timeline.")
project = require_project("Edit")
require_step(project=project, need="keyframes")
st.warning("This step's tools are not built yet in this version of Storyreel; the steps before it are ready.")
