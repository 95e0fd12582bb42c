"""Build a film's timeline from what its shots have: clips or keyframes, voice lines with word
timings, a music bed and sound effects (the inputs), placed in order with cues from the words."""
from __future__ import annotations

import soundfile as sf
from pydantic import BaseModel, Field, field_validator

from core.errors import InvalidInput
from core.media.camera import move_name
from core.timeline.cues import SpokenLine, cues_from_words
from core.timeline.edits import TransitionIn, TransitionOut, title_cards, transition_lengths
from core.timeline.model import AudioItem, Timeline, VideoItem, canvas_size

VOICE_LEAD_S = 0.3
VOICE_TAIL_S = 0.4
VOICE_GAP_S = 0.25


# -- inputs of build_timeline --------------------------------------------------------------
class ShotMedia(BaseModel):
    """What a shot has so far: a clip, a keyframe, or both (clip wins)."""

    shot_id: str
    duration_s: float = Field(gt=0)
    clip_path: str | None = None
    keyframe_path: str | None = None
    camera_move: str = "push_in"
    trim_in_s: float = Field(default=0.0, ge=0)  # where the shot starts in its clip (or its camera move)
    transition_in: TransitionIn = "cut"
    transition_out: TransitionOut = "cut"
    titles_before: list[str] = []
    titles_after: list[str] = []

    @field_validator("camera_move")
    @classmethod
    def _known_move(cls, value: str) -> str:
        return move_name(value)


class VoiceLine(BaseModel):
    """One TTS line for a shot; ``words`` are (word, start_s, end_s) relative to the file start."""

    shot_id: str
    path: str
    speaker: str = ""
    text: str = ""
    words: list[tuple[str, float, float]] = []
    duration_s: float | None = None
    gain_db: float = 0.0
    offset_s: float | None = None  # where the user put the line in its shot (None: after the one before)


class MusicBed(BaseModel):
    path: str
    gain_db: float = -6.0
    fade_in_s: float = 1.0
    fade_out_s: float = 2.0


class SfxCue(BaseModel):
    """An effect in a shot. A scene's ambience is one looping file laid under each of its shots:
    ``trim_in_s`` is where this shot's part starts in it, ``loop`` keeps it under the whole shot,
    and only the scene's first and last parts fade."""

    shot_id: str
    path: str
    offset_s: float = 0.0
    duration_s: float | None = None
    gain_db: float = -3.0
    trim_in_s: float = 0.0
    loop: bool = False
    fade_in_s: float = 0.0
    fade_out_s: float = 0.05


def audio_duration(*, path: str) -> float:
    """Return a sound file's duration in seconds; raises InvalidInput if it cannot be read."""
    try:
        info = sf.info(path)
    except Exception as exc:  # soundfile raises RuntimeError/LibsndfileError variants
        raise InvalidInput(f"Cannot read audio file {path}: {exc}", field="path") from exc
    return info.frames / float(info.samplerate)


