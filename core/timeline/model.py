"""The timeline as plain data: video, voice, music, SFX and subtitle tracks.

A ``Timeline`` is an immutable pydantic model; every edit returns a new timeline, so a page can
keep the previous one for undo and the renderer can hash items to decide what to re-render.
Voice, SFX and subtitle items may carry the ``shot_id`` they belong to: when a shot moves or its
duration changes, those items move with it (ripple edit).
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import InvalidInput, NotFound
from core.media.camera import move_name
from core.timeline.edits import TitleCard, TransitionIn, TransitionOut

Track = Literal["video", "voice", "music", "sfx", "subtitle", "title"]
AspectRatio = Literal["16:9", "9:16", "1:1", "4:5"]

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp"}
# Room around a voice line inside its shot, so speech never starts on the cut.


class _Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VideoItem(_Item):
    """One shot on the video track: a clip, or a still keyframe animated by ``camera_move``."""

    track: Literal["video"] = "video"
    shot_id: str
    start_s: float = Field(ge=0)
    duration_s: float = Field(gt=0)
    source: str
    camera_move: str = "static"
    trim_in_s: float = Field(default=0.0, ge=0)
    transition_in: TransitionIn = "cut"  # see core.timeline.edits
    transition_in_s: float = Field(default=0.0, ge=0)
    transition_out: TransitionOut = "cut"
    transition_out_s: float = Field(default=0.0, ge=0)

    @field_validator("camera_move")
    @classmethod
    def _known_move(cls, value: str) -> str:
        return move_name(value)

    @property
    def item_id(self) -> str:
        return f"video:{self.shot_id}"

    @property
    def is_still(self) -> bool:
        """True when the source is an image (animated by the camera move), False for a clip."""
        return Path(self.source).suffix.lower() in IMAGE_SUFFIXES

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


class AudioItem(_Item):
    """A sound on the voice, music or sfx track; ``trim_in_s`` is the offset into the file."""

    track: Literal["voice", "music", "sfx"]
    item_id: str
    start_s: float = Field(ge=0)
    duration_s: float = Field(gt=0)
    path: str
    gain_db: float = 0.0
    fade_in_s: float = Field(default=0.0, ge=0)
    fade_out_s: float = Field(default=0.0, ge=0)
    loop: bool = False
    trim_in_s: float = Field(default=0.0, ge=0)
    shot_id: str | None = None
    speaker: str = ""  # voice lines: who speaks (the animator moves that character's mouth)

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


class SubtitleCue(_Item):
    """One subtitle: shown from ``start_s`` to ``end_s``; ``text`` may hold one line break."""

    track: Literal["subtitle"] = "subtitle"
    start_s: float = Field(ge=0)
    end_s: float
    text: str
    speaker: str = ""
    shot_id: str | None = None
    # (word, start, end) in seconds from the cue's start, when the cue came from timed speech:
    # the timing of word-by-word captions. Relative, so a cue that moves keeps its words.
    words: tuple[tuple[str, float, float], ...] = ()

    @field_validator("end_s")
    @classmethod
    def _after_start(cls, v: float, info):
        if "start_s" in info.data and v <= info.data["start_s"]:
            raise ValueError("end_s must be after start_s")
        return v

    @property
    def item_id(self) -> str:
        return f"subtitle:{self.start_s:.3f}"


Item = Annotated[Union[VideoItem, AudioItem, SubtitleCue, TitleCard], Field(discriminator="track")]


class Timeline(_Item):
    """The whole edit. ``width``/``height`` are the project canvas; ``items`` hold every track."""

    fps: int = Field(default=24, ge=1, le=120)
    width: int = Field(default=1280, ge=16)
    height: int = Field(default=720, ge=16)
    aspect_ratio: AspectRatio = "16:9"
    items: tuple[Item, ...] = ()

    # -- views ---------------------------------------------------------------------------
    @property
    def video(self) -> list[VideoItem]:
        """Video items sorted by start."""
        return sorted((i for i in self.items if isinstance(i, VideoItem)), key=lambda i: i.start_s)

    def audio(self, track: str | None = None) -> list[AudioItem]:
        """Audio items (of one track when given) sorted by start."""
        out = [i for i in self.items if isinstance(i, AudioItem) and (track is None or i.track == track)]
        return sorted(out, key=lambda i: i.start_s)

    @property
    def cues(self) -> list[SubtitleCue]:
        return sorted((i for i in self.items if isinstance(i, SubtitleCue)), key=lambda i: i.start_s)

    @property
    def titles(self) -> list[TitleCard]:
        """Title cards (and held blacks) sorted by start."""
        return sorted((i for i in self.items if isinstance(i, TitleCard)), key=lambda i: i.start_s)

    @property
    def duration_s(self) -> float:
        """End of the last video item or title card (the film's length; audio past it is cut)."""
        return max((v.end_s for v in [*self.video, *self.titles]), default=0.0)

    def item(self, item_id: str):
        """Return the item with this id; raises NotFound."""
        for it in self.items:
            if it.item_id == item_id:
                return it
        raise NotFound(f"No timeline item {item_id!r}", field="item_id")

    # -- serialisation -------------------------------------------------------------------
    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> "Timeline":
        """Parse a timeline; raises InvalidInput naming the first bad field."""
        try:
            return cls.model_validate_json(text)
        except ValueError as exc:  # pydantic.ValidationError is a ValueError
            raise InvalidInput(f"Invalid timeline JSON: {exc}", field="timeline") from exc


def canvas_size(*, aspect_ratio: str, short_side: int = 720) -> tuple[int, int]:
    """Return (width, height), both even, for an aspect ratio with the given short side."""
    ratios = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5)}
    if aspect_ratio not in ratios:
        raise InvalidInput(f"Unknown aspect ratio {aspect_ratio!r}", field="aspect_ratio")
    a, b = ratios[aspect_ratio]
    short_side = max(short_side - short_side % 2, 16)  # H.264 4:2:0 needs even sizes
    if a >= b:
        h = short_side
        w = int(round(short_side * a / b / 2)) * 2
    else:
        w = short_side
        h = int(round(short_side * b / a / 2)) * 2
    return w, h


