"""Subtitle cues from word timings, SRT/VTT writing and parsing, and burn-in drawing.

Reading-speed limits follow common broadcast practice: at most 42 characters a line, 2 lines a
cue, about 17 characters a second, at least 1 s on screen, never overlapping the next cue.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel

from core.errors import InvalidInput
from core.timeline.model import SubtitleCue

MAX_LINE_CHARS = 42
MAX_LINES = 2
CHARS_PER_S = 17.0
MIN_CUE_S = 1.0
# A pause this long between words starts a new cue even if the text would still fit.
PAUSE_SPLIT_S = 0.7


class SpokenLine(BaseModel):
    """Words of one spoken line; word times are relative to ``offset_s`` (where the audio starts)."""

    speaker: str = ""
    offset_s: float = 0.0
    words: list[tuple[str, float, float]]
    shot_id: str | None = None


def wrap_text(*, text: str, max_chars: int = MAX_LINE_CHARS) -> list[str]:
    """Split text into the fewest, most balanced lines of at most ``max_chars`` (a long word is
    kept whole). Returns the lines."""
    words = text.split()
    if len(text) <= max_chars or len(words) < 2:
        return [" ".join(words)]
    best = None
    for k in range(1, len(words)):  # two-line split closest to the middle
        a, b = " ".join(words[:k]), " ".join(words[k:])
        if len(a) <= max_chars and len(b) <= max_chars:
            score = abs(len(a) - len(b))
            if best is None or score < best[0]:
                best = (score, [a, b])
    if best:
        return best[1]
    lines, cur = [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > max_chars:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return lines + [cur]


def _fits(text: str) -> bool:
    return len(wrap_text(text=text)) <= MAX_LINES and all(len(x) <= MAX_LINE_CHARS for x in wrap_text(text=text))


def cues_from_words(*, lines: list[SpokenLine], film_end_s: float | None = None) -> list[SubtitleCue]:
    """Group timed words into cues within the reading-speed limits.

    Words are packed into a cue while the text still wraps into 2 lines of 42 characters; a new
    cue starts after a sentence end once the cue holds some text, or after a pause. Each cue stays
    up for at least 1 s and long enough to read at 17 chars/s, but never past the next cue or the
    film end. Returns cues sorted by time.
    """
    groups: list[tuple[str, str | None, list[tuple[str, float, float]]]] = []
    for line in lines:
        cur: list[tuple[str, float, float]] = []
        for word, s, e in line.words:
            w = (word.strip(), line.offset_s + s, line.offset_s + e)
            if not w[0]:
                continue
            if cur:
                text = " ".join(x[0] for x in cur + [w])
                sentence_end = cur[-1][0][-1:] in ".?!" and len(" ".join(x[0] for x in cur)) >= 20
                pause = w[1] - cur[-1][2] > PAUSE_SPLIT_S
                if not _fits(text) or sentence_end or pause:
                    groups.append((line.speaker, line.shot_id, cur))
                    cur = []
            cur.append(w)
        if cur:
            groups.append((line.speaker, line.shot_id, cur))
    groups.sort(key=lambda g: g[2][0][1])

    cues: list[SubtitleCue] = []
    for n, (speaker, shot_id, words) in enumerate(groups):
        text = " ".join(w[0] for w in words)
        start = max(words[0][1], 0.0)
        if cues and start < cues[-1].end_s:
            start = cues[-1].end_s
        want = max(words[-1][2], start + max(MIN_CUE_S, len(text) / CHARS_PER_S))
        limit = groups[n + 1][2][0][1] if n + 1 < len(groups) else float("inf")
        if film_end_s is not None:
            limit = min(limit, film_end_s)
        end = min(want, limit)
        if end - start < 0.2:  # no room at all: skip rather than flash
            continue
        timed = tuple((w, round(max(ws - start, 0.0), 3), round(max(we - start, 0.0), 3)) for w, ws, we in words)
        cues.append(SubtitleCue(start_s=round(start, 3), end_s=round(end, 3), text="\n".join(wrap_text(text=text)),
                                speaker=speaker, shot_id=shot_id, words=timed))
    return cues


def _stamp(t: float, sep: str) -> str:
    ms = int(round(max(t, 0.0) * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(cues: list[SubtitleCue]) -> str:
    """Return SubRip text for the cues (numbered from 1, comma milliseconds)."""
    out = []
    for n, c in enumerate(sorted(cues, key=lambda c: c.start_s), 1):
        out.append(f"{n}\n{_stamp(c.start_s, ',')} --> {_stamp(c.end_s, ',')}\n{c.text}\n")
    return "\n".join(out)


def to_vtt(cues: list[SubtitleCue]) -> str:
    """Return WebVTT text for the cues; a speaker, when known, goes in a voice span."""
    out = ["WEBVTT", ""]
    for c in sorted(cues, key=lambda c: c.start_s):
        text = f"<v {c.speaker}>{c.text}" if c.speaker else c.text
        out += [f"{_stamp(c.start_s, '.')} --> {_stamp(c.end_s, '.')}", text, ""]
    return "\n".join(out)


_TIME = r"(\d+):(\d{2}):(\d{2})[,.](\d{3})"
_ARROW = re.compile(_TIME + r"\s*-->\s*" + _TIME)


def _secs(g: tuple[str, ...]) -> float:
    h, m, s, ms = map(int, g)
    return h * 3600 + m * 60 + s + ms / 1000


def parse_subtitles(text: str) -> list[SubtitleCue]:
    """Parse SRT or WebVTT text into cues; raises InvalidInput on a malformed timing line."""
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        idx = next((i for i, ln in enumerate(lines) if "-->" in ln), None)
        if idx is None:
            continue  # header, index-only or NOTE block
        m = _ARROW.search(lines[idx])
        if not m:
            raise InvalidInput(f"Bad subtitle timing line: {lines[idx]!r}", field="subtitles")
        body = "\n".join(lines[idx + 1:])
        speaker = ""
        vm = re.match(r"<v ([^>]+)>", body)
        if vm:
            speaker, body = vm.group(1), body[vm.end():]
        cues.append(SubtitleCue(start_s=_secs(m.groups()[:4]), end_s=_secs(m.groups()[4:]), text=body,
                                speaker=speaker))
    return cues


# -- burn-in ---------------------------------------------------------------------------------
# Phone apps cover the bottom ~20 % of a vertical video (caption, buttons): cues end above it.
VERTICAL_CUE_BOTTOM = 0.76
_FONT_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont:
    for path in _FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=256)
def cue_overlay(text: str, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """Draw a cue once for a frame size: returns (RGBA uint8 array, x, y) to composite.

    The font scales with the frame's short side and shrinks until the longest line fits 90% of
    the width, so a 42-character line stays readable on 9:16 as on 16:9. White text with a dark
    outline on a translucent box, placed in the lower part of the frame — on a vertical frame
    above the bottom ~24 % that phone apps cover.
    """
    size = max(10, int(min(width, height) * 0.055))
    lines = text.split("\n")
    font = _font(size)
    longest = max(lines, key=lambda ln: font.getlength(ln))
    if font.getlength(longest) > width * 0.9:
        # Narrow frames (9:16): re-wrap to more, shorter lines before shrinking the font, so the
        # text stays as large as on a landscape frame.
        per_line = max(int(len(longest) * width * 0.9 / font.getlength(longest)), 8)
        lines = wrap_text(text=" ".join(text.split()), max_chars=per_line)
    while True:
        font = _font(size)
        widths = [font.getbbox(ln)[2] - font.getbbox(ln)[0] for ln in lines]
        if max(widths) <= width * 0.9 or size <= 8:
            break
        size -= 1
    stroke = max(1, size // 14)
    line_h = int(size * 1.25)
    pad = max(4, size // 3)
    box_w = max(widths) + 2 * pad
    box_h = line_h * len(lines) + 2 * pad
    img = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 140))
    draw = ImageDraw.Draw(img)
    for i, (ln, w) in enumerate(zip(lines, widths)):
        draw.text(((box_w - w) // 2, pad + i * line_h), ln, font=font, fill=(255, 255, 255, 255),
                  stroke_width=stroke, stroke_fill=(0, 0, 0, 255))
    x = (width - box_w) // 2
    y = int(height * (VERTICAL_CUE_BOTTOM if height > width else 0.92)) - box_h
    return np.asarray(img), max(x, 0), max(y, 0)


@lru_cache(maxsize=256)
def _blend_parts(text: str, width: int, height: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Precompute a cue's integer alpha blend: (255 - alpha) and colour × alpha, as uint16."""
    rgba, x, y = cue_overlay(text, width, height)
    oh, ow = min(rgba.shape[0], height - y), min(rgba.shape[1], width - x)
    rgba = rgba[:max(oh, 0), :max(ow, 0)]
    alpha = rgba[..., 3:4].astype(np.uint16)
    return (255 - alpha), rgba[..., :3].astype(np.uint16) * alpha + 128, x, y


def burn_cue(*, frame: np.ndarray, text: str) -> np.ndarray:
    """Composite a cue onto an RGB/BGR uint8 frame in place and return it (colours are grey/white,
    so channel order does not matter). Integer blending of the precomputed overlay only touches
    the cue's box, so burning costs little per frame."""
    h, w = frame.shape[:2]
    inv, pre, x, y = _blend_parts(text, w, h)
    oh, ow = inv.shape[:2]
    if oh <= 0 or ow <= 0:
        return frame
    region = frame[y:y + oh, x:x + ow]
    t = region.astype(np.uint16) * inv + pre
    t += t >> 8  # with the +128 above: exact rounding of t / 255 without a division
    region[...] = (t >> 8).astype(np.uint8)
    return frame
