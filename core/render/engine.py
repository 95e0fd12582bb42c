"""Incremental rendering of a timeline to an H.264 + AAC MP4.

Each shot becomes one video segment — a MoviePy clip (``core.render.composition``: OpenCV warps,
transitions and lower thirds as MoviePy effects) read frame by frame into libx264 in this process
(``core.render.encode``), or, for a clip with no fade or dissolve, one ffmpeg process from decoder
to encoder (``core.render.direct``) — encoded once per content hash (source bytes, duration, trim,
camera move, fps, size, fit, quality, burned-in cue text) into ``<cache>/segments/<hash>.mp4``.
The soundtrack is mixed per segment window and encoded into ``<cache>/audio/`` (see
``core.render.soundtrack``: a changed shot re-mixes its window only). The film is then a
stream copy of the segments one after the other plus the AAC track (``core.render.mux``), ``+faststart``,
written to a temp file and renamed, so a failed or cancelled render never leaves a half file.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import cv2

from core.models import ASPECT_RATIOS, FIT_MODES, LOUDNESS_TARGETS, SUBTITLE_MODES
from core.errors import Cancelled, InvalidInput, RenderError
from core.render.captions import CAPTION_STYLES, ass_filter, karaoke_ass
from core.media.files import atomic_path, atomic_write_text, sha256_file
from core.render.composition import clip_frames_of, segment_clip
from core.render.direct import encode_direct, is_direct
from core.render.encode import ENCODE, encode_frames
from core.render.mux import mux_film
from core.render.soundtrack import Window, render_soundtrack
from core.settings import get_settings
from core.timeline.cues import to_srt, to_vtt
from core.timeline.edits import TitleCard
from core.timeline.model import SubtitleCue, Timeline, VideoItem, canvas_size

# Bump when frame making or encoding changes, so stale cached segments are not reused.
ENGINE_VERSION = "seg-5"  # seg-3: frames in I420 (core.render.yuv); seg-4: plain clips direct; seg-5: FixedZoom

ProgressFn = Callable[[float, str], None]


@dataclass(frozen=True)
class RenderResult:
    """What a render produced; ``lufs``/``true_peak`` are measured on the mix that was muxed."""

    path: str
    duration_s: float
    segments_rendered: int
    segments_reused: int
    srt_path: str | None
    vtt_path: str | None
    lufs: float
    true_peak: float
    width: int
    height: int
    audio_windows_mixed: int = 0  # segment windows whose voice/SFX were mixed (not taken from the cache)


@dataclass(frozen=True)
class Segment:
    key: str
    item: VideoItem | TitleCard | None  # None: black gap
    nframes: int
    cues: tuple[tuple[int, int, str], ...]  # (first frame, end frame, text) relative to the segment
    prev: VideoItem | None = None  # the shot a dissolve comes from
    ass: str = ""  # word-by-word captions (an ASS document in segment time), burned by the encoder


class _AnyEvent:
    """Set when the user's cancel event is set or a worker failed (``is_set`` like an Event)."""

    def __init__(self, user: threading.Event | None):
        self.user, self.own = user, threading.Event()

    def set(self) -> None:
        self.own.set()

    def is_set(self) -> bool:
        return self.own.is_set() or (self.user is not None and self.user.is_set())


def file_digest(*, path: str) -> str:
    """Return the sha256 of a source file (``core.media.files.sha256_file``, memoized).

    Raises RenderError when the file is missing.
    """
    try:
        return sha256_file(path)
    except OSError as exc:
        raise RenderError(f"A source file of the timeline is missing: {Path(path).name}", field="source") from exc


def output_size(*, quality: str, aspect_ratio: str, short_side: int | None = None) -> tuple[int, int]:
    """Return (width, height) of a render: preview 240 px short side, final 720 (or ``short_side``)."""
    if quality not in ENCODE:
        raise InvalidInput(f"quality must be one of {tuple(ENCODE)}", field="quality")
    return canvas_size(aspect_ratio=aspect_ratio, short_side=short_side or ENCODE[quality][2])


