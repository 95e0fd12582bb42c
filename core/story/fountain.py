"""A Fountain 1.1 screenplay parser returning typed elements.

Follows https://fountain.io/syntax: title page, scene headings (INT/EXT/EST/INT./EXT/INT/EXT/I/E,
forced ``.``), scene numbers ``#1#``, character cues (extensions stripped, ``@`` forced, ``^`` dual),
parentheticals, dialogue, lyrics, transitions (``TO:`` and forced ``>``), centered ``>text<``,
sections ``#``, synopses ``=``, page breaks ``===``, forced action ``!``. Notes ``[[ ]]`` and boneyard
``/* */`` (nested, multi-line) are removed before parsing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field



def normalize_newlines(text: str) -> str:
    """Return ``text`` with CRLF and lone CR turned into LF and a leading BOM removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[1:] if text.startswith("\ufeff") else text


HEADING_RE = re.compile(r"^(?:INT\.?/EXT|I/E|INT|EXT|EST)[. ]", re.IGNORECASE)
SCENE_NUMBER_RE = re.compile(r"\s*#([\w.\-]+)#\s*$")
EXTENSION_RE = re.compile(r"\([^()]*\)")
TITLE_KEYS = {
    "title", "credit", "author", "authors", "source", "draft date", "date", "contact", "notes",
    "copyright", "revision", "format", "font", "watermark", "tl", "tc", "tr", "cc", "bl", "br",
}
TITLE_KEY_RE = re.compile(r"^([A-Za-z][A-Za-z ]{0,20}):(.*)$")
_EMPHASIS_RE = re.compile(r"(?<!\\)[*_]")


@dataclass
class Element:
    """One screenplay element.

    ``kind`` is one of: scene_heading, action, character, parenthetical, dialogue, lyric,
    transition, centered, section, synopsis, page_break. ``text`` is the element text with Fountain
    markers removed; for ``character`` it is the cue as written (see :attr:`name`).
    """

    kind: str
    text: str
    scene_number: str | None = None
    dual: bool = False
    forced: bool = False
    depth: int = 0  # section depth
    name: str = ""  # normalised character name (cue without extensions, ^ and @)
    extensions: list[str] = field(default_factory=list)


@dataclass
class Screenplay:
    """Parsed screenplay: title page key/values (lower-case keys) and the element list."""

    title_page: dict[str, str]
    elements: list[Element]

    @property
    def title(self) -> str:
        """Return the title from the title page ('' when there is none)."""
        return self.title_page.get("title", "")


def is_scene_heading(line: str) -> bool:
    """Return True when ``line`` starts like a scene heading (INT/EXT/EST/I/E + '.' or space)."""
    return bool(HEADING_RE.match(line.strip()))


def strip_emphasis(text: str) -> str:
    """Return ``text`` without Fountain emphasis markers (``*``, ``_``); escaped ones are kept."""
    return _EMPHASIS_RE.sub("", text).replace("\\*", "*").replace("\\_", "_")


def normalise_cue(cue: str) -> str:
    """Return the character name of a cue: every ``( … )`` removed, trailing ``^`` and leading ``@``."""
    name = cue.strip()
    if name.endswith("^"):
        name = name[:-1]
    if name.startswith("@"):
        name = name[1:]
    name = EXTENSION_RE.sub(" ", name)
    name = name.replace("(", " ").replace(")", " ")  # an unclosed '(' extension
    return " ".join(name.split())


def remove_boneyard(text: str) -> str:
    """Return ``text`` with ``/* … */`` comments removed; nested comments count depth.

    An opener that is never closed is kept as text, so a stray ``/*`` cannot hide the rest of a script.
    """
    out: list[str] = []
    i, depth, start = 0, 0, 0
    n = len(text)
    while i < n:
        two = text[i:i + 2]
        if two == "/*":
            if depth == 0:
                out.append(text[start:i])
                open_at = i
            depth += 1
            i += 2
        elif two == "*/" and depth > 0:
            depth -= 1
            i += 2
            if depth == 0:
                start = i
        else:
            i += 1
    if depth > 0:
        out.append(text[open_at:])
    else:
        out.append(text[start:])
    return "".join(out)


_NOTE_LINE_RE = re.compile(r"^[ \t]*\[\[.*?\]\][ \t]*(?:\n|$)", re.DOTALL | re.MULTILINE)
_NOTE_RE = re.compile(r"\[\[.*?\]\]", re.DOTALL)


def remove_notes(text: str) -> str:
    """Return ``text`` without ``[[notes]]``; lines that held only a note disappear entirely."""
    text = _NOTE_LINE_RE.sub("", text)
    return _NOTE_RE.sub("", text)


def _parse_title_page(lines: list[str]) -> tuple[dict[str, str], int]:
    """Return (title page values, index of the first line after it); ({}, 0) when there is none."""
    first = TITLE_KEY_RE.match(lines[0]) if lines else None
    if not first or first.group(1).strip().lower() not in TITLE_KEYS:
        return {}, 0
    values: dict[str, list[str]] = {}
    key = None
    i = 0
    while i < len(lines) and lines[i].strip():
        line = lines[i]
        m = TITLE_KEY_RE.match(line)
        if m and not line[:1].isspace():
            key = m.group(1).strip().lower()
            values[key] = [m.group(2).strip()] if m.group(2).strip() else []
        elif key is not None:
            values[key].append(line.strip())
        i += 1
    flat = {k: strip_emphasis(" ".join(v)).strip() for k, v in values.items()}
    return flat, i


