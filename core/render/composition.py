"""A segment as a MoviePy clip: frames from array operations, transitions and captions as effects.

Each segment of the render is a MoviePy v2 ``VideoClip`` whose ``frame_function`` draws frames with
the OpenCV warps of ``core.render.frames`` (a still animated by its camera move, a clip decoded and
fitted), black for a gap, or a title card's picture. Fades, dissolves, a title card's fade and the
boxed subtitles (lower thirds) are MoviePy effects (``Effect`` dataclasses applied with
``with_effects``, each a ``transform`` of the frame function) with the exact frame arithmetic of
``core.render.transitions``. The renderer reads the clip frame by frame (``get_frame(i / fps)``)
into its own encoder pipe, so the segment cache, the parallel segments and the speed stay.

Frames are I420 arrays (``core.render.yuv``: the encoder's own pixel format, ``height * 3 / 2`` rows)
throughout, so nothing is converted between the warps and x264; a clip's ``size`` is still the
picture's (width, height). Fades go towards black and dissolves blend linearly, which gives the
same picture in YUV as in RGB.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator

import cv2
import numpy as np
from moviepy import Effect, VideoClip

from core.render import yuv
from core.render.frames import clip_frames, still_frames
from core.render.transitions import last_picture, title_picture
from core.timeline.edits import TitleCard
from core.timeline.model import VideoItem


class _Sequential:
    """A MoviePy ``frame_function`` over a frame iterator (decoders and warps run forward): a time
    maps to its frame index; asking for a later frame advances the iterator, the same frame again
    returns it, an earlier one starts the iterator again."""

    def __init__(self, make: Callable[[], Iterable[np.ndarray]], *, fps: int, nframes: int):
        self.make, self.fps, self.nframes = make, fps, nframes
        self.it: Iterator[np.ndarray] | None = None
        self.index, self.frame = -1, None

    def __call__(self, t: float) -> np.ndarray:
        i = min(max(int(round(t * self.fps)), 0), self.nframes - 1)
        if self.it is None or i < self.index:
            self.it, self.index = iter(self.make()), -1
        while self.index < i:
            self.frame = next(self.it)
            self.index += 1
        return self.frame


def _index(t: float, fps: int) -> int:
    return int(round(t * fps))


def _scale(frame: np.ndarray, a: float) -> np.ndarray:
    return yuv.fade(frame, a)  # towards black, the arithmetic of core.render.transitions


def shot_frames(item: VideoItem, *, nframes: int, fps: int, out_w: int, out_h: int, fit: str) -> Iterator[np.ndarray]:
    """The shot's own frames: a still's OpenCV warps, or a clip decoded and fitted."""
    make = still_frames if item.is_still else clip_frames
    return make(item, nframes=nframes, fps=fps, out_w=out_w, out_h=out_h, fit=fit)


@dataclass
class FadeFromBlack(Effect):
    """The first ``frames`` frames rise from black (frame i at i/frames)."""

    frames: int
    fps: int

    def apply(self, clip: VideoClip) -> VideoClip:
        k, fps = self.frames, self.fps

        def fade(get_frame, t):
            i = _index(t, fps)
            return get_frame(t) if i >= k else _scale(get_frame(t), i / k)

        return clip.transform(fade) if k > 0 else clip


@dataclass
class FadeToBlack(Effect):
    """The last ``frames`` of ``nframes`` frames sink to black (the last frame is black)."""

    frames: int
    nframes: int
    fps: int

    def apply(self, clip: VideoClip) -> VideoClip:
        k, n, fps = self.frames, self.nframes, self.fps

        def fade(get_frame, t):
            i = _index(t, fps)
            return get_frame(t) if i < n - k else _scale(get_frame(t), (n - 1 - i) / k)

        return clip.transform(fade) if k > 0 else clip


@dataclass
class DissolveFrom(Effect):
    """The first ``frames`` frames blend from ``before`` (the previous shot's last picture)."""

    before: np.ndarray | None
    frames: int
    fps: int

    def apply(self, clip: VideoClip) -> VideoClip:
        k, fps, before = self.frames, self.fps, self.before

        def dissolve(get_frame, t):
            i = _index(t, fps)
            frame = get_frame(t)
            if i >= k or before is None or before.shape != frame.shape:
                return frame
            a = i / k
            return cv2.addWeighted(before, 1.0 - a, frame, a, 0.0)

        return clip.transform(dissolve) if k > 0 else clip


@dataclass
class TitleFade(Effect):
    """A title card's text fades in over ``frames`` frames and out over the last ``frames``."""

    frames: int
    nframes: int
    fps: int

    def apply(self, clip: VideoClip) -> VideoClip:
        k, n, fps = self.frames, self.nframes, self.fps

        def fade(get_frame, t):
            i = _index(t, fps)
            a = min(1.0, (i + 1) / k, (n - i) / k)
            return get_frame(t) if a >= 1.0 else _scale(get_frame(t), a)

        return clip.transform(fade) if k > 0 else clip


@dataclass
class LowerThirds(Effect):
    """Subtitles burned as boxed lower thirds: (first frame, end frame, text) per cue."""

    cues: tuple[tuple[int, int, str], ...]
    fps: int

    def apply(self, clip: VideoClip) -> VideoClip:
        cues, fps = self.cues, self.fps

        def burn(get_frame, t):
            i, frame = _index(t, fps), get_frame(t)
            for a, b, text in cues:
                if a <= i < b:
                    frame = yuv.burn_cue(frame=np.array(frame), text=text)  # copy: a still's frame may be shared
            return frame

        return clip.transform(burn) if cues else clip


@lru_cache(maxsize=16)
def _title(text: str, width: int, height: int) -> np.ndarray:
    frame = yuv.from_bgr(title_picture(text, width, height))
    frame.flags.writeable = False  # shared by the card's frames
    return frame


def _clip(make: Callable[[], Iterable[np.ndarray]], *, fps: int, nframes: int) -> VideoClip:
    return VideoClip(frame_function=_Sequential(make, fps=fps, nframes=nframes), duration=nframes / fps)


def segment_clip(*, item: VideoItem | TitleCard | None, nframes: int, fps: int, width: int, height: int,
                 fit: str, cues: tuple[tuple[int, int, str], ...] = (), prev: VideoItem | None = None) -> VideoClip:
    """Return a segment as a MoviePy clip of ``nframes`` frames at ``fps``: a shot (with its fades or
    dissolve from ``prev``), a title card, or black (``item`` None), with boxed ``cues`` burned in.

    Raises RenderError (when frames are drawn) if a source cannot be read.
    """
    if item is None:
        black = yuv.black(width, height)
        clip = VideoClip(frame_function=lambda t: black, duration=nframes / fps)
    elif isinstance(item, TitleCard):
        picture = _title(item.text, width, height)
        clip = VideoClip(frame_function=lambda t: picture, duration=nframes / fps)
        clip = clip.with_effects([TitleFade(frames=max(0, int(round(item.fade_s * fps))), nframes=nframes, fps=fps)])
    else:
        clip = _clip(lambda: shot_frames(item, nframes=nframes, fps=fps, out_w=width, out_h=height, fit=fit),
                     fps=fps, nframes=nframes)
        effects: list[Effect] = []
        k_in = int(round(item.transition_in_s * fps)) if item.transition_in in ("fade", "dissolve") else 0
        if k_in and item.transition_in == "dissolve" and prev is not None:
            n_prev = max(int(round(prev.duration_s * fps)), 1)
            before = last_picture(shot_frames(prev, nframes=n_prev, fps=fps, out_w=width, out_h=height, fit=fit))
            effects.append(DissolveFrom(before=before, frames=k_in, fps=fps))
        elif k_in:
            effects.append(FadeFromBlack(frames=k_in, fps=fps))
        if item.transition_out == "fade":
            effects.append(FadeToBlack(frames=int(round(item.transition_out_s * fps)), nframes=nframes, fps=fps))
        clip = clip.with_effects(effects) if effects else clip
    clip = clip.with_effects([LowerThirds(cues=cues, fps=fps)]) if cues else clip
    clip.size = (width, height)  # MoviePy reads it off the first frame: I420 has 3/2 as many rows
    return clip


def clip_frames_of(clip: VideoClip, *, nframes: int, fps: int) -> Iterator[np.ndarray]:
    """Yield a clip's ``nframes`` frames in order (frame i at time i / fps)."""
    for i in range(nframes):
        yield clip.get_frame(i / fps)