def build_timeline(
    *,
    shots: list[ShotMedia],
    voice_lines: list[VoiceLine] = (),
    music: MusicBed | None = None,
    sfx: list[SfxCue] = (),
    fps: int = 24,
    aspect_ratio: str = "16:9",
    short_side: int = 720,
    subtitles: bool = True,
) -> Timeline:
    """Place shots in order and their sounds inside them.

    A shot uses its clip when present, else its keyframe with its camera move. Each voice line is
    placed inside its shot after a short lead; a shot is lengthened to fit its lines. Music runs
    under the whole film (looped); SFX start at their shot plus offset. Subtitle cues come from
    the voice lines' word timings (see ``core.timeline.cues``).

    Returns the Timeline. Raises InvalidInput when a shot has neither clip nor keyframe or a line
    names an unknown shot.
    """
    width, height = canvas_size(aspect_ratio=aspect_ratio, short_side=short_side)
    shot_ids = {s.shot_id for s in shots}
    for line in list(voice_lines) + list(sfx):
        if line.shot_id not in shot_ids:
            raise InvalidInput(f"Unknown shot {line.shot_id!r}", field="shot_id")
    lines_by_shot: dict[str, list[VoiceLine]] = {}
    for line in voice_lines:
        lines_by_shot.setdefault(line.shot_id, []).append(line)

    items: list = []
    spoken: list[SpokenLine] = []
    t = 0.0
    for shot in shots:
        source = shot.clip_path or shot.keyframe_path
        if not source:
            raise InvalidInput(f"Shot {shot.shot_id} has neither clip nor keyframe", field="shots")
        cards, t = title_cards(shot_id=shot.shot_id, texts=shot.titles_before, start_s=t, after=False)
        items.extend(cards)
        lines = lines_by_shot.get(shot.shot_id, [])
        cursor = t + VOICE_LEAD_S
        furthest = cursor  # end of the latest line (a moved line may end after the ones after it)
        for n, line in enumerate(lines):
            dur = line.duration_s or audio_duration(path=line.path)
            if line.offset_s is not None:  # moved by the user: at its place in the shot
                cursor = t + max(float(line.offset_s), 0.0)
            items.append(AudioItem(track="voice", item_id=f"voice:{shot.shot_id}:{n}", start_s=cursor,
                                   duration_s=dur, path=line.path, gain_db=line.gain_db, shot_id=shot.shot_id,
                                   speaker=line.speaker))
            if line.words:
                spoken.append(SpokenLine(speaker=line.speaker, offset_s=cursor, words=line.words,
                                         shot_id=shot.shot_id))
            furthest = max(furthest, cursor + dur)
            cursor += dur + VOICE_GAP_S
        needed = (furthest + VOICE_TAIL_S - t) if lines else 0.0
        duration = round(max(shot.duration_s, needed), 3)
        t_in, t_out = transition_lengths(transition_in=shot.transition_in, transition_out=shot.transition_out,
                                         duration_s=duration)
        items.append(VideoItem(shot_id=shot.shot_id, start_s=round(t, 3), duration_s=duration, source=source,
                               camera_move="static" if shot.clip_path else shot.camera_move,
                               trim_in_s=shot.trim_in_s,
                               transition_in=shot.transition_in if t_in else "cut", transition_in_s=t_in,
                               transition_out=shot.transition_out if t_out or shot.transition_out == "black" else "cut",
                               transition_out_s=t_out))
        for n, cue in enumerate(c for c in sfx if c.shot_id == shot.shot_id):
            start = t + min(cue.offset_s, duration - 0.05)
            dur = (t + duration - start) if cue.loop else (cue.duration_s or audio_duration(path=cue.path))
            items.append(AudioItem(track="sfx", item_id=f"sfx:{shot.shot_id}:{n}", start_s=start,
                                   duration_s=min(dur, t + duration - start), path=cue.path,
                                   gain_db=cue.gain_db, fade_in_s=cue.fade_in_s, fade_out_s=cue.fade_out_s,
                                   trim_in_s=cue.trim_in_s, loop=cue.loop, shot_id=shot.shot_id))
        t = round(t + duration, 3)
        after = ([""] if shot.transition_out == "black" else []) + list(shot.titles_after)  # "": black held
        cards, t = title_cards(shot_id=shot.shot_id, texts=after, start_s=t, after=True)
        items.extend(cards)

    if music is not None and t > 0:
        items.append(AudioItem(track="music", item_id="music", start_s=0.0, duration_s=t, path=music.path,
                               gain_db=music.gain_db, fade_in_s=music.fade_in_s, fade_out_s=music.fade_out_s,
                               loop=True))
    if subtitles and spoken:
        items.extend(cues_from_words(lines=spoken, film_end_s=t))
    return Timeline(fps=fps, width=width, height=height, aspect_ratio=aspect_ratio, items=tuple(items))
