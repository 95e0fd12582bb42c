"""Takes on the timeline: a recorded (or converted) reading of a dialogue line placed where the
line belongs, replacing that line's voice-over row, with word timings for the subtitles.

A line's voice is one ``voice`` ``TimelineItem`` (see ``core.timeline.store``). Placing a take or a
conversion of it replaces that row; the row it replaced, when it was the text→voice version, is
remembered in the new row's ``extra["tts"]`` so "use the TTS version" brings it back exactly (undo).
The placed row carries the provider's word timings when the asset has them, else timings derived
from the line's text spread over the speech in the audio (``derived_words``), so subtitles still work.
Takes themselves are never changed or deleted here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from core.errors import InvalidInput, NotFound
from core.models import Job, MediaAsset, TimelineItem
from core.breakdowns import character_id_for, get_shot
from core.media_assets import asset_path, get_asset
from core.jobs.kinds import register_result
from core.recording import get_take
from core.recording.convert import LINE_CONVERSION, enqueue_conversion, finished_conversion, link_conversion
from core.recording.takes import TAKE_OPERATION, TAKE_PROVIDER
from core.timeline.store import add_item, delete_items, list_items

SOURCE_TTS, SOURCE_TAKE, SOURCE_CONVERSION = "tts", "take", "conversion"
_FRAME_S = 0.02
_SPEECH_BELOW_PEAK_DB = 30.0  # frames this far below the loudest one count as silence


@dataclass(frozen=True)
class LineVoice:
    """What a dialogue line is heard with on the timeline."""

    shot_id: int
    line_index: int
    text: str
    character: str
    item: TimelineItem | None  # the line's voice row, None when the line is not voiced
    source: str | None  # "tts", "take", "conversion" or None
    tts: dict | None  # the remembered TTS row (media_id, text, duration_s, gain_db, extra) for undo

    @property
    def media_id(self) -> str | None:
        return self.item.media_id if self.item is not None else None


# --- the line -------------------------------------------------------------------------------------
def line_of(*, shot_id: int, line_index: int) -> tuple[str, str]:
    """Return (text, character name) of a shot's dialogue block.

    Raises NotFound for an unknown shot, InvalidInput(field="line_index") when the shot has no such
    line or the line is empty.
    """

    dialogue = get_shot(shot_id=shot_id).dialogue or []
    if line_index is None or not 0 <= int(line_index) < len(dialogue):
        raise InvalidInput(f"Shot {shot_id} has no dialogue line {line_index}.", field="line_index")
    block = dialogue[int(line_index)]
    text = (block.get("text") or "").strip()
    if not text:
        raise InvalidInput(f"Line {line_index} of shot {shot_id} is empty.", field="line_index")
    return text, block.get("character") or ""


def _rows(project_id: int, shot_id: int, line_index: int) -> list[TimelineItem]:

    return [r for r in list_items(project_id=project_id, track="voice")
            if r.shot_id == shot_id and int(r.extra.get("line", -1)) == int(line_index)]


def _source(row: TimelineItem) -> str:
    return row.extra.get("source") or SOURCE_TTS  # rows made by the voice-over carry no source


def line_voice(*, project_id: int, shot_id: int, line_index: int) -> LineVoice:
    """Return what the line is heard with (its voice row, where it came from, the TTS kept for undo).

    Raises NotFound / InvalidInput as :func:`line_of`.
    """
    text, character = line_of(shot_id=shot_id, line_index=line_index)
    rows = _rows(project_id, shot_id, line_index)
    row = rows[-1] if rows else None
    tts = None
    if row is not None:
        tts = _snapshot(row) if _source(row) == SOURCE_TTS else row.extra.get("tts")
    return LineVoice(shot_id=shot_id, line_index=int(line_index), text=text, character=character, item=row,
                     source=_source(row) if row is not None else None, tts=tts)


def _snapshot(row: TimelineItem) -> dict:
    return {"media_id": row.media_id, "text": row.text, "duration_s": row.duration_s, "gain_db": row.gain_db,
            "extra": {k: v for k, v in row.extra.items() if k != "tts"}}


# --- word timings ---------------------------------------------------------------------------------
def speech_span(*, samples: np.ndarray, sample_rate: int) -> tuple[float, float]:
    """Return (start, end) seconds of the speech in mono samples: from the first to the last 20 ms
    frame within 30 dB of the loudest one; the whole length when nothing stands out."""
    a = np.asarray(samples, dtype=np.float64)
    total = len(a) / float(sample_rate)
    hop = max(int(_FRAME_S * sample_rate), 1)
    n = len(a) // hop
    if n < 2:
        return 0.0, total
    rms = np.sqrt(np.mean(a[: n * hop].reshape(n, hop) ** 2, axis=1))
    peak = float(rms.max())
    if peak <= 1e-6:
        return 0.0, total
    loud = np.flatnonzero(rms >= peak * 10 ** (-_SPEECH_BELOW_PEAK_DB / 20))
    start, end = loud[0] * hop / sample_rate, min((loud[-1] + 1) * hop / sample_rate, total)
    return (0.0, total) if end - start < 0.1 else (start, end)


def _pause(word: str) -> float:
    # The pause a reader makes after a word, in the same units as letters.
    if word[-1:] in ",;:—-":
        return 2.0
    return 3.0 if word[-1:] in ".?!…" else 0.0


def derived_words(*, text: str, start_s: float, end_s: float) -> list[dict]:
    """Spread the line's words (script punctuation kept) over [start_s, end_s] in proportion to
    their length, with room for pauses after punctuation inside the line. Returns
    [{"word", "start_s", "end_s"}]; raises InvalidInput(field="text") for an empty text or span."""
    words = text.split()
    if not words:
        raise InvalidInput("text: there are no words to time", field="text")
    if end_s <= start_s:
        raise InvalidInput("text: the audio has no length to time the words in", field="text")
    spoken = [len(re.sub(r"\W", "", w)) + 1.0 for w in words]
    pauses = [_pause(w) for w in words[:-1]] + [0.0]
    scale = (end_s - start_s) / (sum(spoken) + sum(pauses))
    out, t = [], float(start_s)
    for word, s, p in zip(words, spoken, pauses):
        out.append({"word": word, "start_s": round(t, 3), "end_s": round(min(t + s * scale, end_s), 3)})
        t += (s + p) * scale
    return out


def words_for(*, asset: MediaAsset, text: str) -> tuple[list[dict], str]:
    """Return (word timings, "provider" or "derived") for a voice asset speaking ``text``: the
    provider's timings when the asset has them, else :func:`derived_words` over its speech span
    (over its whole length when the file cannot be decoded here). Raises NotFound when the file is
    gone, InvalidInput when it cannot be decoded and its length is unknown."""
    given = list((asset.extra or {}).get("words") or [])
    if given:
        return given, "provider"
    import soundfile as sf

    path = asset_path(media_id=asset.media_id)
    try:
        samples, sr = sf.read(str(path), dtype="float64", always_2d=True)
        start, end = speech_span(samples=samples.mean(axis=1), sample_rate=int(sr))
    except Exception as exc:  # libsndfile raises several error types for data it cannot decode
        if not asset.duration_s:
            raise InvalidInput(f"audio: {asset.label or asset.media_id} is not readable audio",
                               field="media_id") from exc
        start, end = 0.0, float(asset.duration_s)  # still timed: over the whole recording
    return derived_words(text=text, start_s=start, end_s=end), "derived"


# --- placing --------------------------------------------------------------------------------------
def _replace_row(project_id: int, shot_id: int, line_index: int, *, media_id: str, text: str, duration_s: float,
                 extra: dict, gain_db: float | None = None) -> TimelineItem:

    rows = _rows(project_id, shot_id, line_index)
    if gain_db is None:
        gain_db = rows[-1].gain_db if rows else 0.0
    delete_items(project_id=project_id, track="voice", shot_id=shot_id, line=line_index)
    return add_item(project_id=project_id, track="voice", media_id=media_id, shot_id=shot_id, gain_db=gain_db,
                    text=text, duration_s=duration_s, extra=extra)


def place_on_line(*, project_id: int, media_id: str, shot_id: int | None = None,
                  line_index: int | None = None) -> TimelineItem:
    """Put a voice asset (a take or a conversion of one) on the timeline as the voice of its
    dialogue line — the asset's own shot and line unless given — replacing the line's current voice
    row (its level is kept; a TTS row is remembered for :func:`use_tts_version`). Returns the row.

    Raises NotFound (media, shot), InvalidInput(field="media_id") when the media is no voice of this
    project or belongs to no line, InvalidInput(field="line_index") for a missing or empty line.
    """

    asset = get_asset(media_id=media_id)
    if asset.type != "voice" or asset.project_id != project_id:
        raise InvalidInput(f"media {media_id!r} is not a voice of this project", field="media_id")
    extra = asset.extra or {}
    shot_id = shot_id if shot_id is not None else asset.shot_id
    line_index = line_index if line_index is not None else extra.get("line_index")
    if shot_id is None or line_index is None:
        raise InvalidInput("This recording belongs to no dialogue line: record or upload it on the line.",
                           field="media_id")
    line_index = int(line_index)
    text, character = line_of(shot_id=shot_id, line_index=line_index)
    words, timing = words_for(asset=asset, text=text)
    current = line_voice(project_id=project_id, shot_id=shot_id, line_index=line_index)
    is_take = asset.provider == TAKE_PROVIDER and asset.operation == TAKE_OPERATION
    row_extra = {"line": line_index, "character": character, "words": words, "word_timing": timing,
                 "source": SOURCE_TAKE if is_take else SOURCE_CONVERSION,
                 "take_id": asset.media_id if is_take else (asset.parent_id or extra.get("from_take")),
                 "label": asset.label or ""}
    if current.tts is not None:
        row_extra["tts"] = current.tts
    return _replace_row(project_id, shot_id, line_index, media_id=asset.media_id, text=text,
                        duration_s=float(asset.duration_s or 0.0), extra=row_extra)


def use_tts_version(*, project_id: int, shot_id: int, line_index: int) -> TimelineItem:
    """Undo a placed take: put the line's remembered text→voice row back (as it was, with its word
    timings and the current level); returns it. Raises InvalidInput(field="line_index") when the
    line has no TTS version to go back to (voice it on the Voice-over tab)."""
    current = line_voice(project_id=project_id, shot_id=shot_id, line_index=line_index)
    if current.source == SOURCE_TTS:
        return current.item
    tts = current.tts
    if not tts:
        raise InvalidInput("This line has no text-to-voice version yet: voice it first.", field="line_index")
    gain = current.item.gain_db if current.item is not None else tts.get("gain_db", 0.0)
    return _replace_row(project_id, shot_id, int(line_index), media_id=tts["media_id"], text=tts["text"],
                        duration_s=float(tts.get("duration_s") or 0.0), extra=dict(tts["extra"]), gain_db=gain)


def remove_from_line(*, project_id: int, shot_id: int, line_index: int) -> int:
    """Take a placed take or conversion off the line (the TTS version comes back when there is one);
    returns how many rows were removed. A TTS row is left alone (nothing to remove)."""

    current = line_voice(project_id=project_id, shot_id=shot_id, line_index=line_index)
    if current.source in (None, SOURCE_TTS):
        return 0
    if current.tts:
        use_tts_version(project_id=project_id, shot_id=shot_id, line_index=line_index)
        return 1
    return delete_items(project_id=project_id, track="voice", shot_id=shot_id, line=int(line_index))


def convert_for_line(*, project_id: int, media_id: str,
                     character_id: str | None = None) -> tuple[MediaAsset, TimelineItem]:
    """Convert a line's take to the speaking character's voice and wait until it is placed on the
    timeline at that line (CLI, tests; pages use :func:`enqueue_line_conversion`).

    Returns (converted asset, its timeline row). Raises as :func:`enqueue_line_conversion`, and
    ProviderError when the conversion fails."""
    job = enqueue_line_conversion(project_id=project_id, media_id=media_id, character_id=character_id)
    result = finished_conversion(job=job)
    take = get_take(media_id=media_id)
    return result, line_voice(project_id=project_id, shot_id=take.shot_id,
                              line_index=int((take.extra or {})["line_index"])).item


def enqueue_line_conversion(*, project_id: int, media_id: str, character_id: str | None = None) -> Job:
    """Queue the conversion of a line's take to the speaking character's voice (ElevenLabs
    speech-to-speech with their voice_id when keyed, local otherwise) and return its Job at once;
    the worker that stores it links it to the take and places it on the timeline at that line
    (:func:`apply_line_conversion`). The take is kept.

    Raises NotFound, InvalidInput(field="media_id") for a take of no line, InvalidInput(field="character_id")."""
    take = get_take(media_id=media_id)
    line_index = (take.extra or {}).get("line_index")
    if take.shot_id is None or line_index is None:
        raise InvalidInput("This take belongs to no dialogue line: record or upload it on the line.",
                           field="media_id")
    _, speaker = line_of(shot_id=take.shot_id, line_index=int(line_index))
    character_id = character_id or take.character_id or (character_id_for(project_id=project_id, name=speaker) if speaker else None)
    return enqueue_conversion(project_id=project_id, media_id=media_id, character_id=character_id, place=True)


def apply_line_conversion(*, job: Job, media_ids: list[str]) -> None:
    """The result handler of a line take's conversion (run by the worker that stored it): link it
    to its take and place it on the take's line (:func:`place_on_line`, replacing the line's voice
    and keeping its level). A line gone meanwhile leaves the conversion among the take's versions."""
    if not media_ids or job.project_id is None:
        return
    result = link_conversion(job=job, media_id=media_ids[0])  # carries the take's shot and line
    line_index = (result.extra or {}).get("line_index")
    if result.shot_id is None or line_index is None:
        return
    try:
        current = line_voice(project_id=job.project_id, shot_id=result.shot_id, line_index=int(line_index))
        if current.media_id == result.media_id:
            return  # placed already (a worker that died before finishing runs this again)
        place_on_line(project_id=job.project_id, media_id=result.media_id, shot_id=result.shot_id,
                      line_index=int(line_index))
    except (NotFound, InvalidInput):  # the shot or the line went away meanwhile
        return


register_result(purpose=LINE_CONVERSION, apply=apply_line_conversion)
