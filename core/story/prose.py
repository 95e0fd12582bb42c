"""Prose mode: short stories and novels that are not screenplays.

Strips Project Gutenberg header/footer/licence and the title lines, cuts scenes at paragraphs with
place/time cues (about one scene per 450 words, 1–12 scenes), and turns quoted speech into
dialogue beats attributed to a speaker (``said Jim``, ``Jim said``, ``asked Della``; ``she said``
resolves to the last named speaker of that gender).
"""
from __future__ import annotations

import re

from core.story.casting import name_gender
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


_PERSON_NOUNS = (
    "stranger", "man", "woman", "girl", "boy", "child", "lady", "gentleman", "figure", "visitor", "newcomer",
    "driver", "captain", "doctor", "soldier", "guard", "officer", "priest", "nurse", "landlord", "landlady",
    "waiter", "waitress", "clerk", "boatman", "fisherman", "sailor", "keeper", "traveller", "traveler",
    "merchant", "widow", "hunter", "stranger's",
)
_ADJ = r"(?:(?:old|young|little|tall|short|thin|fat|strange|other|grey|gray|hooded|cloaked)\s+)*"
_ALIAS = r"(?:[Tt]he|[Aa]n?)\s+" + _ADJ + r"(?:" + "|".join(n for n in _PERSON_NOUNS if "'" not in n) + r")\b"
_ALIAS_RE = re.compile(_ALIAS)
_ALIAS_NOUN_RE = re.compile(r"(" + "|".join(n for n in _PERSON_NOUNS if "'" not in n) + r")\b", re.I)
_NOUN_GENDER = {"woman": "f", "girl": "f", "lady": "f", "landlady": "f", "waitress": "f", "widow": "f",
                "man": "m", "boy": "m", "gentleman": "m", "landlord": "m", "waiter": "m", "boatman": "m",
                "fisherman": "m"}
_TITLE_GENDER = {t: "f" for t in _FEMALE_TITLES} | {t: "m" for t in _MALE_TITLES} | {"Master": "m", "Mistress": "f"}
_WHO = r"(" + _NAME + r"|" + _ALIAS + r"|he|she|He|She|I)"
_AFTER_VERB_NAME = re.compile(r"^[\s,]*" + _VERB + r"\s+" + _WHO + r"(?![\w])")
_AFTER_NAME_VERB = re.compile(r"^[\s,]*" + _WHO + r"\s+(?:\w+ly\s+)?" + _VERB + r"\b")
_AFTER_CLAUSE = re.compile(r"^[\s,]*(?:" + _VERB + r"\s+" + _WHO + r"|" + _WHO + r"\s+(?:\w+ly\s+)?" + _VERB
                           + r")\b[^.!?“\"]{0,60}?(?:[.!?]+|(?=\s*[“\"])|$)")
_BEFORE_CLAUSE = re.compile(_WHO + r"\s+(?:\w+ly\s+)?" + _VERB + r"\s*[:,]?\s*$")
_JOIN_SPOKEN = re.compile(r"\b(?:I am|I'm|I’m|My name is|my name is|Call me|call me)\s+(" + _NAME + r")\b")
_JOIN_TOLD = re.compile(r"^(?:Her|His|Their) name (?:was|is)\s+(" + _NAME + r")\b")
NARRATOR = "NARRATOR"
NARRATION_CHUNK_WORDS = 45


def _alias_key(text: str) -> str:
    """"the little girl" / "A stranger" → "girl" / "stranger": one key per kind of person."""
    m = _ALIAS_NOUN_RE.search(text)
    return m.group(1).lower() if m else text.lower()