def _is_blank(line: str) -> bool:
    return not line.strip()


def _blocks(lines: list[str]) -> list[list[str]]:
    """Split lines into blocks separated by blank lines.

    A line of exactly two spaces between two non-blank lines is not a separator (Fountain keeps
    dialogue and action going across it).
    """
    blocks: list[list[str]] = []
    cur: list[str] = []
    for i, line in enumerate(lines):
        if _is_blank(line):
            two_space = (line == "  " and cur and i + 1 < len(lines) and not _is_blank(lines[i + 1]))
            if two_space:
                cur.append("")
                continue
            if cur:
                blocks.append(cur)
                cur = []
        else:
            cur.append(line)
    if cur:
        blocks.append(cur)
    return blocks


def _cue_name(line: str) -> str | None:
    """Return the normalised name when ``line`` can be a character cue, else None."""
    s = line.strip()
    if not s or s[0] in "!~=#>.[" or s.startswith("/*"):
        return None
    forced = s.startswith("@")
    name = normalise_cue(s)
    if not name:
        return None
    if forced:
        return name
    if not any(ch.isalpha() for ch in name):  # "23 (O.S.)" is not a cue: a name needs a letter
        return None
    if any(ch.islower() for ch in name):
        return None
    if is_scene_heading(s) or s.endswith("TO:") or s.endswith(":"):
        return None
    return name


def _heading_element(line: str) -> Element | None:
    s = line.strip()
    forced = s.startswith(".") and not s.startswith("..")
    if not forced and not is_scene_heading(s):
        return None
    body = s[1:].strip() if forced else s
    number = None
    m = SCENE_NUMBER_RE.search(body)
    if m:
        number = m.group(1)
        body = body[:m.start()].rstrip()
    if not body:
        return None
    return Element("scene_heading", body, scene_number=number, forced=forced)


def _parse_block(block: list[str], elements: list[Element]) -> None:
    stripped = [ln.strip() for ln in block]
    first = stripped[0]
    # Sections and synopses are one line each; a block may stack several of them.
    while stripped and (stripped[0].startswith("#") or
                        (stripped[0].startswith("=") and not re.fullmatch(r"={3,}", stripped[0]))):
        line = stripped.pop(0)
        block = block[1:]
        if line.startswith("#"):
            depth = len(line) - len(line.lstrip("#"))
            elements.append(Element("section", line.lstrip("#").strip(), depth=depth))
        else:
            elements.append(Element("synopsis", line.lstrip("=").strip()))
    if not stripped:
        return
    first = stripped[0]
    if len(stripped) == 1 and re.fullmatch(r"={3,}", first):
        elements.append(Element("page_break", ""))
        return
    if len(stripped) == 1:
        heading = _heading_element(first)
        if heading is not None:
            elements.append(heading)
            return
        if first.startswith(">") and not first.endswith("<"):
            elements.append(Element("transition", first[1:].strip(), forced=True))
            return
        if first.isupper() and first.endswith("TO:") and not first.startswith("!"):
            elements.append(Element("transition", first))
            return
    if all(s.startswith(">") and s.endswith("<") for s in stripped):
        for s in stripped:
            elements.append(Element("centered", strip_emphasis(s[1:-1].strip())))
        return
    if all(s.startswith("~") for s in stripped):
        for s in stripped:
            elements.append(Element("lyric", s[1:].strip()))
        return
    name = _cue_name(first) if len(stripped) > 1 else None
    if name is not None:
        dual = first.endswith("^")
        cue = first[:-1].rstrip() if dual else first
        extensions = [e.strip("() ").upper() for e in EXTENSION_RE.findall(cue)]
        elements.append(Element("character", cue.lstrip("@"), dual=dual, forced=first.startswith("@"),
                                name=name, extensions=extensions))
        speech: list[str] = []

        def flush() -> None:
            if speech:
                elements.append(Element("dialogue", strip_emphasis("\n".join(speech)).strip()))
                speech.clear()

        for s in stripped[1:]:
            if s.startswith("(") and s.endswith(")"):
                flush()
                elements.append(Element("parenthetical", s))
            elif s.startswith("~"):
                flush()
                elements.append(Element("lyric", s[1:].strip()))
            else:
                speech.append(s)
        flush()
        return
    # Forced action keeps its text after '!'; ordinary action keeps line breaks.
    text = "\n".join(block)
    forced = first.startswith("!")
    if forced:
        text = text.lstrip()[1:]
    elements.append(Element("action", strip_emphasis(text).strip("\n"), forced=forced))


def parse_fountain(text: str) -> Screenplay:
    """Parse Fountain text and return a :class:`Screenplay` (title page + typed elements).

    Never raises on odd input: anything that is not another element is action.
    """
    text = normalize_newlines(text)
    text = remove_notes(remove_boneyard(text))
    lines = text.split("\n")
    while lines and _is_blank(lines[0]):
        lines.pop(0)
    title_page, start = _parse_title_page(lines)
    elements: list[Element] = []
    for block in _blocks(lines[start:]):
        _parse_block(block, elements)
    return Screenplay(title_page=title_page, elements=elements)
