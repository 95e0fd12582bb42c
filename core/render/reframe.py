"""Vertical reframing for shorts: each shot is cropped to 9:16 around the people in it, following
whoever speaks, instead of a centre crop that cuts both characters out of a wide two-shot.

Where the people are: the positions a local keyframe wrote into its PNG (``storyreel:figures`` —
"x0,y0,x1,y1;…" boxes in the characters' order), else the main figure it marked
(``storyreel:mouth``) with faces found by OpenCV's Haar cascade and the columns dense with sharp
edges (figures in front of a softer set). Figures are taken left to right in the order of the
shot's characters. A shot whose figures all fit in the
vertical window keeps them all; otherwise the window is centred on the speaking character, and a
shot where two characters speak is cut at the change of speaker (a vertical edit's usual cut).
The cropped picture is written as a new still (PNG) or clip (H.264), so the renderer just fits
an already-vertical source.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
from PIL import Image

from core.errors import RenderError
from core.timeline.model import SubtitleCue, Timeline, VideoItem

VERTICAL = 9 / 16
_CASCADE = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"


@dataclass(frozen=True)
class ShotLook:
    """What reframing needs of a shot: its keyframe (where the people are drawn) and its
    characters in drawing order."""

    keyframe: str | None = None
    characters: list[str] = field(default_factory=list)


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in source pixels


def _marks(path: str) -> tuple[list[Box], tuple[int, int]] | None:
    try:
        with Image.open(path) as im:
            info, size = dict(im.info), im.size
    except OSError:
        return None
    boxes: list[Box] = []
    raw = str(info.get("storyreel:figures", ""))
    for part in filter(None, raw.split(";")):
        try:
            x0, y0, x1, y1 = (float(v) for v in part.split(",")[-4:])
            boxes.append((x0, y0, x1, y1))
        except ValueError:
            continue
    if not boxes and info.get("storyreel:mouth"):
        try:
            x, y, w = (float(v) for v in str(info["storyreel:mouth"]).split(","))
            boxes.append((x - 1.6 * w, y - 2.6 * w, x + 1.6 * w, y + 0.8 * w))  # the head around the mouth
        except ValueError:
            pass
    return boxes, size


def _faces(img: np.ndarray) -> list[Box]:
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    h = gray.shape[0]
    found = cv2.CascadeClassifier(_CASCADE).detectMultiScale(gray, 1.1, 5, minSize=(max(16, h // 20),) * 2)
    return [(float(x), float(y), float(x + w), float(y + w)) for x, y, w, _ in found]


def _edge_columns(img: np.ndarray) -> list[Box]:
    """Column ranges dense with sharp edges: people drawn or filmed in front of a softer set.
    (The local keyframes blur their set behind the figures; photos have depth of field too.)"""
    h, w = img.shape[:2]
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(gray, 60, 160)[int(0.06 * h):int(0.86 * h)]  # not the tag or the caption band
    col = edges.sum(axis=0) / 255.0
    k = max(3, w // 40) | 1
    smooth = np.convolve(col, np.ones(k) / k, mode="same")
    on = smooth > max(smooth.mean() * 1.5, smooth.max() * 0.25)
    out, start = [], None
    for i, v in enumerate(np.append(on, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((float(start), 0.0, float(i), float(h)))
            start = None
    return out


def _columns(boxes: list[Box], w: int, h: int) -> list[Box]:
    """Union of the boxes' x-ranges, with gaps under 5 % of the width closed and slivers (< 3 %) dropped."""
    spans = sorted((b[0], b[2]) for b in boxes)
    out: list[list[float]] = []
    for a, b in spans:
        if out and a - out[-1][1] < 0.05 * w:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, 0.0, b, float(h)) for a, b in out if b - a >= 0.03 * w]


def find_figures(*, path: str) -> list[Box]:
    """Return the people's boxes (source pixels, left to right) in a keyframe or frame image:
    the keyframe's own marks when it wrote them, else faces, else drawn heads. Never raises."""
    marked = _marks(path)
    if marked and marked[0] and len(marked[0]) > 1:
        return sorted(marked[0], key=lambda b: b[0])
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        return marked[0] if marked else []
    h, w = img.shape[:2]
    heads = _faces(img) + (marked[0] if marked else [])
    if not heads:  # nobody big enough to see (a wide shot): sharp edges are the set's, keep the centre
        return []
    return _columns(heads + _edge_columns(img), w, h)


