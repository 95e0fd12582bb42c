"""Which steps of the film a project has completed: drives the sidebar progress and empty states."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from core.db import session
from core.models import Character, MediaAsset, ScriptVersion, Shot, TimelineItem

STEPS = ("Start", "Script", "Breakdown", "World & Cast", "Storyboard", "Edit", "Preview", "Generate")


@dataclass
class StepState:
    step: str
    done: bool
    detail: str


def _count(s, model, *where) -> int:
    return s.exec(select(func.count()).select_from(model).where(*where)).one()


def project_progress(*, project_id: int) -> list[StepState]:
    """Return, for each of the eight steps, whether it is done and a one-line detail."""
    with session() as s:
        versions = _count(s, ScriptVersion, ScriptVersion.project_id == project_id)
        shots = _count(s, Shot, Shot.project_id == project_id)
        chars = _count(s, Character, Character.project_id == project_id)
        styled = _count(s, Character, Character.project_id == project_id, Character.style_card != "")
        keyframes = _count(s, Shot, Shot.project_id == project_id, Shot.keyframe_media_id.is_not(None))
        # Lines are counted from the shots' dialogue and the timeline's voice rows at draw time: a
        # voice preview or a take is not voice-over, and a line voiced twice is still one line.
        dialogue = s.exec(select(Shot.id, Shot.dialogue).where(Shot.project_id == project_id)).all()
        lines = {(sid, i, (d.get("text") or "").strip()) for sid, dl in dialogue for i, d in enumerate(dl or [])
                 if isinstance(d, dict) and (d.get("text") or "").strip()}
        rows = s.exec(select(TimelineItem).where(TimelineItem.project_id == project_id,
                                                 TimelineItem.track == "voice")).all()
        voiced = len(lines & {(r.shot_id, (r.extra or {}).get("line"), (r.text or "").strip()) for r in rows})
        music = _count(s, TimelineItem, TimelineItem.project_id == project_id, TimelineItem.track == "music")
        previews = _count(s, MediaAsset, MediaAsset.project_id == project_id, MediaAsset.type == "render",
                          MediaAsset.operation == "preview")
        films = _count(s, MediaAsset, MediaAsset.project_id == project_id, MediaAsset.type == "render",
                       MediaAsset.operation == "film")
    return [
        StepState("Start", True, "settings saved"),
        StepState("Script", versions > 0, f"{versions} version(s)"),
        StepState("Breakdown", shots > 0, f"{shots} shot(s)"),
        StepState("World & Cast", chars > 0 and styled == chars, f"{styled}/{chars} character(s) styled"),
        StepState("Storyboard", shots > 0 and keyframes == shots, f"{keyframes}/{shots} keyframe(s)"),
        StepState("Edit", (voiced == len(lines)) and (bool(lines) or music > 0),
                  f"{voiced}/{len(lines)} line(s) voiced" if lines else ("music chosen" if music else "no dialogue")),
        StepState("Preview", previews > 0, f"{previews} preview(s)"),
        StepState("Generate", films > 0, f"{films} render(s)"),
    ]