def plan_segments(*, timeline: Timeline, width: int, height: int, fit: str, quality: str,
                  burn: bool, captions: str = "box") -> list[Segment]:
    """Return the film's segments in order (shots, and black fillers for gaps) with their hashes.

    A shot lasts ``round(duration × fps)`` frames, independent of its position, so moving or
    lengthening one shot leaves the other segments' hashes unchanged.
    """
    fps = timeline.fps
    cues = timeline.cues if burn else []
    base = {"v": ENGINE_VERSION, "fps": fps, "w": width, "h": height, "fit": fit, "enc": ENCODE[quality][:2]}
    segs: list[Segment] = []
    t = 0.0
    prev: VideoItem | None = None
    for item in sorted([*timeline.video, *timeline.titles], key=lambda i: i.start_s):
        gap = int(round((item.start_s - t) * fps))
        if gap > 0:
            key = hashlib.sha256(json.dumps(base | {"black": gap}, sort_keys=True).encode()).hexdigest()
            segs.append(Segment(key=key, item=None, nframes=gap, cues=()))
        n = max(int(round(item.duration_s * fps)), 1)
        seg_cues, timed = [], []
        for c in cues:
            if c.end_s > item.start_s and c.start_s < item.end_s:
                a = max(int(round((c.start_s - item.start_s) * fps)), 0)
                b = min(int(round((c.end_s - item.start_s) * fps)), n)
                if b > a:
                    seg_cues.append((a, b, c.text))
                    timed.append((a / fps, b / fps, c.start_s - item.start_s, c))
        ass = ""
        if captions == "words" and timed:  # libass draws them in the encoder instead of the box
            ass, seg_cues = karaoke_ass(cues=timed, width=width, height=height), []
        if isinstance(item, TitleCard):
            desc = base | {"title": item.text, "n": n, "fade": item.fade_s, "cues": seg_cues, "ass": ass}
            key = hashlib.sha256(json.dumps(desc, sort_keys=True).encode()).hexdigest()
            segs.append(Segment(key=key, item=item, nframes=n, cues=tuple(seg_cues), ass=ass))
            t, prev = item.end_s, None
            continue
        desc = base | {"src": file_digest(path=item.source), "still": item.is_still, "n": n,
                       "trim": round(item.trim_in_s, 4), "move": item.camera_move,
                       "dur": round(item.duration_s, 4) if item.is_still else None, "cues": seg_cues, "ass": ass}
        from_shot = prev if item.transition_in == "dissolve" and gap <= 0 else None
        if item.transition_in != "cut" or item.transition_out != "cut":
            desc |= {"tr": [item.transition_in, item.transition_in_s, item.transition_out, item.transition_out_s],
                     "from": _segment_desc(from_shot)}
        key = hashlib.sha256(json.dumps(desc, sort_keys=True).encode()).hexdigest()
        segs.append(Segment(key=key, item=item, nframes=n, cues=tuple(seg_cues), prev=from_shot, ass=ass))
        t, prev = item.end_s, item
    return segs


def _segment_desc(item: VideoItem | None) -> list | None:
    """What of a neighbouring shot a segment's picture depends on (a dissolve's source)."""
    if item is None:
        return None
    return [file_digest(path=item.source), item.camera_move, round(item.trim_in_s, 4), round(item.duration_s, 4)]


def _segment_frames(seg: Segment, *, fps: int, width: int, height: int, fit: str):
    clip = segment_clip(item=seg.item, nframes=seg.nframes, fps=fps, width=width, height=height, fit=fit,
                        cues=seg.cues, prev=seg.prev)
    return clip_frames_of(clip, nframes=seg.nframes, fps=fps)


def render_segment(*, seg: Segment, fps: int, width: int, height: int, fit: str, quality: str, seg_dir: Path,
                   cancel_event: threading.Event | None = None, on_frame: Callable[[], None] | None = None) -> Path:
    """Return the segment's cached MP4 (``seg_dir/<key>.mp4``), encoding it first when missing.

    Raises Cancelled, or RenderError when a source cannot be read or the encoder fails (nothing
    enters the cache then).
    """
    target = seg_dir / f"{seg.key}.mp4"
    if target.exists():
        os.utime(target)  # recently used, for prune_cache
        return target
    with atomic_path(target) as tmp:  # only a complete segment ever enters the cache
        ass = tmp.with_suffix(".ass") if seg.ass else None
        try:
            if ass is not None:
                ass.write_text(seg.ass, encoding="utf-8")
            if is_direct(item=seg.item, fps=fps):
                encode_direct(item=seg.item, nframes=seg.nframes, fps=fps, width=width, height=height, fit=fit,
                              cues=seg.cues, ass_path=str(ass) if ass is not None else None, out_path=tmp,
                              quality=quality, cancel_event=cancel_event, on_frame=on_frame)
            else:
                encode_frames(_segment_frames(seg, fps=fps, width=width, height=height, fit=fit), out_path=str(tmp),
                              width=width, height=height, fps=fps, quality=quality, cancel_event=cancel_event,
                              on_frame=on_frame, vf=ass_filter(path=str(ass)) if ass is not None else None)
        finally:
            if ass is not None:
                ass.unlink(missing_ok=True)
    return target


