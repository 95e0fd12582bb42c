"""Plain clip segments straight from the decoder to the encoder, in one ffmpeg process.

A clip shot with no fade or dissolve needs nothing of Python's frame work: its frames are the
decoder's, resampled and fitted by ffmpeg (``core.render.frames.clip_filter``: the same filter
chain the MoviePy path reads its frames through), with its subtitle boxes laid over as pictures
(``core.render.yuv.even_cue_overlay``) and word captions burned by libass. Piping those frames out of
one ffmpeg into Python and back into another cost about 2 ms of CPU a 720p frame for nothing
(bench/render.py: 15 clip shots of 4 s, 8.6 s of CPU through Python against 5.7 s direct), so
such segments skip the composition layer; stills, title cards, gaps and clips with transitions
keep it.
"""
from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Callable

from PIL import Image

from core.errors import RenderError
from core.render.captions import ass_filter
from core.render.encode import run_encoder, video_output_args
from core.render.frames import clip_filter, clip_input
from core.render.yuv import even_cue_overlay
from core.timeline.edits import TitleCard
from core.timeline.model import VideoItem


def is_direct(*, item: VideoItem | TitleCard | None, fps: int) -> bool:
    """True when a segment is a clip whose frames only need fitting (no fade or dissolve)."""
    if item is None or isinstance(item, TitleCard) or item.is_still:
        return False
    fades_in = item.transition_in in ("fade", "dissolve") and int(round(item.transition_in_s * fps)) > 0
    fades_out = item.transition_out == "fade" and int(round(item.transition_out_s * fps)) > 0
    return not (fades_in or fades_out)


def direct_args(*, item: VideoItem, nframes: int, fps: int, width: int, height: int, fit: str,
                cues: tuple[tuple[int, int, str], ...], cue_dir: Path, ass_path: str | None,
                out_path: str, quality: str) -> list[str]:
    """Return the ffmpeg arguments (no program name) that decode, fit, caption and encode a clip
    segment of ``nframes`` frames; each boxed cue's picture is written into ``cue_dir`` first.

    A clip shorter than the shot holds its last frame (``tpad``); frame i sits at i / fps, so a cue
    (first frame, end frame) shows on exactly those frames."""
    inputs = [*clip_input(item), "-i", item.source]
    chain = [f"[0:v:0]{clip_filter(fps=fps, out_w=width, out_h=height, fit=fit)},"
             f"tpad=stop_mode=clone:stop=-1,setpts=N/({fps}*TB)[v0]"]
    label, n = "v0", 0
    for a, b, text in cues:
        even = even_cue_overlay(text, width, height)
        if even is None:
            continue
        rgba, x, y = even
        n += 1  # this picture's input index: the clip is input 0
        png = cue_dir / f"cue{n}.png"
        Image.fromarray(rgba, "RGBA").save(png, compress_level=1)
        inputs += ["-i", str(png)]
        chain.append(f"[{label}][{n}:v]overlay=x={x}:y={y}:format=yuv420:"
                     f"enable='between(t\\,{(a - 0.5) / fps:.6f}\\,{(b - 0.5) / fps:.6f})'[v{n}]")
        label = f"v{n}"
    if ass_path is not None:
        chain.append(f"[{label}]{ass_filter(path=ass_path)}[vass]")
        label = "vass"
    return [*inputs, "-filter_complex", ";".join(chain), "-map", f"[{label}]", "-frames:v", str(nframes),
            *video_output_args(out_path=out_path, fps=fps, quality=quality)]


def encode_direct(*, item: VideoItem, nframes: int, fps: int, width: int, height: int, fit: str,
                  cues: tuple[tuple[int, int, str], ...], ass_path: str | None, out_path: Path, quality: str,
                  cancel_event: threading.Event | None = None, on_frame: Callable[[], None] | None = None) -> None:
    """Encode a plain clip segment into ``out_path`` (H.264 MP4, the segments' shared settings) in
    one ffmpeg process. Raises Cancelled, or RenderError when the clip cannot be decoded or the
    encoder fails; the caller deletes ``out_path`` on error."""
    with tempfile.TemporaryDirectory(suffix=".cues", dir=out_path.parent) as cue_dir:
        args = direct_args(item=item, nframes=nframes, fps=fps, width=width, height=height, fit=fit, cues=cues,
                           cue_dir=Path(cue_dir), ass_path=ass_path, out_path=str(out_path), quality=quality)
        try:
            run_encoder(args, what=f"Encoding {Path(item.source).name}", cancel_event=cancel_event,
                        on_frame=on_frame)
        except RenderError as exc:  # ffmpeg's own words are in the log (ffmpeg_failed)
            raise RenderError(f"Cannot decode clip {Path(item.source).name}: {exc.message}",
                              field="source") from exc
