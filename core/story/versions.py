"""Helpers for the Script page's version list: one-line summaries and unified diffs."""
from __future__ import annotations

import difflib

from core.story.breakdown import detect_mode
from core.story.fountain import parse_fountain
from core.story.importer import normalize_newlines
from core.story.prose import is_narration, parse_prose


def summarize_script(*, text: str) -> str:
    """Return a short one-line summary: title (or first heading), scene count, speaking
    characters and word count, e.g. ``"Big Fish — 190 scenes, 48 speaking characters, 31,245 words"``.

    Never raises: empty text gives ``"Empty script"``.
    """
    text = normalize_newlines(text or "")
    words = len(text.split())
    if not words:
        return "Empty script"
    if detect_mode(text) == "prose":
        title, scenes = parse_prose(text)
        speakers = {b.character.upper() for sc in scenes for b in sc.beats if b.kind == "dialogue"
                    and not is_narration(b)}
        label = title or "Untitled story"
        return (f"{label} — prose, {len(scenes)} scene{'s' * (len(scenes) != 1)}, "
                f"{len(speakers)} speaking character{'s' * (len(speakers) != 1)}, {words:,} words")
    sp = parse_fountain(text)
    headings = [e.text for e in sp.elements if e.kind == "scene_heading"]
    speakers = {e.name.upper() for e in sp.elements if e.kind == "character"}
    label = sp.title or (headings[0] if headings else "Untitled script")
    return (f"{label} — {len(headings)} scene{'s' * (len(headings) != 1)}, {len(speakers)} speaking "
            f"character{'s' * (len(speakers) != 1)}, {words:,} words")


def diff_scripts(*, old: str, new: str, old_label: str = "old", new_label: str = "new") -> list[str]:
    """Return the unified diff lines (without trailing newlines) turning ``old`` into ``new``;
    an empty list when the texts are equal after line-ending normalisation."""
    a = normalize_newlines(old or "").split("\n")
    b = normalize_newlines(new or "").split("\n")
    return list(difflib.unified_diff(a, b, fromfile=old_label, tofile=new_label, lineterm=""))