class _People:
    """Who is who in a story: names and their variants ("Pia Marsh", "Master Orrin" → "Pia",
    "Orrin"), genders, aliases joined to names ("the stranger" → "Orrin"), the subjects of the
    sentences read so far (for pronouns) and the speakers so far (for turn-taking)."""

    def __init__(self, story: str):
        self.genders = _genders(story)
        self.singles = {w for w in re.findall(r"\b[A-Z][a-z]+\b", story) if w not in _NOT_NAMES}
        # Proper nouns: capitalised somewhere in the middle of a sentence ("Once" and "Twenty" only
        # ever start one).
        self.proper = set(re.findall(r"(?<=[a-z,;] )([A-Z][a-z]+)\b", story)) - _NOT_NAMES
        self.aliases: dict[str, str] = {}       # alias key → name it was joined to
        self.alias_gender: dict[str, str] = {}  # alias key → gender read from the text
        self.subjects: list[str] = []           # resolved subjects, in reading order
        self.history: list[str] = []            # speakers, in order
        self.alias_text: dict[str, list[str]] = {}  # alias key → sentences about it

    # -- names ------------------------------------------------------------------------------------
    def canonical(self, raw: str) -> str | None:
        """The one name a mention stands for, None when it is no person."""
        name = " ".join(raw.split())
        if name in ("he", "she", "He", "She"):
            return name.lower()
        if name == "I":
            return NARRATOR
        if _ALIAS_RE.fullmatch(name):
            key = _alias_key(name)
            return self.aliases.get(key) or key.title()
        words = name.split()
        if words[0] in _NOT_NAMES:
            return None
        title = words[0].rstrip(".")
        rest = [w for w in words[1:]]
        if title in _TITLE_GENDER and rest:
            if rest[0] in self.singles and name_gender(rest[0]) or len(rest) == 1:
                self._gender_hint(rest[0], _TITLE_GENDER[title])
                return rest[0]
            return name
        if len(words) > 1 and (name_gender(words[0]) or words[0] in self.genders):
            return words[0]  # "Pia Marsh" → "Pia"
        return name

    def _gender_hint(self, name: str, gender: str) -> None:
        self.genders.setdefault(name, gender)

    def gender(self, name: str) -> str:
        if name in self.alias_gender or name.lower() in self.alias_gender:
            return self.alias_gender.get(name) or self.alias_gender.get(name.lower(), "")
        words = name.split()
        if words and words[0].rstrip(".") in _TITLE_GENDER:
            return _TITLE_GENDER[words[0].rstrip(".")]
        return self.genders.get(words[-1]) or self.genders.get(words[0]) or name_gender(words[0]) if words else ""

    # -- aliases ------------------------------------------------------------------------------------
    def join(self, alias_label: str, name_raw: str) -> None:
        """Join an alias ("Stranger") to the name it turns out to be."""
        name = self.canonical(name_raw)
        key = alias_label.lower()
        if not name or key in self.aliases or name.lower() == key:
            return
        self.aliases[key] = name
        if key in self.alias_gender:
            self._gender_hint(name, self.alias_gender[key])
        self.subjects = [name if s.lower() == key else s for s in self.subjects]
        self.history = [name if s.lower() == key else s for s in self.history]

    def is_alias(self, label: str) -> bool:
        return label.lower() in {n for n in _PERSON_NOUNS} and label.lower() not in self.aliases

    # -- reading ------------------------------------------------------------------------------------
    def resolve(self, who: str | None) -> str | None:
        """A speaker mention → a name: pronouns go to the last subject of that gender."""
        if who in ("he", "she"):
            want = "f" if who == "she" else "m"
            for name in reversed(self.subjects):
                if self.gender(name) == want:
                    return name
            for name in reversed(self.history):
                if self.gender(name) == want:
                    return name
            return self.history[-1] if self.history else None
        return who

    def observe(self, narration: str) -> None:
        """Read narration: each sentence's first person mention is its subject; "He/She…" right after
        an alias tells the alias's gender; "Her name was Wren" joins the alias before it."""
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(narration.split())):
            m = _JOIN_TOLD.match(sentence)
            if m and self.subjects and self.is_alias(self.subjects[-1]):
                self.join(self.subjects[-1], m.group(1))
                if sentence.startswith(("Her", "His")):
                    self.alias_gender.setdefault(self.subjects[-1].lower(), "f" if sentence.startswith("Her") else "m")
                    self._gender_hint(self.subjects[-1], "f" if sentence.startswith("Her") else "m")
            subject = self.subject(sentence)
            if subject in ("he", "she"):
                if self.subjects and self.is_alias(self.subjects[-1]):
                    self.alias_gender.setdefault(self.subjects[-1].lower(), "f" if subject == "she" else "m")
                subject = self.resolve(subject)
            elif subject and self.is_alias(subject):
                g = _NOUN_GENDER.get(subject.lower())
                if g:
                    self.alias_gender.setdefault(subject.lower(), g)
                self.alias_text.setdefault(subject.lower(), []).append(sentence)
            if subject:
                self.subjects.append(subject)

    def subject(self, sentence: str) -> str | None:
        """The first person a sentence mentions (a name, an alias or he/she), resolved to a label."""
        hits = sorted([(m.start(), m.group(0)) for m in _ALIAS_RE.finditer(sentence)]
                      + [(m.start(), m.group(1)) for m in re.finditer(r"\b(" + _NAME + r"|He|She|he|she)\b", sentence)])
        for _, raw in hits:
            if raw.split()[0] in _NOT_NAMES and raw not in ("He", "She") and not _ALIAS_RE.fullmatch(raw):
                continue
            name = self.canonical(raw)
            if name and (name in ("he", "she") or _ALIAS_RE.fullmatch(raw) or self._is_person(name)):
                return name
        return None

    def _is_person(self, name: str) -> bool:
        first = name.split()[0]
        return bool(name_gender(first)) or first in self.proper or name in self.history or \
            first in self.aliases.values()

    def other_than(self, name: str | None) -> str | None:
        for prev in reversed(self.history):
            if prev != name:
                return prev
        return None


