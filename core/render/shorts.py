"""Auto shorts: find the most engaging stretches of a film and export them as 9:16 clips.

Moments are scored from data the timeline already holds — speech density (voice items), loudness
of the mix, shot changes, motion (clips and camera moves) and dialogue hooks (questions,
exclamations in the cues) — over windows of 15–60 s that start and end on cuts, then picked
best-first without overlap, as many as asked: a window is only taken when the rest of the film
still holds the other shorts (a film too short for that many gets as many as fit).
Each short is reframed to 9:16 around its people and whoever speaks (``core.render.reframe``).
"""
from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import InvalidInput
from core.render.engine import ProgressFn, RenderResult, render_timeline
from core.render.reframe import ShotLook, reframe_vertical
from core.timeline.model import Timeline, slice_timeline


# A short is short: past 35 s a window loses up to 0.1 of score by 60 s, so the strongest half
# minute wins over the whole act that contains it.
LONG_S, LONG_PENALTY = 35.0, 0.1


@dataclass(frozen=True)
class Moment:
    """A candidate short: where it is, how it scored (0–1) and why, in words."""

    start_s: float
    end_s: float
    score: float
    reason: str

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def _per_second(timeline: Timeline, audio: np.ndarray | None, rate: int):
    n = max(int(np.ceil(timeline.duration_s)), 1)
    speech = np.zeros(n)
    for v in timeline.audio("voice"):
        for i in range(int(v.start_s), min(int(np.ceil(v.end_s)), n)):
            speech[i] += max(0.0, min(v.end_s, i + 1) - max(v.start_s, i))
    speech = np.minimum(speech, 1.0)
    loud = np.zeros(n)
    if audio is not None and len(audio):
        mono = np.asarray(audio, dtype=np.float64)
        mono = mono.mean(axis=1) if mono.ndim == 2 else mono
        for i in range(n):
            seg = mono[i * rate:(i + 1) * rate]
            loud[i] = 10 * np.log10(np.mean(seg ** 2) + 1e-10) if len(seg) else -100.0
    return speech, loud


def find_moments(*, timeline: Timeline, audio_mix: np.ndarray | None = None, rate: int = 48_000,
                 min_s: float = 15.0, max_s: float = 60.0, count: int = 3) -> list[Moment]:
    """Return up to ``count`` non-overlapping moments, best first.

    ``audio_mix`` is the film's mix (samples × channels, at ``rate``), e.g. ``MixResult.samples``;
    without it loudness is not scored. A film shorter than ``min_s`` yields the whole film as one
    moment. Windows start and end on shot boundaries. Raises InvalidInput for bad window limits.
    """
    if not 0 < min_s <= max_s:
        raise InvalidInput("need 0 < min_s <= max_s", field="min_s")
    shots = timeline.video
    if not shots:
        return []
    speech, loud = _per_second(timeline, audio_mix, rate)
    has_audio = audio_mix is not None and len(audio_mix) > 0
    film_loud = float(np.mean(loud)) if has_audio else 0.0
    cues = timeline.cues
    bounds = [s.start_s for s in shots] + [shots[-1].end_s]
    total = bounds[-1] - bounds[0]  # the pictures' span (a closing fade to black may follow)
    cands = []
    for i, a in enumerate(bounds[:-1]):
        for b in bounds[i + 1:]:
            length = b - a
            if length > max_s + 1e-6:
                break
            if length < min(min_s, total) - 1e-6:
                continue
            lo, hi = int(a), max(int(np.ceil(b)), int(a) + 1)
            dens = float(speech[lo:hi].mean())
            loud_rel = float(loud[lo:hi].mean() - film_loud) if has_audio else 0.0
            cuts = sum(1 for x in bounds[1:-1] if a < x < b)
            inside = [c for c in cues if c.start_s >= a and c.end_s <= b + 0.05]
            hooks = [c for c in inside if "?" in c.text or "!" in c.text]
            early_hook = any(c.start_s - a < 5.0 for c in hooks)
            cut_rate = cuts / length * 10.0  # per 10 s
            # Motion without decoding: clips move, and so do keyframes with a camera move.
            moving = sum(max(0.0, min(v.end_s, b) - max(v.start_s, a)) for v in shots
                         if not v.is_still or v.camera_move != "static") / length
            score = (0.35 * dens + 0.15 * float(np.clip(0.5 + loud_rel / 6.0, 0, 1)) * has_audio
                     + 0.15 * min(cut_rate / 3.0, 1.0) + 0.1 * moving
                     + 0.15 * min(len(hooks) / 3.0, 1.0) + 0.1 * early_hook
                     - LONG_PENALTY * max(0.0, length - LONG_S) / max(max_s - LONG_S, 1.0))
            parts = [f"{dens:.0%} of it is dialogue"]
            if hooks:
                first = hooks[0].text.replace("\n", " ")
                parts.append(f"{len(hooks)} hook line{'s' if len(hooks) > 1 else ''} (e.g. “{first}”)"
                             + (", one in the first 5 s" if early_hook else ""))
            parts.append(f"{cuts} shot change{'s' if cuts != 1 else ''} ({cut_rate:.1f} per 10 s), "
                         f"picture in motion {moving:.0%} of the time")
            if has_audio:
                parts.append(f"loudness {loud_rel:+.1f} dB vs the film average")
            cands.append(Moment(start_s=round(a, 3), end_s=round(b, 3), score=round(score, 4),
                                reason="; ".join(parts)))
    return _pick(cands, count)


