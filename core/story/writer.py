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
    """Return (capitalised names, main noun) found in a logline."""
    words = re.findall(r"[\wÀ-ÿ'’-]+", logline)
    names = [w for i, w in enumerate(words) if w[:1].isupper() and w.lower() not in _STOP
             and len(w) > 1]
    nouns = [w for w in words if w.lower() not in _STOP and not w[:1].isupper() and len(w) > 3]
    topic = max(nouns, key=len) if nouns else ""
    return list(dict.fromkeys(names))[:4], topic


_CONTRACTIONS = {"es": ((" a el ", " al "), (" de el ", " del ")),
                 "fr": ((" de le ", " du "), (" à le ", " au "), (" de les ", " des "))}


def _contract(text: str, lang: str) -> str:
    """Return ``text`` with the article contractions the language requires (es "de el" → "del")."""
    for old, new in _CONTRACTIONS.get(lang, ()):
        text = text.replace(old, new)
    return text


def _scene_count(target_length_s: int) -> int:
    return max(1, min(20, round(target_length_s / SECONDS_PER_SCENE)))


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
            fresh = [x for x in bank_lines if x not in used_lines] or bank_lines
            text = rng.choice(fresh if k else fresh[:len(P.LINES[bank][role])] or fresh)
            used_lines.add(text)
            # The line must not name its own speaker: swap in another character.
            listener = next(n for n in order if n != speaker) if len(set(order)) > 1 else speaker
            text = text.format(**dict(scene_slots, B=listener, C=listener if order[2] == speaker else order[2]))
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