def _windows(segs: list[Segment]) -> list[Window]:
    """The audio window of each segment: where it starts on the timeline, and its length."""
    out, t = [], 0.0
    for seg in segs:
        start = seg.item.start_s if seg.item is not None else t
        out.append(Window(start_s=start, nframes=seg.nframes))
        t = seg.item.end_s if seg.item is not None else t  # a gap is followed by its shot
    return out


_opencv = {"lock": threading.Lock(), "renders": 0, "before": None}


@contextmanager
def _one_opencv_thread(wanted: bool) -> Iterator[None]:
    """OpenCV's own thread pool at one thread while segments render side by side (they keep the
    cores busy; its pool would only add hand-offs: bench/render.py, 1.40 → 1.22 s of CPU for the
    stills' warps). The setting is the process's, so it is given back as it was when the last
    render that asked for it ends, not left for the rest of the process (thumbnails, drawings)."""
    if not wanted:
        yield
        return
    with _opencv["lock"]:
        if _opencv["renders"] == 0:
            _opencv["before"] = cv2.getNumThreads()
            cv2.setNumThreads(1)
        _opencv["renders"] += 1
    try:
        yield
    finally:
        with _opencv["lock"]:
            _opencv["renders"] -= 1
            if _opencv["renders"] == 0:
                cv2.setNumThreads(_opencv["before"])