def window_x(*, src_w: int, src_h: int, figures: list[Box], speaker: int | None) -> int:
    """Return the left edge (source pixels) of the 9:16 window: all figures when they fit, else the
    speaking figure (index into ``figures``), else the biggest one, else the centre."""
    cw = min(src_w, int(round(src_h * VERTICAL)))
    if cw >= src_w:
        return 0
    if not figures:
        centre = src_w / 2
    else:
        left, right = min(b[0] for b in figures), max(b[2] for b in figures)
        if right - left <= cw * 0.94:
            centre = (left + right) / 2
        else:
            pick = figures[speaker] if speaker is not None and 0 <= speaker < len(figures) else \
                max(figures, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
            centre = (pick[0] + pick[2]) / 2
    return int(min(max(round(centre - cw / 2), 0), src_w - cw))


def _main_figure(keyframe: str, figures: list[Box], src_w: int, src_h: int) -> int | None:
    """Index of the figure holding the mouth the keyframe marked (its main character), if any."""
    marked = _marks(keyframe)
    if not marked or not marked[0] or not figures:
        return None
    (kw, kh) = marked[1]
    s = max(src_w / kw, src_h / kh)
    x = (marked[0][0][0] + marked[0][0][2]) / 2 * s - (kw * s - src_w) / 2
    hits = [i for i, b in enumerate(figures) if b[0] <= x <= b[2]]
    return hits[0] if hits else None


def _speaker_spans(item: VideoItem, cues: list[SubtitleCue]) -> list[tuple[float, float, str]]:
    """(start, end, speaker) of the cues inside a video item, in item time."""
    out = []
    for c in cues:
        a, b = max(c.start_s, item.start_s), min(c.end_s, item.end_s)
        if b - a > 0.05:
            out.append((a - item.start_s, b - item.start_s, c.speaker))
    return out


def _pieces(item: VideoItem, spans: list[tuple[float, float, str]], names: list[str]) -> list[tuple[float, float, int | None]]:
    """Split an item's time at changes of on-screen speaker: [(start, end, figure index or None)]."""
    who = [(a, b, names.index(s.upper()) if s.upper() in names else None) for a, b, s in spans]
    who = [w for w in who if w[2] is not None]
    if not who:
        return [(0.0, item.duration_s, None)]
    pieces: list[list] = []
    for a, b, idx in who:
        if pieces and pieces[-1][2] == idx:
            pieces[-1][1] = b
        else:
            if pieces:  # cut halfway through the pause between two speakers
                cut = (pieces[-1][1] + a) / 2
                pieces[-1][1], a = cut, cut
            pieces.append([a, b, idx])
    pieces[0][0] = 0.0
    pieces[-1][1] = item.duration_s
    return [(float(a), float(b), idx) for a, b, idx in pieces if b - a > 0.04]


def _crop_still(src: str, x0: int, cw: int, out: Path) -> str:
    with Image.open(src) as im:
        im.convert("RGB").crop((x0, 0, x0 + cw, im.size[1])).save(out, format="PNG", compress_level=3)
    return str(out)


def _crop_clip(src: str, x0: int, cw: int, h: int, out: Path) -> str:
    cw -= cw % 2
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-i", src, "-an", "-vf", f"crop={cw}:{h - h % 2}:{x0}:0",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RenderError(f"Cannot reframe clip {src}: {proc.stderr.strip()[-300:]}", field="source")
    return str(out)


def _source_size(item: VideoItem) -> tuple[int, int]:
    if item.is_still:
        with Image.open(item.source) as im:
            return im.size
    cap = cv2.VideoCapture(item.source)
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    finally:
        cap.release()


def reframe_vertical(*, timeline: Timeline, looks: dict[str, ShotLook], work_dir: str) -> tuple[Timeline, list[dict]]:
    """Return (timeline with every shot's picture cropped to 9:16 around its people, one record
    per piece: shot, start, window x, figures, speaker) — a shot where the speaker changes is cut
    there. Sources are written under ``work_dir``. Raises RenderError when a clip cannot be cropped."""
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    cues = timeline.cues
    items, report = [], []
    made: dict[tuple[str, int], str] = {}
    for it in timeline.items:
        if not isinstance(it, VideoItem):
            items.append(it)
            continue
        look = looks.get(it.shot_id, ShotLook())
        src_w, src_h = _source_size(it)
        cw = min(src_w, int(round(src_h * VERTICAL)))
        if not src_w or cw >= src_w:
            items.append(it)
            continue
        figures = find_figures(path=look.keyframe or it.source) if (look.keyframe or it.is_still) else []
        if look.keyframe and figures and not it.is_still:  # keyframe pixels → clip pixels
            with Image.open(look.keyframe) as im:
                kw, kh = im.size
            s = max(src_w / kw, src_h / kh)
            ox, oy = (kw * s - src_w) / 2, (kh * s - src_h) / 2
            figures = [(b[0] * s - ox, b[1] * s - oy, b[2] * s - ox, b[3] * s - oy) for b in figures]
        names = [n.upper() for n in look.characters]
        if len(names) != len(figures):
            names = names[:1] if len(figures) == 1 else []
        main = _main_figure(look.keyframe, figures, src_w, src_h) if look.keyframe else None
        for a, b, idx in _pieces(it, _speaker_spans(it, cues), names):
            # Nobody on screen speaks (narration, silence): keep the figure the keyframe put first.
            x0 = window_x(src_w=src_w, src_h=src_h, figures=figures, speaker=idx if idx is not None else main)
            key = (it.source, x0)
            if key not in made:
                out = work / f"v{len(made)}{'.png' if it.is_still else '.mp4'}"
                made[key] = _crop_still(it.source, x0, cw, out) if it.is_still else _crop_clip(it.source, x0, cw, src_h, out)
            items.append(it.model_copy(update={"source": made[key], "start_s": round(it.start_s + a, 4),
                                               "duration_s": round(b - a, 4), "trim_in_s": round(it.trim_in_s + a, 4)}))
            report.append({"shot_id": it.shot_id, "start_s": round(it.start_s + a, 3), "x0": x0, "width": cw,
                           "src_width": src_w, "figures": [tuple(round(v) for v in f) for f in figures],
                           "speaker": look.characters[idx] if idx is not None and idx < len(look.characters) else ""})
    return timeline.model_copy(update={"items": tuple(items)}), report