# -- edits (each returns a new Timeline) ----------------------------------------------------
def _replace(timeline: Timeline, item_id: str, **changes) -> Timeline:
    found = False
    items = []
    for it in timeline.items:
        if it.item_id == item_id:
            found = True
            data = it.model_dump() | changes
            it = type(it).model_validate(data)
        items.append(it)
    if not found:
        raise NotFound(f"No timeline item {item_id!r}", field="item_id")
    return timeline.model_copy(update={"items": tuple(items)})


def set_duration(*, timeline: Timeline, shot_id: str, duration_s: float) -> Timeline:
    """Return a timeline where one shot lasts ``duration_s``; later shots and their sounds and
    cues shift by the difference, music is stretched to the new film length.

    Raises NotFound for an unknown shot, InvalidInput for a non-positive duration.
    """
    if duration_s <= 0:
        raise InvalidInput("duration_s must be > 0", field="duration_s")
    shot = timeline.item(f"video:{shot_id}")
    delta = round(duration_s - shot.duration_s, 6)
    later = {v.shot_id for v in timeline.video if v.start_s > shot.start_s}
    items = []
    for it in timeline.items:
        if isinstance(it, VideoItem) and it.shot_id == shot_id:
            it = it.model_copy(update={"duration_s": duration_s})
        elif getattr(it, "shot_id", None) in later or (isinstance(it, TitleCard) and it.shot_id == shot_id
                                                         and it.after):
            upd = {"start_s": round(it.start_s + delta, 6)}
            if isinstance(it, SubtitleCue):
                upd["end_s"] = round(it.end_s + delta, 6)
            it = it.model_copy(update=upd)
        items.append(it)
    tl = timeline.model_copy(update={"items": tuple(items)})
    end = tl.duration_s
    items = [it.model_copy(update={"duration_s": max(end - it.start_s, 0.01)})
             if isinstance(it, AudioItem) and it.track == "music" and it.loop else it for it in tl.items]
    return tl.model_copy(update={"items": tuple(items)})


def replace_source(*, timeline: Timeline, shot_id: str, source: str,
                   camera_move: str | None = None) -> Timeline:
    """Return a timeline where one shot uses a new clip or keyframe (and camera move)."""
    changes = {"source": source}
    if camera_move is not None:
        changes["camera_move"] = camera_move
    return _replace(timeline, f"video:{shot_id}", **changes)


def slice_timeline(*, timeline: Timeline, start_s: float, end_s: float) -> Timeline:
    """Return the part of the timeline between ``start_s`` and ``end_s``, re-based to 0.

    Items crossing a boundary are trimmed (``trim_in_s`` advances into the source); sounds cut
    mid-way get short fades so the excerpt does not click. Raises InvalidInput for an empty range.
    """
    if end_s - start_s <= 0.05:
        raise InvalidInput("end_s must be after start_s", field="end_s")
    items = []
    for it in timeline.items:
        s = it.start_s
        e = it.end_s
        if e <= start_s or s >= end_s:
            continue
        ns, ne = max(s, start_s), min(e, end_s)
        if isinstance(it, SubtitleCue):
            if ne - ns >= 0.3:
                cut = ns - s  # words keep their place in the film when the cue's start is cut
                words = tuple((w, round(a - cut, 4), round(b - cut, 4)) for w, a, b in it.words if b - cut > 0)
                items.append(it.model_copy(update={"start_s": round(ns - start_s, 4), "end_s": round(ne - start_s, 4),
                                                   "words": words}))
            continue
        upd = {"start_s": round(ns - start_s, 4), "duration_s": round(ne - ns, 4),
               "trim_in_s": round(it.trim_in_s + (ns - s), 4)}
        if isinstance(it, AudioItem):
            if ns > s:
                upd["fade_in_s"] = max(it.fade_in_s - (ns - s), 0.3)
            if ne < e:
                upd["fade_out_s"] = 0.5
        items.append(it.model_copy(update=upd))
    return timeline.model_copy(update={"items": tuple(items)})