def _max_disjoint(cands: list[Moment], taken: list[Moment]) -> int:
    """How many more windows fit without overlapping each other or ``taken`` (earliest end first
    is optimal for interval scheduling)."""
    n, end = 0, -1.0
    for m in sorted(cands, key=lambda m: m.end_s):
        if m.start_s >= end - 1e-6 and all(m.end_s <= t.start_s + 1e-6 or m.start_s >= t.end_s - 1e-6 for t in taken):
            n, end = n + 1, m.end_s
    return n


def _pick(cands: list[Moment], count: int) -> list[Moment]:
    """Best-first without overlap, a window taken only while the rest of the film can still hold
    the other shorts — so a film with room for ``count`` shorts gets that many (a film too short
    for them gets as many as fit, never a repeat of the same minutes)."""
    cands = sorted(cands, key=lambda m: (-m.score, m.start_s))
    count = min(count, _max_disjoint(cands, []))
    picked: list[Moment] = []
    for m in cands:
        if len(picked) == count:
            break
        if not all(m.end_s <= p.start_s + 1e-6 or m.start_s >= p.end_s - 1e-6 for p in picked):
            continue
        if _max_disjoint(cands, picked + [m]) >= count - len(picked) - 1:
            picked.append(m)
    return sorted(picked, key=lambda m: (-m.score, m.start_s))


def render_short(*, timeline: Timeline, moment: Moment, out_path: str, quality: str = "final",
                 short_side: int | None = None, loudness_lufs: float = -14.0, fit: str = "crop",
                 captions: str = "box", cache_dir: str | None = None, on_progress: ProgressFn | None = None,
                 cancel_event: threading.Event | None = None,
                 looks: dict[str, ShotLook] | None = None) -> tuple[RenderResult, list[dict]]:
    """Render one moment as a vertical 9:16 MP4 with burned-in subtitles (above the bottom that
    phone apps cover), in boxes or word by word (``captions``: "box" or "words"), each shot cropped
    around its people and its speaker (``looks``: shot id → keyframe and characters; without them
    faces and sharp figures are looked for in the picture).

    Returns (RenderResult with SRT/VTT beside it, the framing: one record per piece of shot with
    its window and speaker). Raises what ``render_timeline`` and ``reframe_vertical`` raise.
    """
    part = slice_timeline(timeline=timeline, start_s=moment.start_s, end_s=moment.end_s)
    work = Path(out_path).with_name(Path(out_path).stem + "-reframe")
    try:
        part, framing = reframe_vertical(timeline=part, looks=looks or {}, work_dir=str(work))
        result = render_timeline(timeline=part, out_path=out_path, quality=quality, aspect_ratio="9:16", fit=fit,
                                 subtitles="burn", captions=captions, loudness_lufs=loudness_lufs,
                                 short_side=short_side, cache_dir=cache_dir, on_progress=on_progress,
                                 cancel_event=cancel_event)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result, framing
