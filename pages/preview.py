"""Preview: Play the animatic; change one shot and only that part regenerates."""
import streamlit as st

from core.ui.common import require_project
from core.ui.prereq import require_step

st.title("▶️ Preview")
st.caption("Play the animatic; change one shot and only that part regenerates.")
project = require_project("Preview")
require_step(project=project, need="keyframes")
st.warning("This step's tools are not built yet in this version of Storyreel; the steps before it are ready.")
