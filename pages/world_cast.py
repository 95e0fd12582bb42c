"""World & Cast: Art style, a style card per character, reference images and voices."""
import streamlit as st

from core.ui.common import require_project
from core.ui.prereq import require_step

st.title("🎭 World & Cast")
st.caption("Art style, a style card per character, reference images and voices.")
project = require_project("World & Cast")
require_step(project=project, need="breakdown")
st.warning("This step's tools are not built yet in this version of Storyreel; the steps before it are ready.")