def _genders(text: str) -> dict[str, str]:
    """Return {name: "f"|"m"} from titles, and from the pronouns that follow a name in its
    sentence — subject and reflexive ones ("Ada ran… she", "Orrin… his pocket"), not object ones,
    which usually point at someone else ("Ada turned to him") — unless the first-name table
    knows the name and the pronouns lead by less than two."""
    genders: dict[str, str] = {}
    counts: dict[str, list[int]] = {}
    for m in re.finditer(r"\b([A-Z][a-z]+)\b([^.!?]{0,80})", text):
        name, tail = m.group(1), m.group(2)
        if name in _NOT_NAMES:
            continue
        c = counts.setdefault(name, [0, 0])
        c[0] += len(re.findall(r"\b(she|hers|herself)\b", tail, re.I))
        c[1] += len(re.findall(r"\b(he|his|himself)\b", tail, re.I))
    for name, (f, m_) in counts.items():
        table = name_gender(name)
        if f != m_ and (abs(f - m_) >= 2 or not table):
            genders[name] = "f" if f > m_ else "m"
        elif table:
            genders[name] = table
    for name in list(counts):
        if name in _FEMALE_TITLES:
            genders[name] = "f"
        elif name in _MALE_TITLES:
            genders[name] = "m"
    return genders


def _attribution_after(after: str) -> str | None:
    """Return the mention naming the speaker right after a quote (``said Jim``, ``the stranger
    asked``, ``she whispered``), else None."""
    m = _AFTER_VERB_NAME.match(after) or _AFTER_NAME_VERB.match(after)
    return m.group(1) if m else None


def _attribution_before(before: str) -> str | None:
    """Return the mention introducing a quote (``Della … cried, “``), else None: the closest
    name, alias or pronoun before a speech verb that ends the text with ':' or ','."""
    best = None
    for m in re.finditer(_WHO, before):
        if _TO_VERB_RE.match(before, m.end()):
            best = m.group(1)
    return best


_TO_VERB_RE = re.compile(r"[^.!?“”\"]{0,80}?\b" + _VERB + r"\s*[:,]\s*$")


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
        who_after = _attribution_after(after)
        who_before = _attribution_before(before)
        who = who_after or who_before
        starts = q.start() == 0 or not paragraph[:q.start()].strip()
        # Once a paragraph speaks, its later quotes continue the speech ("…,” said Della. “…”).
        # A quote right after a whole sentence is speech too ("Pia set down her bag. “The ferry…”");
        # a quoted word inside a sentence ("she wrote “Jim” on it") is not.
        after_sentence = bool(re.search(r"[.!?…][\"”’)]?\s*$", before))
        speech = bool(body) and (starts or after_sentence or who is not None or any(o[2] for o in out))
        narration = before[cut_next:]
        if who_before and not who_after:
            narration = re.sub(r"\S*\s*" + _BEFORE_CLAUSE.pattern, "", narration) if _BEFORE_CLAUSE.search(narration) else narration
        m = _AFTER_CLAUSE.match(after) if who_after else None
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


def _last_subject(paragraph: str, people: _People) -> str | None:
    """The subject of the last sentence of ``paragraph`` that has one."""
    for sentence in reversed(re.split(r"(?<=[.!?])\s+", " ".join(paragraph.split()))):
        who = people.subject(sentence)
        if who:
            return people.resolve(who)
    return None


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
    people = _People(story)
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
                guess = _last_subject(lead, people) if lead else None
                if guess is None and previous_narration:
                    guess = _last_subject(previous_narration, people)
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


def _flush(scene: RawScene, people: _People, block: tuple[str, list[str]]) -> None:
    name, bodies = block
    text = _join_speech(bodies)
    scene.beats.append(Beat("dialogue", text, character=name))
    people.history.append(name)
    people.subjects.append(name)
    for m in _JOIN_SPOKEN.finditer(text):  # "I am Master Orrin": the alias speaking has a name
        if people.is_alias(name):
            people.join(name, m.group(1))


def _rename_aliases(scenes: list[RawScene], people: _People) -> None:
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
