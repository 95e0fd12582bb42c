"""Reading script files and pasted text into clean LF-normalised text.

Accepted files: ``.txt``, ``.md``, ``.fountain`` (text) and Final Draft ``.fdx`` (XML, converted
to Fountain). Anything that is not text is refused with an :class:`InvalidInput` naming the field.
"""
from __future__ import annotations

import codecs
import xml.etree.ElementTree as ET

from core.errors import InvalidInput
from core.limits import text_problem
from core.story.fountain import is_scene_heading, normalize_newlines

ACCEPTED_EXTENSIONS = (".txt", ".md", ".fountain", ".fdx")
MAX_SCRIPT_BYTES = 1_000_000  # 1 MB: a feature screenplay is ~150 KB, so this is generous.


def _decode(data: bytes) -> str:
    """Decode bytes as UTF-16 (with BOM) or UTF-8 (with/without BOM), else cp1252; raise on binary."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"The file claims UTF-16 but does not decode: {exc.reason}.",
                               field="script_file") from exc
    if b"\x00" in data:
        # NUL bytes never occur in a text screenplay; they mark images, PDFs, archives, executables.
        raise InvalidInput("The file is not text (it contains binary data); import a .txt, .md, "
                           ".fountain or .fdx script.", field="script_file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Old Windows exports are often cp1252; fall back only if it still looks like text.
        text = data.decode("cp1252", errors="replace")
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if text and (control / len(text) > 0.01 or text.count("\ufffd") / len(text) > 0.05):
        raise InvalidInput("The file is not text (too many control or undecodable characters); "
                           "import a .txt, .md, .fountain or .fdx script.", field="script_file")
    return text


def check_script_text(*, text: str) -> str:
    """Validate a pasted or imported script and return it LF-normalised (BOM removed).

    Raises:
        InvalidInput(field="script"): the text is empty/whitespace, holds NUL bytes or lone
        surrogates, or is larger than 1 MB.
    """
    if text is None or not str(text).strip():
        raise InvalidInput("The script is empty: paste or import some text first.", field="script")
    problem = text_problem(text)
    if problem:
        raise InvalidInput(f"The script {problem}.", field="script")
    size = len(text.encode("utf-8"))
    if size > MAX_SCRIPT_BYTES:
        raise InvalidInput(
            f"The script is {size / 1_000_000:.1f} MB ({size:,} bytes); the limit is "
            f"{MAX_SCRIPT_BYTES / 1_000_000:.0f} MB ({MAX_SCRIPT_BYTES:,} bytes). Split it or trim it.",
            field="script")
    return normalize_newlines(text)


def read_script_file(*, name: str, data: bytes) -> str:
    """Return the script text of an uploaded file (Fountain text for ``.fdx``), LF-normalised.

    Raises:
        InvalidInput(field="script_file"): unknown extension, binary content, broken FDX XML.
        InvalidInput(field="script"): empty or oversized text (see :func:`check_script_text`).
    """
    lower = (name or "").lower()
    ext = next((e for e in ACCEPTED_EXTENSIONS if lower.endswith(e)), None)
    if ext is None:
        raise InvalidInput(f"Cannot import '{name}': accepted file types are "
                           f"{', '.join(ACCEPTED_EXTENSIONS)}.", field="script_file")
    if len(data) > 4 * MAX_SCRIPT_BYTES:
        raise InvalidInput(f"The file is {len(data):,} bytes; the limit is {MAX_SCRIPT_BYTES:,} bytes.",
                           field="script_file")
    text = _decode(data)
    if ext == ".fdx":
        text = fdx_to_fountain(text)
    return check_script_text(text=text)


# --- Final Draft XML ---------------------------------------------------------------------------

_FDX_PREFIX = {"Transition": "> ", "Shot": "!"}


def _paragraph_text(par: ET.Element) -> str:
    # A paragraph's text is split into <Text> runs (one per style change); join them in order.
    runs = [t.text or "" for t in par.iter("Text")]
    return "".join(runs).replace("\r\n", "\n").replace("\r", "\n").strip()


def fdx_to_fountain(xml_text: str) -> str:
    """Convert Final Draft XML to Fountain text.

    Scene headings become forced-safe headings (a ``.`` is added when the heading has no INT/EXT
    prefix), characters are upper-cased cues, parentheticals are wrapped in ``( )``, transitions are
    forced with ``>``, dual dialogue gets ``^`` on the second cue.

    Raises:
        InvalidInput(field="script_file"): not well-formed XML or no <Content> paragraphs.
    """

    try:
        root = ET.fromstring(xml_text.encode("utf-8"))
    except ET.ParseError as exc:
        raise InvalidInput(f"The .fdx file is not valid Final Draft XML: {exc}.", field="script_file") from exc
    content = root.find(".//Content")
    if content is None:
        raise InvalidInput("The .fdx file has no <Content> section (is it a Final Draft script?).",
                           field="script_file")
    out: list[str] = []

    def emit(par: ET.Element, dual_second: bool = False) -> None:
        kind = par.get("Type", "Action")
        text = _paragraph_text(par)
        if not text and kind != "Action":
            return
        if kind == "Scene Heading":
            heading = " ".join(text.split("\n"))
            out.extend(["", heading if is_scene_heading(heading) else "." + heading, ""])
        elif kind == "Character":
            out.extend(["", text.upper() + (" ^" if dual_second else "")])
        elif kind == "Parenthetical":
            out.append(text if text.startswith("(") else f"({text})")
        elif kind == "Dialogue":
            out.extend(text.split("\n"))
        elif kind == "Transition":
            out.extend(["", _FDX_PREFIX["Transition"] + text.upper(), ""])
        elif kind == "General" and not text:
            return
        else:  # Action, General, Shot, Cast List…: action paragraphs
            lines = text.split("\n")
            out.extend([""] + lines + [""])

    for par in content:
        if par.tag != "Paragraph":
            continue
        dual = par.find("DualDialogue")
        if dual is not None:
            seen_character = 0
            for inner in dual.iter("Paragraph"):
                if inner.get("Type") == "Character":
                    seen_character += 1
                emit(inner, dual_second=(inner.get("Type") == "Character" and seen_character == 2))
            continue
        emit(par)
    # Collapse runs of blank lines the per-paragraph padding created.
    text, blank = [], False
    for line in out:
        if not line.strip():
            if not blank and text:
                text.append("")
            blank = True
        else:
            text.append(line)
            blank = False
    return "\n".join(text).strip() + "\n"
