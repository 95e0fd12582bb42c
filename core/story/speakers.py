"""Who speaks in a story: the people of a prose text — names and their variants, genders, aliases
joined to names — and the attribution of a quote ("the stranger said", "Pia demanded", "she
whispered"), read by ``core.story.prose``.
"""
from __future__ import annotations

import re

from core.story.casting import name_gender

NARRATOR = "NARRATOR"  # who says "I" in a first-person story, and who reads the narration
SPEECH_VERBS = (
    "said", "says", "say", "asked", "asks", "ask", "cried", "cries", "whispered", "whispers",
    "replied", "replies", "answered", "shouted", "shouts", "called", "exclaimed", "muttered",
    "murmured", "added", "continued", "went on", "began", "yelled", "screamed", "sighed", "laughed",
    "repeated", "demanded", "insisted", "told", "declared", "snapped", "pleaded", "begged", "groaned",
    "whimpered", "sobbed", "stammered", "answers", "explained", "suggested",
)
_VERB = r"(?:" + "|".join(sorted((re.escape(v) for v in SPEECH_VERBS), key=len, reverse=True)) + r")"
NAME = r"(?:Mr\.|Mrs\.|Ms\.|Miss|Dr\.|Madame|Mme\.)?\s?[A-Z][a-z]+(?:\s[A-Z][a-z]+)?"
NOT_NAMES = {
    "The", "A", "An", "And", "But", "Or", "So", "Then", "He", "She", "It", "They", "We", "I", "You",
    "His", "Her", "Their", "This", "That", "There", "When", "Where", "While", "What", "Who", "Oh",
    "Yes", "No", "Now", "Well", "If", "In", "On", "At", "For", "Of", "To", "With", "As", "Out",
    "Down", "Up", "Instead", "Within", "Suddenly", "Christmas", "God", "Mother", "Father", "Sir",
    "Being", "Everywhere", "Perhaps", "Also", "Which", "Only", "Many", "Even", "Just", "Here",
}
_FEMALE_TITLES = ("Mrs", "Ms", "Miss", "Madame", "Mme", "Lady", "Aunt", "Queen", "Mother")
_MALE_TITLES = ("Mr", "Sir", "Lord", "Uncle", "King", "Father")
_PERSON_NOUNS = (
    "stranger", "man", "woman", "girl", "boy", "child", "lady", "gentleman", "figure", "visitor", "newcomer",
    "driver", "captain", "doctor", "soldier", "guard", "officer", "priest", "nurse", "landlord", "landlady",
    "waiter", "waitress", "clerk", "boatman", "fisherman", "sailor", "keeper", "traveller", "traveler",
    "merchant", "widow", "hunter", "stranger's",
)
_ADJ = r"(?:(?:old|young|little|tall|short|thin|fat|strange|other|grey|gray|hooded|cloaked)\s+)*"
_ALIAS = r"(?:[Tt]he|[Aa]n?)\s+" + _ADJ + r"(?:" + "|".join(n for n in _PERSON_NOUNS if "'" not in n) + r")\b"
ALIAS_RE = re.compile(_ALIAS)
_ALIAS_NOUN_RE = re.compile(r"(" + "|".join(n for n in _PERSON_NOUNS if "'" not in n) + r")\b", re.I)
_NOUN_GENDER = {"woman": "f", "girl": "f", "lady": "f", "landlady": "f", "waitress": "f", "widow": "f",
                "man": "m", "boy": "m", "gentleman": "m", "landlord": "m", "waiter": "m", "boatman": "m",
                "fisherman": "m"}
