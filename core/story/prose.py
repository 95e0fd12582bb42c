"""Prose mode: short stories and novels that are not screenplays.

Strips Project Gutenberg header/footer/licence and the title lines, cuts scenes at paragraphs with
place/time cues (about one scene per 450 words, 1–12 scenes), turns quoted speech into
dialogue beats attributed to a speaker (who is who: ``core.story.speakers``) and the narration into
a narrator's voice-over read over the picture it describes.
"""
from __future__ import annotations

import re

from core.story.scenes import Beat, RawScene
from core.story.speakers import (
    AFTER_CLAUSE, BEFORE_CLAUSE, JOIN_SPOKEN, NARRATOR, People, attribution_after, attribution_before, last_subject,
)

_START_RE = re.compile(r"^\s*\*{3}\s*START OF (THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_END_RE = re.compile(r"^\s*\*{3}\s*END OF (THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_BOILERPLATE_RE = re.compile(
    r"project gutenberg|gutenberg\.org|\bebook\b|this e-?text|end of the project|"
    r"produced by|transcriber'?s note|\blicen[cs]e\b|www\.", re.I)
_QUOTE_RE = re.compile(r"“([^”]*)(?:”|$)|\"([^\"]*)(?:\"|$)")
_TIME_CUE = re.compile(
    r"^(At \d|At (dawn|dusk|noon|midnight|night)|The next|Next (day|morning)|That (night|evening|"
    r"morning|afternoon)|Later|Meanwhile|Hours later|Days later|Weeks later|Years later|The following|"
    r"In the (morning|evening|afternoon)|By the time|Within |After |Oh, and the next|When \w+ (reached|"
    r"arrived|came|got|returned)|On (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))", re.I)
_PLACE_CUE = re.compile(r"\b(reached (home|the)|arrived at|stepped into|went into|entered the|"
                        r"out the door|down the stairs|to the street|came home|walked into)\b", re.I)
_PLACES = (  # (keyword, INT/EXT, heading location)
    ("street", "EXT", "STREET"), ("park", "EXT", "PARK"), ("garden", "EXT", "GARDEN"),
    ("forest", "EXT", "FOREST"), ("beach", "EXT", "BEACH"), ("road", "EXT", "ROAD"),
    ("store", "INT", "STORE"), ("shop", "INT", "SHOP"), ("kitchen", "INT", "KITCHEN"),
    ("office", "INT", "OFFICE"), ("flat", "INT", "FLAT"), ("apartment", "INT", "APARTMENT"),
    ("room", "INT", "ROOM"), ("house", "INT", "HOUSE"), ("home", "INT", "HOME"),
    ("church", "INT", "CHURCH"), ("station", "INT", "STATION"), ("train", "INT", "TRAIN"),
    ("lighthouse", "INT", "LIGHTHOUSE"), ("lamp room", "INT", "LIGHTHOUSE LAMP ROOM"), ("cliff", "EXT", "CLIFF"),
    ("harbour", "EXT", "HARBOUR"), ("harbor", "EXT", "HARBOR"), ("market", "EXT", "MARKET"),
    ("tavern", "INT", "TAVERN"), ("inn", "INT", "INN"), ("bar", "INT", "BAR"), ("café", "INT", "CAFÉ"),
    ("cafe", "INT", "CAFE"), ("school", "INT", "SCHOOL"), ("hospital", "INT", "HOSPITAL"),
)
_TIMES = (("midnight", "NIGHT"), ("night", "NIGHT"), ("dusk", "DUSK"), ("evening", "EVENING"), ("morning", "MORNING"), ("o’clock", "EVENING"),
          ("o'clock", "EVENING"), ("dawn", "DAWN"), ("afternoon", "AFTERNOON"))
WORDS_PER_SCENE = 450
MAX_PROSE_SCENES = 12


def strip_boilerplate(text: str) -> tuple[str, str]:
    """Return (title, story text) with Gutenberg header, footer, licence and title lines removed."""
    title = ""
    m = re.search(r"^Title:\s*(.+)$", text, re.M)
    if m and _START_RE.search(text):
        title = m.group(1).strip()
    start = _START_RE.search(text)
    if start:
        text = text[start.end():]
    end = _END_RE.search(text)
    if end:
        text = text[:end.start()]
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p and not _BOILERPLATE_RE.search(p)]
    # Title lines: short capitalised paragraphs before the first real sentence ("by O. Henry").
    while paragraphs and len(paragraphs[0].split()) <= 10 and not re.search(r"[.!?\"”]$", paragraphs[0]) \
            or paragraphs and re.match(r"^by\s", paragraphs[0], re.I) and len(paragraphs[0].split()) <= 8:
        head = paragraphs.pop(0)
        if not title and not head.lower().startswith("by "):
            title = head
    return title, "\n\n".join(paragraphs)


NARRATION_CHUNK_WORDS = 45


def _paragraph_speech(paragraph: str) -> list[tuple[str, str | None, bool, str]]:
    """Return [(quote text, speaker mention or None, is speech, narration before it)] for each quote
    in order; the narration has attribution clauses ("said Jim") taken out. A trailing narration
    piece after the last quote comes as ("", None, False, piece)."""
    quotes = list(_QUOTE_RE.finditer(paragraph))
    out = []
    cut_next = 0  # characters of an attribution clause at the start of the next narration piece
    for i, q in enumerate(quotes):
        body = (q.group(1) if q.group(1) is not None else q.group(2) or "").strip()
        before = paragraph[quotes[i - 1].end() if i else 0:q.start()]
        after = paragraph[q.end():quotes[i + 1].start() if i + 1 < len(quotes) else len(paragraph)]
        who_after = attribution_after(after)
        who_before = attribution_before(before)
        who = who_after or who_before
        starts = q.start() == 0 or not paragraph[:q.start()].strip()
        # Once a paragraph speaks, its later quotes continue the speech ("…,” said Della. “…”).
        # A quote right after a whole sentence is speech too ("Pia set down her bag. “The ferry…”");
        # a quoted word inside a sentence ("she wrote “Jim” on it") is not.
        after_sentence = bool(re.search(r"[.!?…][\"”’)]?\s*$", before))
        speech = bool(body) and (starts or after_sentence or who is not None or any(o[2] for o in out))
        narration = before[cut_next:]
        if who_before and not who_after:
            narration = re.sub(r"\S*\s*" + BEFORE_CLAUSE.pattern, "", narration) if BEFORE_CLAUSE.search(narration) else narration
        m = AFTER_CLAUSE.match(after) if who_after else None
        cut_next = m.end() if m else 0
        out.append((body, who, speech, narration.strip()))
    rest = paragraph[quotes[-1].end():][cut_next:] if quotes else paragraph
    if rest.strip():
        out.append(("", None, False, rest.strip()))
    return out


def _join_speech(bodies: list[str]) -> str:
    """Join the quoted pieces of one utterance; a comma that only led into "said X" becomes a period."""
    text = ""
    for body in bodies:
        if text.endswith(",") and body[:1].isupper():
            text = text[:-1] + "."
        text = f"{text} {body}".strip()
    return text[:-1] + "." if text.endswith(",") else text


def _chunks(text: str, limit: int = NARRATION_CHUNK_WORDS) -> list[str]:
    """Whole sentences grouped into pieces of at most ``limit`` words (one long sentence alone)."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?…])\s+", " ".join(text.split())):
        if out and len(out[-1].split()) + len(sentence.split()) <= limit:
            out[-1] = f"{out[-1]} {sentence}"
        elif sentence:
            out.append(sentence)
    return out


def _narrate(scene: RawScene, text: str) -> None:
    """Narration: what the picture shows (an action beat) and what the narrator reads over it."""
    for piece in _chunks(text):
        if len(re.findall(r"\w+", piece)) < 2:
            continue
        scene.beats.append(Beat("action", piece))
        scene.beats.append(Beat("dialogue", piece, character=NARRATOR, extensions=["V.O."]))


def _scene_boundaries(paragraphs: list[str]) -> list[int]:
    words = sum(len(p.split()) for p in paragraphs)
    wanted = max(1, min(MAX_PROSE_SCENES, round(words / WORDS_PER_SCENE)))
    scored = []
    for i, p in enumerate(paragraphs[1:], start=1):
        score = (2 if _TIME_CUE.search(p) else 0) + (1 if _PLACE_CUE.search(p) else 0)
        if score:
            scored.append((-score, i))
    chosen: list[int] = []
    min_gap = max(2, len(paragraphs) // (wanted * 3) if wanted else 2)
    for _, i in sorted(scored):
        if len(chosen) >= wanted - 1:
            break
        if all(abs(i - j) >= min_gap for j in chosen):
            chosen.append(i)
    if not chosen and wanted > 1:  # no cues at all: cut evenly by paragraph count
        step = len(paragraphs) / wanted
        chosen = [round(step * k) for k in range(1, wanted)]
    return [0] + sorted(set(chosen))


def _prose_heading(paragraphs: list[str], number: int) -> str:
    text = " ".join(paragraphs[:3]).lower()
    place = next(((ie, loc) for kw, ie, loc in _PLACES if re.search(r"\b" + kw + r"s?\b", text)), None)
    time = next((t for kw, t in _TIMES if kw in text), "DAY")
    if place is None:
        return f"SCENE {number} - {time}"
    return f"{place[0]}. {place[1]} - {time}"


def parse_prose(text: str) -> tuple[str, list[RawScene]]:
    """Return (title, scenes) for a prose story.

    Scenes carry the narration — as action (the picture) followed by a NARRATOR voice-over beat
    (``extensions=["V.O."]``: heard, not seen) — and the quoted speech as dialogue beats. A quote's
    speaker comes from a said-verb after or before it ("the stranger asked", "Pia demanded",
    "she said"), else from the sentence just before it naming someone ("Master Orrin's voice, very
    quiet. “…”"), else from turn-taking. Pronouns go to the last named character of that gender;
    aliases ("the stranger") are joined to the name they turn out to have ("I am Master Orrin",
    "Her name was Wren"), and earlier lines are renamed.
    """
    title, story = strip_boilerplate(text)
    paragraphs = [p for p in story.split("\n\n") if p.strip()]
    if not paragraphs:
        return title, []
    people = People(story)
    bounds = _scene_boundaries(paragraphs)
    scenes: list[RawScene] = []
    previous_narration = ""
    for s, start in enumerate(bounds):
        stop = bounds[s + 1] if s + 1 < len(bounds) else len(paragraphs)
        chunk = paragraphs[start:stop]
        scene = RawScene(heading=_prose_heading(chunk, s + 1), from_heading=False)
        for paragraph in chunk:
            parts = _paragraph_speech(paragraph)
            if not any(is_speech for _, _, is_speech, _ in parts):
                _narrate(scene, paragraph)
                people.observe(paragraph)
                previous_narration = paragraph
                continue
            first_speech = next(i for i, p in enumerate(parts) if p[2])
            lead = " ".join(n for _, _, _, n in parts[:first_speech + 1] if n)
            if lead:
                people.observe(lead)
            named = next((who for _, who, is_speech, _ in parts if is_speech and who), None)
            speaker = people.resolve(people.canonical(named)) if named else None
            if speaker is None:
                guess = last_subject(lead, people) if lead else None
                if guess is None and previous_narration:
                    guess = last_subject(previous_narration, people)
                speaker = guess or people.other_than(people.history[-1] if people.history else None)
                quoted = " ".join(b for b, _, sp, _ in parts if sp)
                if speaker and re.search(r"[,!?]?\s" + re.escape(speaker) + r"\b[?!.,]", " " + quoted):
                    speaker = people.other_than(speaker)  # a vocative names the listener
            speaker = speaker or NARRATOR
            # One paragraph of one speaker is one dialogue block, however often "said X" breaks it;
            # narration between its quotes is read by the narrator in its place.
            current: tuple[str, list[str]] | None = None
            pending = ""
            for n, (body, who, is_speech, narration) in enumerate(parts):
                pending = f"{pending} {narration}".strip()
                if not is_speech:
                    if body:  # a quoted word inside narration stays in it
                        pending = f"{pending} “{body}”".strip()
                    continue
                if pending:
                    if current:
                        _flush(scene, people, current)
                        current = None
                    _narrate(scene, pending)
                    if n > first_speech:
                        people.observe(pending)
                    pending = ""
                name = people.resolve(people.canonical(who)) if who else None
                name = name or (current[0] if current else speaker)
                if current and current[0] == name:
                    current[1].append(body)
                else:
                    if current:
                        _flush(scene, people, current)
                    current = (name, [body])
            if current:
                _flush(scene, people, current)
            if pending:
                _narrate(scene, pending)
                people.observe(pending)
            previous_narration = ""
        scenes.append(scene)
    _rename_aliases(scenes, people)
    return title, scenes


def _flush(scene: RawScene, people: People, block: tuple[str, list[str]]) -> None:
    name, bodies = block
    text = _join_speech(bodies)
    scene.beats.append(Beat("dialogue", text, character=name))
    people.history.append(name)
    people.subjects.append(name)
    for m in JOIN_SPOKEN.finditer(text):  # "I am Master Orrin": the alias speaking has a name
        if people.is_alias(name):
            people.join(name, m.group(1))


def _rename_aliases(scenes: list[RawScene], people: People) -> None:
    """Lines given to an alias before it was named go to the name ("Stranger" → "Orrin")."""
    for scene in scenes:
        for beat in scene.beats:
            if beat.kind == "dialogue" and beat.character.lower() in people.aliases:
                beat.character = people.aliases[beat.character.lower()]
    if scenes:
        for key, name in people.aliases.items():
            if people.alias_text.get(key):
                scenes[0].descriptions.setdefault(name, []).extend(people.alias_text[key])


def is_narration(beat: Beat) -> bool:
    """True for a narrator's voice-over beat (read over the picture, never drawn)."""
    return beat.kind == "dialogue" and beat.character.upper() == NARRATOR and "V.O." in beat.extensions
