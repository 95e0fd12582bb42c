"""Storyboard: A keyframe per shot, then a video per shot from it."""
import streamlit as st

from core.ui.common import require_project
from core.ui.prereq import require_step

st.title("🖼️ Storyboard")
st.caption("A keyframe per shot, then a video per shot from it.")
project = require_project("Storyboard")
require_step(project=project, need="breakdown")
st.warning("This step's tools are not built yet in this version of Storyreel; the steps before it are ready.")
