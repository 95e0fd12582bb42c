"""Empty states shared by the later steps: say what a step needs first and link to where to get it."""
from __future__ import annotations

from core.breakdowns import list_shots
from core.models import Project
from core.scripts import latest_version
from core.ui.common import needs


def require_step(*, project: Project, need: str) -> None:
    """Stop the page with a clear message unless the project has what ``need`` names
    ("script", "breakdown" or "keyframes")."""
    if latest_version(project_id=project.id) is None:
        needs("This step needs a script first.", "pages/script.py", "Go to Script")
    if need in ("breakdown", "keyframes"):
        shots = list_shots(project_id=project.id)
        if not shots:
            needs("This step needs a breakdown into scenes and shots first.", "pages/breakdown.py", "Go to Breakdown")
        if need == "keyframes" and not any(s.keyframe_media_id for s in shots):
            needs("This step needs storyboard keyframes first.", "pages/storyboard.py", "Go to Storyboard")