def render_timeline(*, timeline: Timeline, out_path: str, quality: str = "final", aspect_ratio: str | None = None,
                    fit: str = "letterbox", subtitles: str = "none", captions: str = "box",
                    loudness_lufs: float = -14.0,
                    short_side: int | None = None, cache_dir: str | None = None, workers: int = 2,
                    on_progress: ProgressFn | None = None,
                    cancel_event: threading.Event | None = None) -> RenderResult:
    """Render the timeline to ``out_path`` (MP4: H.264 + AAC, ``+faststart``).

    Segments and the mix are reused from the cache when their hash matches; only changed shots
    are encoded. ``subtitles``: "none"; "srt" writes ``out.srt`` and ``out.vtt`` beside the film;
    "burn" also draws the cues into the picture, as ``captions``: "box" (each cue in a box) or
    "words" (word by word, the word being spoken lit, from the cues' word timings). ``short_side`` overrides the output's short
    side (default 240 preview, 720 final; 1080 for full HD). ``on_progress(fraction, message)`` is
    called as work advances (from worker threads, in order); ``workers`` segments encode at once;
    ``cancel_event`` is checked between frames and while ffmpeg runs.

    Returns a RenderResult. Raises InvalidInput for a bad option (naming it), Cancelled when
    cancelled, RenderError when a source is unreadable or ffmpeg fails; in every failure no file
    is left at ``out_path``.
    """
    aspect_ratio = aspect_ratio or timeline.aspect_ratio
    if aspect_ratio not in ASPECT_RATIOS:
        raise InvalidInput(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}", field="aspect_ratio")
    if fit not in FIT_MODES:
        raise InvalidInput(f"fit must be one of {', '.join(FIT_MODES)}", field="fit")
    if subtitles not in SUBTITLE_MODES:
        raise InvalidInput(f"subtitles must be one of {', '.join(SUBTITLE_MODES)}", field="subtitles")
    if captions not in CAPTION_STYLES:
        raise InvalidInput(f"captions must be one of {CAPTION_STYLES}", field="captions")
    if loudness_lufs not in LOUDNESS_TARGETS:
        raise InvalidInput(f"loudness_lufs must be one of {LOUDNESS_TARGETS}", field="loudness_lufs")
    if not timeline.video:
        raise InvalidInput("The timeline has no shots", field="timeline")
    width, height = output_size(quality=quality, aspect_ratio=aspect_ratio, short_side=short_side)
    fps = timeline.fps
    cache = Path(cache_dir) if cache_dir else get_settings().cache_dir
    seg_dir, audio_dir = cache / "segments", cache / "audio"
    seg_dir.mkdir(parents=True, exist_ok=True)
    audio_dir.mkdir(parents=True, exist_ok=True)
    out = Path(out_path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"Cannot create {out.parent}: {exc.strerror}", field="out_path") from exc
    report = on_progress or (lambda f, m: None)

    def check_cancel():
        if cancel_event is not None and cancel_event.is_set():
            raise Cancelled("Render cancelled")

    segs = plan_segments(timeline=timeline, width=width, height=height, fit=fit, quality=quality,
                         burn=subtitles == "burn", captions=captions)
    todo = [s for s in segs if not (seg_dir / f"{s.key}.mp4").exists()]
    for s in segs:  # mark reused segments as recently used, for prune_cache
        if s not in todo:
            os.utime(seg_dir / f"{s.key}.mp4")
    total_frames = sum(s.nframes for s in todo) or 1
    done_frames = 0
    # Frames are ~85% of the work of a full render; audio and assembly share the rest.
    frame_share = 0.85 if todo else 0.0

    lock = threading.Lock()

    def tick():
        nonlocal done_frames
        with lock:  # reports stay in order even with two workers
            done_frames += 1
            n = done_frames
            if n % 12 == 0:
                report(frame_share * n / total_frames, f"Rendering shots ({n}/{total_frames} frames)")

    report(0.0, f"{len(todo)} of {len(segs)} segments to render")
    unique = list({s.key: s for s in todo}.values())
    stop = _AnyEvent(cancel_event)

    def render_one(seg: Segment) -> None:
        if stop.is_set():  # cancelled, or another segment failed: don't start an encoder
            raise Cancelled("Render cancelled")
        try:
            render_segment(seg=seg, fps=fps, width=width, height=height, fit=fit, quality=quality, seg_dir=seg_dir,
                           cancel_event=stop, on_frame=tick)
        except BaseException:
            stop.set()  # a failure stops the other worker too
            raise

    def render_audio():
        with lock:
            report(frame_share * done_frames / total_frames, "Mixing audio")
        try:
            # The AAC encoders get the cores the segments leave: one at a time while segments render
            # side by side (more would only crowd the same cores: bench/render.py, 4 rounds
            # alternately, 9.27 vs 9.61 s median), three when a change re-renders a segment or two.
            encoders = 1 if len(unique) > workers else 3
            return render_soundtrack(timeline=timeline, windows=_windows(segs), cache=audio_dir, digest=file_digest,
                                     loudness_lufs=loudness_lufs, encoders=encoders, cancel_event=stop)
        except BaseException:
            stop.set()
            raise

    # The mix does not depend on the picture, so it is made alongside the segments; segments go
    # two at a time: while one waits on its encoder the other makes frames, which keeps both cores
    # busy and hides per-process start-up.
    with _one_opencv_thread(workers > 1), ThreadPoolExecutor(max_workers=1) as audio_pool:
        audio_future = audio_pool.submit(render_audio)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(render_one, seg) for seg in unique]
            errors = [f.exception() for f in futures]
        audio_error = audio_future.exception()
    errors.append(audio_error)
    real = [e for e in errors if e is not None and not isinstance(e, Cancelled)]
    if real:
        raise real[0]
    if any(errors):
        raise next(e for e in errors if e is not None)
    rendered = {s.key for s in unique}
    sound = audio_future.result()
    check_cancel()
    report(frame_share + (1 - frame_share) * 0.6, "Assembling film")
    try:
        with atomic_path(out) as tmp_out:
            mux_film(segments=[seg_dir / f"{seg.key}.mp4" for seg in segs], track=sound.track, out_path=str(tmp_out),
                     cancel_event=cancel_event)
    except InvalidInput as exc:  # the output folder cannot be made
        raise RenderError(exc.message, field="out_path") from exc

    srt_path = vtt_path = None
    if subtitles in ("srt", "burn"):
        end = timeline.duration_s
        cues = [c if c.end_s <= end else c.model_copy(update={"end_s": end})
                for c in timeline.cues if c.start_s < end - 0.05]
        srt_path = str(atomic_write_text(path=out.with_suffix(".srt"), text=to_srt(cues)))
        vtt_path = str(atomic_write_text(path=out.with_suffix(".vtt"), text=to_vtt(cues)))
    report(1.0, "Done")
    return RenderResult(path=str(out), duration_s=sum(s.nframes for s in segs) / fps,
                        segments_rendered=len(rendered), segments_reused=len(segs) - len(rendered),
                        srt_path=srt_path, vtt_path=vtt_path, lufs=sound.lufs, true_peak=sound.true_peak,
                        width=width, height=height, audio_windows_mixed=sound.windows_mixed)


def prune_cache(*, cache_dir: str | None = None, max_bytes: int = 2 << 30) -> int:
    """Delete the least recently used cached segments and mixes until the cache holds at most
    ``max_bytes``; returns the number of bytes freed. Renders re-create whatever they need."""
    cache = Path(cache_dir) if cache_dir else get_settings().cache_dir
    files = [p for sub in ("segments", "audio") for p in (cache / sub).glob("*") if p.is_file()]
    # mtime, not atime: many file systems are mounted noatime; a reused file is touched below.
    files.sort(key=lambda p: p.stat().st_mtime)
    total = sum(p.stat().st_size for p in files)
    freed = 0
    for p in files:
        if total - freed <= max_bytes:
            break
        size = p.stat().st_size
        p.unlink(missing_ok=True)
        freed += size
    return freed


__all__ = ["prune_cache", "RenderResult", "render_timeline", "plan_segments", "output_size", "file_digest", "SubtitleCue"]
