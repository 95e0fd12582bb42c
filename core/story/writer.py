"""A local, offline script writer: a real, varied Fountain screenplay close to a target length.

Scenes scale with length (about one per 30 s, 1–20 scenes); each scene has a heading, action and an
exchange of dialogue between 2–4 named characters, drawn from per-language phrase banks
(en, es, fr, de; other languages fall back to English and the summary says so). The logline's
names become characters and its main noun is woven into the dialogue.
"""
from __future__ import annotations

import random
import re

from pydantic import BaseModel

from core.errors import InvalidInput
from core.story import writer_phrases as P
from core.story.casting import name_gender

MIN_LENGTH_S, MAX_LENGTH_S = 15, 600
SECONDS_PER_SCENE = 30
LINE_SECONDS = 4.5  # ≈ 10 words at 2.5 words/s
ACTION_SECONDS = 5.0
_STOP = {"the", "a", "an", "and", "or", "of", "to", "in", "on", "at", "for", "with", "who", "must",
         "his", "her", "their", "its", "from", "into", "after", "before", "when", "while", "that",
         "this", "by", "is", "are", "be", "a", "un", "una", "el", "la", "le", "les", "des", "der",
         "die", "das", "und", "et", "y", "de", "du", "en", "ein", "eine", "about", "finds", "tries"}


class WrittenScript(BaseModel):
    """A generated script: title, logline, one-paragraph summary and the Fountain text."""

    title: str
    logline: str
    summary: str
    fountain: str


def _logline_parts(logline: str) -> tuple[list[str], str]:
    """Return (names, main noun) found in a logline.

    A capitalised word is a name when the first-name table knows it, or when it is capitalised in
    the middle of a sentence (in English, French and Spanish only nouns that are names are). A
    sentence's first word is capitalised anyway, so it counts only as a known first name or in
    "X and Y": "Two rival food-truck owners…" has no name, "Priya and Oskar chase…" has two.
    """
    names: list[str] = []
    for sentence in re.split(r"(?<=[.!?;:])\s+", logline or ""):
        words = re.findall(r"[\wÀ-ÿ'’-]+", sentence)
        for i, w in enumerate(words):
            if not w[:1].isupper() or w.lower() in _STOP or len(w) < 2 or w.isupper() and len(w) <= 3:
                continue
            known = bool(name_gender(w))
            paired = i + 2 < len(words) and words[i + 1].lower() in ("and", "y", "et", "und") and words[i + 2][:1].isupper()
            if known or (i > 0 and not _looks_german(logline)) or (i == 0 and paired and not _looks_german(logline)):
                names.append(w)
    words = re.findall(r"[\wÀ-ÿ'’-]+", logline)
    nouns = [w for w in words if w.lower() not in _STOP and not w[:1].isupper() and len(w) > 3]
    topic = max(nouns, key=len) if nouns else ""
    return list(dict.fromkeys(names))[:4], topic


def _looks_german(text: str) -> bool:
    """German capitalises every noun: there only known first names count as names."""
    return bool(re.search(r"\b(der|die|das|und|ein|eine|nicht|mit|sich)\b", text or ""))


_CONTRACTIONS = {"es": ((" a el ", " al "), (" de el ", " del ")),
                 "fr": ((" de le ", " du "), (" à le ", " au "), (" de les ", " des "))}


def _contract(text: str, lang: str) -> str:
    """Return ``text`` with the article contractions the language requires (es "de el" → "del")."""
    for old, new in _CONTRACTIONS.get(lang, ()):
        text = text.replace(old, new)
    return text


def _scene_count(target_length_s: int) -> int:
    return max(1, min(20, round(target_length_s / SECONDS_PER_SCENE)))


def _fresh_line(rng: random.Random, *, bank: str, role: str, first: bool, pool: list[str], fill: dict,
                used: set[str]) -> str | None:
    """Return a line not said before in this script (and remember it), or None when none is left.

    The bank's lines come first (the scene's role first for its opening line); when they are used
    up, a lead-in ("Listen.", "Wait.") in front of a bank line makes a new one."""
    candidates = [x.format(**fill) for x in (P.LINES[bank][role] if first else pool)]
    fresh = [x for x in dict.fromkeys(candidates) if x not in used]
    if not fresh:
        fresh = [x for x in dict.fromkeys(c.format(**fill) for c in pool) if x not in used]
    if not fresh:
        combos = [f"{lead.format(**fill)} {x.format(**fill)}" for lead in P.LEADS[bank] for x in pool]
        fresh = [x for x in dict.fromkeys(combos) if x not in used]
    if not fresh:
        return None
    text = rng.choice(fresh)
    used.add(text)
    return text