_TITLE_GENDER = {t: "f" for t in _FEMALE_TITLES} | {t: "m" for t in _MALE_TITLES} | {"Master": "m", "Mistress": "f"}
_WHO = r"(" + NAME + r"|" + _ALIAS + r"|he|she|He|She|I)"
_AFTER_VERB_NAME = re.compile(r"^[\s,]*" + _VERB + r"\s+" + _WHO + r"(?![\w])")
_AFTER_NAME_VERB = re.compile(r"^[\s,]*" + _WHO + r"\s+(?:\w+ly\s+)?" + _VERB + r"\b")
AFTER_CLAUSE = re.compile(r"^[\s,]*(?:" + _VERB + r"\s+" + _WHO + r"|" + _WHO + r"\s+(?:\w+ly\s+)?" + _VERB
                           + r")\b[^.!?“\"]{0,60}?(?:[.!?]+|(?=\s*[“\"])|$)")
BEFORE_CLAUSE = re.compile(_WHO + r"\s+(?:\w+ly\s+)?" + _VERB + r"\s*[:,]?\s*$")
JOIN_SPOKEN = re.compile(r"\b(?:I am|I'm|I’m|My name is|my name is|Call me|call me)\s+(" + NAME + r")\b")
_JOIN_TOLD = re.compile(r"^(?:Her|His|Their) name (?:was|is)\s+(" + NAME + r")\b")
def _alias_key(text: str) -> str:
    """"the little girl" / "A stranger" → "girl" / "stranger": one key per kind of person."""
    m = _ALIAS_NOUN_RE.search(text)
    return m.group(1).lower() if m else text.lower()


class People:
    """Who is who in a story: names and their variants ("Pia Marsh", "Master Orrin" → "Pia",
    "Orrin"), genders, aliases joined to names ("the stranger" → "Orrin"), the subjects of the
    sentences read so far (for pronouns) and the speakers so far (for turn-taking)."""

    def __init__(self, story: str):
        self.genders = _genders(story)
        self.singles = {w for w in re.findall(r"\b[A-Z][a-z]+\b", story) if w not in NOT_NAMES}
        # Proper nouns: capitalised somewhere in the middle of a sentence ("Once" and "Twenty" only
        # ever start one).
        self.proper = set(re.findall(r"(?<=[a-z,;] )([A-Z][a-z]+)\b", story)) - NOT_NAMES
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
        if ALIAS_RE.fullmatch(name):
            key = _alias_key(name)
            return self.aliases.get(key) or key.title()
        words = name.split()
        if words[0] in NOT_NAMES:
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
        hits = sorted([(m.start(), m.group(0)) for m in ALIAS_RE.finditer(sentence)]
                      + [(m.start(), m.group(1)) for m in re.finditer(r"\b(" + NAME + r"|He|She|he|she)\b", sentence)])
        for _, raw in hits:
            if raw.split()[0] in NOT_NAMES and raw not in ("He", "She") and not ALIAS_RE.fullmatch(raw):
                continue
            name = self.canonical(raw)
            if name and (name in ("he", "she") or ALIAS_RE.fullmatch(raw) or self._is_person(name)):
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
        if name in NOT_NAMES:
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


def attribution_after(after: str) -> str | None:
    """Return the mention naming the speaker right after a quote (``said Jim``, ``the stranger
    asked``, ``she whispered``), else None."""
    m = _AFTER_VERB_NAME.match(after) or _AFTER_NAME_VERB.match(after)
    return m.group(1) if m else None


def attribution_before(before: str) -> str | None:
    """Return the mention introducing a quote (``Della … cried, “``), else None: the closest
    name, alias or pronoun before a speech verb that ends the text with ':' or ','."""
    best = None
    for m in re.finditer(_WHO, before):
        if _TO_VERB_RE.match(before, m.end()):
            best = m.group(1)
    return best


_TO_VERB_RE = re.compile(r"[^.!?“”\"]{0,80}?\b" + _VERB + r"\s*[:,]\s*$")


def last_subject(paragraph: str, people: People) -> str | None:
    """The subject of the last sentence of ``paragraph`` that has one."""
    for sentence in reversed(re.split(r"(?<=[.!?])\s+", " ".join(paragraph.split()))):
        who = people.subject(sentence)
        if who:
            return people.resolve(who)
    return None
