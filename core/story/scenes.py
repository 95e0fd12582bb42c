"""The parser-neutral middle layer: scenes made of beats (action paragraphs and dialogue blocks).

Both the Fountain and the prose readers produce :class:`RawScene` lists; shot planning works on them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.story.fountain import Screenplay

TIME_WORDS = (
    "DAY", "NIGHT", "MORNING", "EVENING", "AFTERNOON", "DUSK", "DAWN", "SUNSET", "SUNRISE", "NOON",
    "MIDNIGHT", "LATER", "CONTINUOUS", "SAME", "SAME TIME", "MOMENTS LATER", "A MOMENT LATER",
    "THE NEXT DAY", "THE NEXT MORNING", "CONTINUED", "TWILIGHT", "LATE NIGHT", "EARLY MORNING",
)
_PREFIX_RE = re.compile(r"^(INT\.?/EXT|EXT\.?/INT|I\.?/E|INT|EXT|EST)\.?\s*", re.IGNORECASE)
_SPLIT_RE = re.compile(r"\s+-+\s+|--+|,\s+")


@dataclass
class Beat:
    """One action paragraph (``kind="action"``) or one dialogue block (``kind="dialogue"``)."""

    kind: str
    text: str
    character: str = ""
    parenthetical: str = ""
    extensions: list[str] = field(default_factory=list)
    dual: bool = False


@dataclass
class RawScene:
    """A scene before shot planning. ``from_heading`` is False for synthesized scenes."""

    heading: str
    beats: list[Beat] = field(default_factory=list)
    from_heading: bool = True


def parse_heading(heading: str) -> tuple[str, str, str]:
    """Return (int_ext, location, time_of_day) parsed from a scene heading.

    ``int_ext`` is "INT", "EXT", "INT/EXT" or ""; unknown parts are "".
    """
    h = " ".join(heading.split())
    m = _PREFIX_RE.match(h)
    int_ext = ""
    if m and re_heading_prefix(h):
        p = m.group(1).upper().replace(".", "")
        int_ext = {"INT": "INT", "EXT": "EXT", "EST": "EXT", "I/E": "INT/EXT"}.get(p, "INT/EXT")
        h = h[m.end():].lstrip("-. ")
    h = re.sub(r"\s*\([^)]*\)\s*$", "", h)  # "(1973)" and similar tags after the time
    parts = [p.strip() for p in _SPLIT_RE.split(h) if p.strip()]
    time = ""
    if len(parts) > 1 and _is_time(parts[-1]):
        time = parts.pop().upper()
    location = " - ".join(parts).strip(" .,")
    return int_ext, location, time


def re_heading_prefix(h: str) -> bool:
    """Return True when ``h`` starts with a real INT/EXT prefix (followed by '.', ' ' or '/')."""
    return bool(re.match(r"^(INT|EXT|EST|I/E|I\./E)[. /]", h, re.IGNORECASE))


def _is_time(part: str) -> bool:
    up = part.upper().strip(" .")
    return any(up == w or up.endswith(" " + w) or up.startswith(w + " ") for w in TIME_WORDS)


def scenes_from_screenplay(sp: Screenplay) -> list[RawScene]:
    """Return raw scenes in order: one per scene heading, plus an "OPENING" scene for any action or
    dialogue before the first heading; a script without headings gives one scene."""
    scenes: list[RawScene] = [RawScene(heading="", from_heading=False)]
    for el in sp.elements:
        cur = scenes[-1]
        if el.kind == "scene_heading":
            scenes.append(RawScene(heading=el.text))
        elif el.kind == "action":
            cur.beats.append(Beat("action", el.text))
        elif el.kind == "character":
            cur.beats.append(Beat("dialogue", "", character=el.name, extensions=el.extensions, dual=el.dual))
        elif el.kind == "parenthetical":
            if cur.beats and cur.beats[-1].kind == "dialogue":
                beat = cur.beats[-1]
                if not beat.parenthetical:  # the first acting note is the one a shot can use
                    beat.parenthetical = el.text
        elif el.kind in ("dialogue", "lyric"):
            if cur.beats and cur.beats[-1].kind == "dialogue":
                beat = cur.beats[-1]
                beat.text = (beat.text + "\n" + el.text).strip()
            else:
                cur.beats.append(Beat("action", el.text))
        # transitions, centered text, sections, synopses and page breaks carry no picture content.
    opening = scenes[0]
    if len(scenes) == 1:
        opening.heading = sp.title.upper() if sp.title else "SCENE 1"
        return scenes if opening.beats else []
    if not any(b.kind == "dialogue" or len(b.text.split()) >= 8 for b in opening.beats):
        scenes.pop(0)  # a lone "FADE IN:" or a tag line is not worth a scene
    else:
        opening.heading = "OPENING"
    return scenes