def write_script(*, genre: str, language: str, target_length_s: int, logline: str = "",
                 seed: int | None = None) -> WrittenScript:
    """Write a Fountain screenplay for ``genre`` in ``language`` lasting about ``target_length_s``.

    Returns:
        WrittenScript(title, logline, summary, fountain).
    Raises:
        InvalidInput(field="genre"): unknown genre (names the accepted ones).
        InvalidInput(field="target_length_s"): outside 15–600 s.
    """
    key = P.GENRE_ALIASES.get(genre.strip().lower(), genre.strip().lower())
    if key not in P.GENRES:
        raise InvalidInput(f"Unknown genre {genre!r}; choose one of {', '.join(P.GENRES)}.", field="genre")
    if not isinstance(target_length_s, (int, float)) or not MIN_LENGTH_S <= target_length_s <= MAX_LENGTH_S:
        raise InvalidInput(f"target_length_s must be between {MIN_LENGTH_S} and {MAX_LENGTH_S} seconds; "
                           f"got {target_length_s!r}.", field="target_length_s")
    lang = (language or "en").strip().lower()[:2]
    bank = lang if lang in P.LANGS else "en"
    li = P.LANGS.index(bank)
    rng = random.Random(seed if seed is not None else random.SystemRandom().randrange(2**32))
    g = P.GENRES[key]

    logline_names, topic_word = _logline_parts(logline)
    n_chars = 2 if target_length_s <= 30 else rng.choice((2, 3, 3, 4)) if target_length_s <= 180 else rng.choice((3, 4))
    pool = [n for n in P.NAMES[bank] if n not in logline_names]
    rng.shuffle(pool)
    names = (logline_names + pool)[:n_chars]
    if key == "documentary":
        names = [P.NARRATOR[bank].title()] + names[:n_chars - 1]
    cast = names + [names[0]] * (3 - len(names)) if len(names) < 3 else names
    obj = rng.choice(g["objects"])[li]
    topic = topic_word or obj
    slots = {"A": cast[0], "B": cast[1], "C": cast[2], "OBJ": obj, "TOPIC": topic}

    n_scenes = _scene_count(target_length_s)
    per_scene = target_length_s / n_scenes
    places = list(g["places"])
    rng.shuffle(places)
    title = rng.choice(P.TITLES[bank]).format(**slots)
    title = title[:1].upper() + title[1:]
    out_logline = logline.strip() or P.LOGLINE[bank].format(**slots)
    lines = [f"Title: {title}", "Credit: Written by", "Author: Storyreel local writer", "",
             "FADE IN:", ""]
    speakers_used: set[str] = set()
    used_lines: set[str] = set()
    for s in range(n_scenes):
        ie, place_names = places[s % len(places)]
        place = place_names[li]
        time = rng.choice(P.TIMES)
        lines += [f"{ie}. {place} - {time}", ""]
        scene_slots = dict(slots, PLACE=place.lower())
        # Rotate who leads the scene so every character gets lines.
        order = cast[s % len(names):] + cast[:s % len(names)]
        scene_slots.update(A=order[0], B=order[1], C=order[2])
        actions = rng.sample(P.ACTION[bank], 2)
        if s == 0:
            lines += [g["mood"][bank], ""]
        lines += [actions[0].format(**scene_slots), ""]
        role = "open" if s == 0 else "close" if s == n_scenes - 1 else ("turn" if s == n_scenes // 2 else "push")
        n_lines = max(1, round((per_scene - ACTION_SECONDS) / LINE_SECONDS))
        bank_lines = P.LINES[bank][role] + P.LINES[bank]["push"] + [g["line"][bank]]
        for k in range(n_lines):
            speaker = order[k % min(len(names), 2 + (k // 4) % 2)] if len(names) > 1 else order[0]
            # The line must not name its own speaker: swap in another character.
            listener = next(n for n in order if n != speaker) if len(set(order)) > 1 else speaker
            fill = dict(scene_slots, B=listener, C=listener if order[2] == speaker else order[2])
            text = _fresh_line(rng, bank=bank, role=role, first=not k, pool=bank_lines, fill=fill, used=used_lines)
            if text is None:
                break  # every line this bank can make has been said: a shorter scene, never a repeat
            cue = speaker.upper() + (" (V.O.)" if key == "documentary" and speaker == names[0] else "")
            lines.append(cue)
            if rng.random() < 0.2:
                lines.append(rng.choice(P.PARENTHETICALS[bank]))
            lines += [text, ""]
            speakers_used.add(speaker)
            if k == n_lines // 2 and n_lines >= 4:
                lines += [actions[1].format(**scene_slots), ""]
        if s < n_scenes - 1:
            lines += [rng.choice(["CUT TO:", "DISSOLVE TO:", "SMASH CUT TO:"]), ""]
    lines += ["FADE OUT.", ""]
    fountain = _contract("\n".join(lines), bank)
    note = "" if bank == lang else f" Written in English: no local phrase bank for '{lang}' yet."
    summary = (f"{key.title()} in {n_scenes} scene{'s' * (n_scenes != 1)}, about {int(target_length_s)} s: "
               f"{', '.join(names)} and {obj}.{note}")
    return WrittenScript(title=title, logline=out_logline, summary=summary, fountain=fountain)
