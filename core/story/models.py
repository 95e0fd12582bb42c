"""Pydantic models of a breakdown: scenes, shot proposals, dialogue lines and characters."""
from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

SHOT_TYPES: tuple[str, ...] = (
    "extreme wide", "wide", "full", "medium", "medium close-up", "close-up", "extreme close-up",
    "over-the-shoulder", "two-shot", "POV", "insert", "establishing",
)
MIN_SHOT_S = 1.5
MAX_SHOT_S = 12.0


class DialogueLine(BaseModel):
    """One spoken block: who, what, and the parenthetical (acting note) if any."""

    character: str
    text: str
    parenthetical: str = ""
    extensions: list[str] = Field(default_factory=list)  # "V.O.", "O.S.", "CONT'D": how the line is heard


class ShotProposal(BaseModel):
    """A proposed shot: type from :data:`SHOT_TYPES`, one-line action, dialogue, duration."""

    shot_type: str
    action: str = ""
    dialogue: list[DialogueLine] = Field(default_factory=list)
    characters: list[str] = Field(default_factory=list)
    duration_s: float = 3.0
    camera_move: str = "push_in"  # see core.story.camera.CAMERA_MOVES
    transition_in: str = "cut"    # cut | fade (from black) | dissolve (from the previous shot)
    transition_out: str = "cut"   # cut | fade (to black) | black (cut to black, held)
    titles_before: list[str] = Field(default_factory=list)  # title cards shown before the shot
    titles_after: list[str] = Field(default_factory=list)   # title cards shown after it

    @field_validator("shot_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in SHOT_TYPES:
            raise ValueError(f"shot_type must be one of {', '.join(SHOT_TYPES)}; got {value!r}")
        return value


class SceneBreakdown(BaseModel):
    """A scene: heading as written, parsed location/time/INT-EXT, a summary and its shots."""

    heading: str
    location: str = ""
    time_of_day: str = ""
    int_ext: str = ""
    summary: str = ""
    from_heading: bool = True  # False for a synthesized scene (opening, prose, no-heading script)
    shots: list[ShotProposal] = Field(default_factory=list)

    @property
    def duration_s(self) -> float:
        """Return the sum of the shot durations in seconds."""
        return round(sum(s.duration_s for s in self.shots), 2)


class CharacterInfo(BaseModel):
    """A speaking character collected for the cast."""

    name: str
    dialogue_blocks: int = 0
    first_scene: int = 0  # index into Breakdown.scenes
    description: list[str] = Field(default_factory=list)


class Breakdown(BaseModel):
    """The whole breakdown: title, scenes with shots, characters, and notes on choices made."""

    title: str = ""
    mode: str = "fountain"  # "fountain" or "prose"
    target_length_s: int = 120
    scenes: list[SceneBreakdown] = Field(default_factory=list)
    characters: list[CharacterInfo] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def total_duration_s(self) -> float:
        """Return the film length the shots add up to, in seconds."""
        return round(sum(sc.duration_s for sc in self.scenes), 2)

    @property
    def shot_count(self) -> int:
        """Return the number of proposed shots over all scenes."""
        return sum(len(sc.shots) for sc in self.scenes)

    def to_api_json(self) -> dict:
        """Return API.md's breakdown shape: ``title``, ``scenes`` (each with ``heading`` and
        ``shots``), ``characters``, plus totals and notes."""
        return {
            "title": self.title,
            "mode": self.mode,
            "target_length_s": self.target_length_s,
            "total_duration_s": self.total_duration_s,
            "scenes": [sc.model_dump() for sc in self.scenes],
            "characters": [c.model_dump() for c in self.characters],
            "notes": list(self.notes),
        }
