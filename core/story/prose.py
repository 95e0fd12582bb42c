"""Prose mode: short stories and novels that are not screenplays.

Strips Project Gutenberg header/footer/licence and the title lines, cuts scenes at paragraphs with
place/time cues (about one scene per 450 words, 1–12 scenes), and turns quoted speech into
dialogue beats attributed to a speaker (``said Jim``, ``Jim said``, ``asked Della``; ``she said``
resolves to the last named speaker of that gender).
"""
from __future__ import annotations

import re

from core.story.scenes import Beat, RawScene

_START_RE = re.compile(r"^\s*\*{3}\s*START OF (THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_END_RE = re.compile(r"^\s*\*{3}\s*END OF (THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_BOILERPLATE_RE = re.compile(
    r"project gutenberg|gutenberg\.org|\bebook\b|this e-?text|end of the project|"
    r"produced by|transcriber'?s note|\blicen[cs]e\b|www\.", re.I)
SPEECH_VERBS = (
    "said", "says", "say", "asked", "asks", "ask", "cried", "cries", "whispered", "whispers",
    "replied", "replies", "answered", "shouted", "shouts", "called", "exclaimed", "muttered",
    "murmured", "added", "continued", "went on", "began", "yelled", "screamed", "sighed", "laughed",
    "repeated", "demanded", "insisted", "told", "declared", "snapped", "pleaded", "begged", "groaned",
    "whimpered", "sobbed", "stammered", "answers", "explained", "suggested",
)
_VERB = r"(?:" + "|".join(sorted((re.escape(v) for v in SPEECH_VERBS), key=len, reverse=True)) + r")"
_NAME = r"(?:Mr\.|Mrs\.|Ms\.|Miss|Dr\.|Madame|Mme\.)?\s?[A-Z][a-z]+(?:\s[A-Z][a-z]+)?"
_NOT_NAMES = {
    "The", "A", "An", "And", "But", "Or", "So", "Then", "He", "She", "It", "They", "We", "I", "You",
    "His", "Her", "Their", "This", "That", "There", "When", "Where", "While", "What", "Who", "Oh",
    "Yes", "No", "Now", "Well", "If", "In", "On", "At", "For", "Of", "To", "With", "As", "Out",
    "Down", "Up", "Instead", "Within", "Suddenly", "Christmas", "God", "Mother", "Father", "Sir",
    "Being", "Everywhere", "Perhaps", "Also", "Which", "Only", "Many", "Even", "Just", "Here",
}
_FEMALE_TITLES = ("Mrs", "Ms", "Miss", "Madame", "Mme", "Lady", "Aunt", "Queen", "Mother")
_MALE_TITLES = ("Mr", "Sir", "Lord", "Uncle", "King", "Father")
_QUOTE_RE = re.compile(r"“([^”]*)(?:”|$)|\"([^\"]*)(?:\"|$)")
_AFTER_VERB_NAME = re.compile(r"^[\s,]*" + _VERB + r"\s+(" + _NAME + r"|he|she|I)\b")
_AFTER_NAME_VERB = re.compile(r"^[\s,]*(" + _NAME + r"|he|she|I)\s+(?:\w+ly\s+)?" + _VERB + r"\b")
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
)
_TIMES = (("night", "NIGHT"), ("evening", "EVENING"), ("morning", "MORNING"), ("o’clock", "EVENING"),
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


def _clean_name(raw: str) -> str | None:
    name = raw.strip()
    if name in ("he", "she", "He", "She"):
        return name.lower()
    if name == "I":
        return "NARRATOR"
    first = name.split()[0]
    if first in _NOT_NAMES:
        return None
    return name


def _genders(text: str) -> dict[str, str]:
    """Return {name: "f"|"m"} guessed from titles and the pronouns that follow a name."""
    genders: dict[str, str] = {}
    counts: dict[str, list[int]] = {}
    for m in re.finditer(r"\b([A-Z][a-z]+)\b([^.!?]{0,80})", text):
        name, tail = m.group(1), m.group(2)
        if name in _NOT_NAMES:
            continue
        c = counts.setdefault(name, [0, 0])
        c[0] += len(re.findall(r"\b(she|her|hers|herself)\b", tail, re.I))
        c[1] += len(re.findall(r"\b(he|his|him|himself)\b", tail, re.I))
    for name, (f, m_) in counts.items():
        if f != m_:
            genders[name] = "f" if f > m_ else "m"
    for name in list(counts):
        if name in _FEMALE_TITLES:
            genders[name] = "f"
        elif name in _MALE_TITLES:
            genders[name] = "m"
    return genders


class _Speakers:
    """Speaker memory for resolving pronouns and unattributed lines."""

    def __init__(self, genders: dict[str, str]):
        self.genders = genders
        self.history: list[str] = []

    def gender(self, name: str) -> str:
        return self.genders.get(name.split()[-1]) or self.genders.get(name.split()[0], "")

    def resolve(self, who: str) -> str | None:
        if who in ("he", "she"):
            want = "f" if who == "she" else "m"
            for name in reversed(self.history):
                if self.gender(name) == want:
                    return name
            return self.history[-1] if self.history else None
        return who

    def other_than(self, name: str | None) -> str | None:
        for prev in reversed(self.history):
            if prev != name:
                return prev
        return None


_NAME_RE = re.compile(r"\b(" + _NAME + r"|he|she|He|She|I)\b")
_TO_VERB_RE = re.compile(r"[^.!?“”\"]{0,80}?\b" + _VERB + r"\s*[:,]\s*$")


def _attribution_after(after: str) -> str | None:
    """Return the speaker named right after a quote (``said Jim``, ``Jim said``), else None."""
    m = _AFTER_VERB_NAME.match(after) or _AFTER_NAME_VERB.match(after)
    return _clean_name(m.group(1)) if m else None


def _attribution_before(before: str) -> str | None:
    """Return the speaker introducing a quote (``Della … cried, “``), else None.

    The closest valid name or pronoun before a speech verb ending in ':' or ',' wins.
    """
    best = None
    for m in _NAME_RE.finditer(before):
        name = _clean_name(m.group(1))
        if name and _TO_VERB_RE.match(before, m.end()):
            best = name
    return best


def _paragraph_speech(paragraph: str) -> list[tuple[str, str | None, bool]]:
    """Return [(quote text, attributed speaker or None, is speech)] for each quote in order."""
    quotes = list(_QUOTE_RE.finditer(paragraph))
    out = []
    for i, q in enumerate(quotes):
        body = (q.group(1) if q.group(1) is not None else q.group(2) or "").strip()
        before = paragraph[quotes[i - 1].end() if i else 0:q.start()]
        after = paragraph[q.end():quotes[i + 1].start() if i + 1 < len(quotes) else len(paragraph)]
        who = _attribution_after(after) or _attribution_before(before)
        starts = q.start() == 0 or not paragraph[:q.start()].strip()
        # Once a paragraph speaks, its later quotes continue the speech ("…,” said Della. “…”).
        speech = bool(body) and (starts or who is not None or any(o[2] for o in out))
        out.append((body, who, speech))
    return out


def _join_speech(bodies: list[str]) -> str:
    """Join the quoted pieces of one utterance; a comma that only led into "said X" becomes a period."""
    text = ""
    for body in bodies:
        if text.endswith(",") and body[:1].isupper():
            text = text[:-1] + "."
        text = f"{text} {body}".strip()
    return text[:-1] + "." if text.endswith(",") else text


def _last_subject(paragraph: str) -> str | None:
    hits = re.findall(r"\b(" + _NAME + r"|He|She|he|she)\b", paragraph)
    for raw in reversed(hits):
        name = _clean_name(raw)
        if name:
            return name
    return None


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
    """Return (title, scenes) for a prose story; scenes carry action and attributed dialogue beats."""
    title, story = strip_boilerplate(text)
    paragraphs = [p for p in story.split("\n\n") if p.strip()]
    if not paragraphs:
        return title, []
    speakers = _Speakers(_genders(story))
    bounds = _scene_boundaries(paragraphs)
    scenes: list[RawScene] = []
    previous_narration = ""
    for s, start in enumerate(bounds):
        stop = bounds[s + 1] if s + 1 < len(bounds) else len(paragraphs)
        chunk = paragraphs[start:stop]
        scene = RawScene(heading=_prose_heading(chunk, s + 1), from_heading=False)
        for paragraph in chunk:
            parts = _paragraph_speech(paragraph)
            speech = [(body, who) for body, who, is_speech in parts if is_speech]
            if not speech:
                scene.beats.append(Beat("action", paragraph))
                previous_narration = paragraph
                continue
            narration = _QUOTE_RE.sub(" ", paragraph)
            narration = " ".join(narration.split())
            if len(narration.split()) > 12:
                scene.beats.append(Beat("action", narration))
            named = next((who for _, who in speech if who), None)
            speaker = speakers.resolve(named) if named else None
            if speaker is None:
                guess = _last_subject(previous_narration) if previous_narration else None
                speaker = speakers.resolve(guess) if guess else speakers.other_than(
                    speakers.history[-1] if speakers.history else None)
                quoted = " ".join(b for b, _ in speech)
                if speaker and re.search(r"[,!?]?\s" + re.escape(speaker) + r"\b[?!.,]", " " + quoted):
                    speaker = speakers.other_than(speaker)  # a vocative names the listener
            speaker = speaker or "NARRATOR"
            # One paragraph of one speaker is one dialogue block, however often "said X" breaks it.
            blocks: list[tuple[str, list[str]]] = []
            for body, who in speech:
                name = speakers.resolve(who) if who else None
                name = name or (blocks[-1][0] if blocks else speaker)
                if blocks and blocks[-1][0] == name:
                    blocks[-1][1].append(body)
                else:
                    blocks.append((name, [body]))
            for name, bodies in blocks:
                scene.beats.append(Beat("dialogue", _join_speech(bodies), character=name))
                speakers.history.append(name)
            previous_narration = ""
        scenes.append(scene)
    return title, scenes
