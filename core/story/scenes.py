"""The parser-neutral middle layer: scenes made of beats (action paragraphs and dialogue blocks).

Both the Fountain and the prose readers produce :class:`RawScene` lists; shot planning works on them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.story.fountain import Screenplay
from core.story.transitions import read_transition, title_line

TIME_WORDS = (
    "DAY", "NIGHT", "MORNING", "EVENING", "AFTERNOON", "DUSK", "DAWN", "SUNSET", "SUNRISE", "NOON",
    "MIDNIGHT", "LATER", "CONTINUOUS", "SAME", "SAME TIME", "MOMENTS LATER", "A MOMENT LATER",
    "THE NEXT DAY", "THE NEXT MORNING", "CONTINUED", "TWILIGHT", "LATE NIGHT", "EARLY MORNING",
)
_PREFIX_RE = re.compile(r"^(INT\.?/EXT|EXT\.?/INT|I\.?/E|INT|EXT|EST)\.?\s*", re.IGNORECASE)
_SPLIT_RE = re.compile(r"\s+-+\s+|--+|,\s+")


@dataclass
class Beat:
    """One action paragraph (``kind="action"``), one dialogue block (``kind="dialogue"``), or an
    edit: a written transition (``kind="transition"``) or a title card (``kind="title"``)."""

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
    # What the text says of a character under another name ("A stranger stood by the lamp, a tall
    # old man…" for the stranger later named Orrin): prose reading fills it, the cast reads it.
    descriptions: dict[str, list[str]] = field(default_factory=dict)


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
        elif el.kind == "action" and read_transition(el.text) is not None:
            cur.beats.append(Beat("transition", el.text))  # "FADE OUT." is a transition, not a shot
        elif el.kind == "action" and title_line(el.text):
            cur.beats.append(Beat("title", title_line(el.text) or ""))
        elif el.kind == "action":
            cur.beats.append(Beat("action", el.text))
        elif el.kind == "transition":
            cur.beats.append(Beat("transition", el.text))
        elif el.kind == "centered" and el.text.strip():
            cur.beats.append(Beat("title", el.text.strip()))
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
        # sections, synopses and page breaks carry no picture content.
    _open_with_title(scenes, sp.title)
    _carry_opening_edits(scenes)
    opening = scenes[0]
    if len(scenes) == 1:
        opening.heading = sp.title.upper() if sp.title else "SCENE 1"
        return scenes if opening.beats else []
    if not any(b.kind == "dialogue" or (b.kind == "action" and len(b.text.split()) >= 8) for b in opening.beats):
        edits = [b for b in opening.beats if b.kind in EDIT_KINDS]
        scenes.pop(0)  # a lone "FADE IN:" or a tag line is not worth a scene; its edits open the next
        scenes[0].beats[:0] = edits
    else:
        opening.heading = "OPENING"
    return scenes


EDIT_KINDS = ("transition", "title")


def _open_with_title(scenes: list[RawScene], title: str) -> None:
    """Put the title page's title on a card at the very start, unless the script shows it already."""
    title = " ".join((title or "").split())
    shown = {b.text.strip().lower() for sc in scenes for b in sc.beats if b.kind == "title"}
    if title and title.lower() not in shown:
        scenes[0].beats.insert(0, Beat("title", title))


def _carry_opening_edits(scenes: list[RawScene]) -> None:
    """Move "in" transitions and titles that end a scene (DISSOLVE TO: before the next heading) to
    the start of the next scene, where the shot they open is."""
    for cur, nxt in zip(scenes, scenes[1:]):
        moved = []
        while cur.beats and cur.beats[-1].kind in EDIT_KINDS:
            beat = cur.beats[-1]
            tr = read_transition(beat.text) if beat.kind == "transition" else None
            if beat.kind == "transition" and (tr is None or tr.side == "out"):
                break
            moved.insert(0, cur.beats.pop())
        nxt.beats[:0] = moved
