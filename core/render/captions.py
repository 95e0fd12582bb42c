"""Word-by-word captions: burned-in subtitles whose words light up as they are spoken.

Each cue becomes one ASS ``Dialogue`` event with karaoke timing (``{\\k<centiseconds>}`` per word,
from the word timestamps of the speech): libass draws a word in the secondary colour (white) until
its time comes and in the primary colour (the highlight) from then on, so the word being spoken is
the last one lit. The renderer burns the ASS of each segment in the segment's own encoder
(ffmpeg's ``ass`` filter), with times relative to the segment. Large, bold, outlined text in the
lower part of the frame, higher on vertical frames where short-video apps put their buttons.
"""
from __future__ import annotations

from pathlib import Path

from core.timeline.model import SubtitleCue

CAPTION_STYLES = ("box", "words")  # box: the cue in a translucent box; words: karaoke word by word
HIGHLIGHT = "&H0000D7FF"  # ASS colours are &HAABBGGRR: gold (#FFD700)
FONT = "DejaVu Sans"
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)


def _stamp(t: float) -> str:
    cs = int(round(max(t, 0.0) * 100))
    h, cs = divmod(cs, 360_000)
    m, cs = divmod(cs, 6000)
    s, cs = divmod(cs, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def _escape(text: str) -> str:
    return text.replace("\\", "/").replace("{", "(").replace("}", ")").replace("\n", " ")


def karaoke_line(*, cue: SubtitleCue, start_s: float, offset_s: float) -> str:
    """Return the event text of a cue shown from ``start_s`` (segment time) whose start is at
    ``offset_s`` (segment time): ``{\\kN}`` before every word, N in centiseconds, so that each word
    lights up at its timestamp; words already spoken before ``start_s`` light up at once. A cue
    without word timings is shown whole, unlit."""
    if not cue.words:
        return "{\\1c&HFFFFFF&}" + _escape(cue.text)
    parts, lit = [], 0  # lit: centiseconds from start_s already accounted for
    for word, a, b in cue.words:
        begin = int(round(max(offset_s + a - start_s, 0.0) * 100))
        if begin > lit:  # a pause before this word: nothing lights up during it
            parts.append(f"{{\\k{begin - lit}}}")
            lit = begin
        end = max(int(round(max(offset_s + b - start_s, 0.0) * 100)), lit)
        parts.append(f"{{\\k{end - lit}}}{_escape(word)} ")
        lit = end
    return "".join(parts).rstrip()


def karaoke_ass(*, cues: list[tuple[float, float, float, SubtitleCue]], width: int, height: int) -> str:
    """Return an ASS document for one segment. ``cues`` are (shown from, shown until, cue start,
    cue), all in seconds from the segment's start: a cue crossing a cut is shown only inside the
    segment, while its words keep their times from the cue's own start."""
    size = max(12, int(round(min(width, height) * 0.075)))
    outline = max(2, size // 12)
    margin_v = int(round(height * (0.2 if height > width else 0.08)))
    margin_lr = int(round(width * 0.06))
    head = [
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {width}", f"PlayResY: {height}", "WrapStyle: 0",
        "ScaledBorderAndShadow: yes", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
        "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
        "MarginR, MarginV, Encoding",
        f"Style: Words,{FONT},{size},{HIGHLIGHT},&H00FFFFFF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,"
        f"{outline},0,2,{margin_lr},{margin_lr},{margin_v},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = []
    for start, end, origin, cue in cues:
        events.append(f"Dialogue: 0,{_stamp(start)},{_stamp(end)},Words,,0,0,0,,"
                      f"{karaoke_line(cue=cue, start_s=start, offset_s=origin)}")
    return "\n".join(head + events) + "\n"


def ass_filter(*, path: str) -> str:
    """Return the ffmpeg filter that burns the ASS file at ``path`` (fonts from the system, DejaVu
    first when installed)."""
    def esc(p: str) -> str:
        return p.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")

    dirs = [d for d in FONT_DIRS if Path(d).is_dir()]
    return f"ass=filename={esc(path)}" + (f":fontsdir={esc(dirs[0])}" if dirs else "")
