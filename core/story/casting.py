"""Casting from the script: who each speaking character is — gender and age class — read from the
words the script uses about them, so the voice (and later the look) can follow.

Evidence, strongest first: the character's own description ("a girl of eight", "70s", "her
grandmother's coat"), the pronouns that follow the name in the text ("Pia… she"), titles and
kinship words in the name ("MRS. HALE", "GRANDPA JOE", "LITTLE TIM"), then the first name itself
(a table of about 40 000 first names from the ``gender-guesser`` package). What cannot be read
stays ``""`` (unknown), never guessed at random.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import gender_guesser.detector as gender_detector

from core.story.people import gender_votes

GENDERS = ("f", "m", "")
AGE_CLASSES = ("child", "adult", "elder")

_FEMALE_WORDS = (
    "woman", "women", "girl", "girls", "lady", "mother", "mom", "mum", "mama", "grandmother", "grandma", "granny",
    "gran", "nana", "aunt", "auntie", "sister", "daughter", "wife", "widow", "bride", "queen", "princess", "nun",
    "waitress", "actress", "heroine", "matriarch", "niece", "girlfriend", "mrs", "miss", "ms", "madame", "mme",
    "duchess", "mistress", "lass", "schoolgirl", "female", "she", "herself",
)
_MALE_WORDS = (
    "man", "men", "boy", "boys", "gentleman", "father", "dad", "papa", "grandfather", "grandpa", "gramps",
    "uncle", "brother", "son", "husband", "widower", "groom", "king", "prince", "monk", "waiter", "actor", "hero",
    "patriarch", "nephew", "boyfriend", "mr", "sir", "lord", "duke", "master", "lad", "schoolboy", "male", "he",
    "himself", "guy", "fellow", "bloke",
)
# Object and possessive pronouns ("waits behind him", "her grandson KIT") usually point at someone
# else in a description, so only subject pronouns and nouns count there.
_CHILD_WORDS = ("child", "kid", "boy", "girl", "toddler", "baby", "schoolgirl", "schoolboy", "little", "young son",
                "young daughter", "son", "daughter", "niece", "nephew", "lad", "lass", "tween", "infant", "youngster")
_ELDER_WORDS = ("old", "elderly", "aged", "ancient", "grandmother", "grandfather", "grandma", "grandpa", "granny",
                "gramps", "nana", "widow", "widower", "retired", "pensioner", "grey-haired", "gray-haired",
                "white-haired", "wrinkled", "frail", "stooped", "veteran", "matriarch", "patriarch", "senior",
                "octogenarian", "septuagenarian")
# Words in a name that settle gender or age by themselves ("MRS. HALE", "GRANDPA JOE", "LITTLE TIM").
_NAME_TITLES = {
    "mrs": ("f", ""), "miss": ("f", ""), "ms": ("f", ""), "madame": ("f", ""), "mme": ("f", ""), "lady": ("f", ""),
    "queen": ("f", ""), "aunt": ("f", ""), "auntie": ("f", ""), "mother": ("f", ""), "mom": ("f", ""),
    "mum": ("f", ""), "sister": ("f", ""), "grandma": ("f", "elder"), "granny": ("f", "elder"),
    "grandmother": ("f", "elder"), "nana": ("f", "elder"), "girl": ("f", "child"), "princess": ("f", ""),
    "mr": ("m", ""), "sir": ("m", ""), "lord": ("m", ""), "king": ("m", ""), "uncle": ("m", ""),
    "father": ("m", ""), "dad": ("m", ""), "brother": ("m", ""), "grandpa": ("m", "elder"),
    "grandfather": ("m", "elder"), "gramps": ("m", "elder"), "boy": ("m", "child"), "prince": ("m", ""),
    "master": ("m", ""), "old": ("", "elder"), "little": ("", "child"), "young": ("", "child"),
    "kid": ("", "child"), "baby": ("", "child"), "elder": ("", "elder"),
}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
                 "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
                 "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_DECADES = {"twenties": 25, "thirties": 35, "forties": 45, "fifties": 55, "sixties": 65, "seventies": 75,
            "eighties": 85, "nineties": 92, "teens": 15}
_AGE_PATTERNS = (
    re.compile(r"\((\d{1,2})\)"),                                        # MAYA (62)
    re.compile(r"\b(\d{1,2})\s*(?:-|\s)?\s*(?:years?|yrs?)[\s-]*old\b", re.I),  # 8-year-old, 70 years old
    re.compile(r"\b(?:aged?|age)\s*(\d{1,2})\b", re.I),                     # aged 9, age 70
    re.compile(r"(?:^|[(,;]\s*)(\d{1,2})\s*(?=[,;)])"),                     # "(19, paint-stained hoodie)"
    re.compile(r"\b(\d)0s\b"),                                           # 60s
    re.compile(r"\b(?:early|mid|late)[\s-](\d)0s\b", re.I),
)


@dataclass(frozen=True)
class Person:
    """What the script says about a character: ``gender`` "f", "m" or "" (unknown), ``age_class``
    child/adult/elder, ``age`` in years when a number was written, and the evidence in words."""

    name: str
    gender: str = ""
    age_class: str = "adult"
    age: int | None = None
    evidence: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _detector() -> gender_detector.Detector:
    return gender_detector.Detector(case_sensitive=False)


def name_gender(first_name: str) -> str:
    """Return "f"/"m" for a first name the name table knows (mostly-* counts), else ""."""
    word = re.sub(r"[^A-Za-zÀ-ÿ'-]", "", first_name or "")
    if len(word) < 2:
        return ""
    g = _detector().get_gender(word.title())
    return {"female": "f", "mostly_female": "f", "male": "m", "mostly_male": "m"}.get(g, "")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z'-]*", (text or "").lower())


def _age_number(text: str) -> int | None:
    for k, pat in enumerate(_AGE_PATTERNS):
        m = pat.search(text or "")
        if m:
            n = int(m.group(1))
            if k >= 4:  # "60s" / "late 60s": a decade
                n = n * 10 + 5
            if 1 <= n <= 110:
                return n
    low = (text or "").lower()
    for word, n in _DECADES.items():
        if re.search(r"\b(?:in (?:her|his|their) )?(?:early |mid-?|late )?" + word + r"\b", low):
            return n
    m = re.search(r"\b(" + "|".join(_NUMBER_WORDS) + r")(?:[\s-](one|two|three|four|five|six|seven|eight|nine))?"
                  r"[\s-]*years?[\s-]*old\b", low)
    if m:
        return _NUMBER_WORDS[m.group(1)] + (_NUMBER_WORDS[m.group(2)] if m.group(2) else 0)
    m = re.search(r"\b(?:she|he|who|they) (?:is|was|'s|’s|were|are) (" + "|".join(_NUMBER_WORDS) + r"|\d{1,2})\b(?! \w+s\b)", low)
    if m:
        v = m.group(1)
        return int(v) if v.isdigit() else _NUMBER_WORDS[v]
    m = re.search(r"\b(?:a |an )?(?:girl|boy|child|kid) of (" + "|".join(_NUMBER_WORDS) + r"|\d{1,2})\b", low)
    if m:
        v = m.group(1)
        return int(v) if v.isdigit() else _NUMBER_WORDS[v]
    return None


def _age_class(age: int | None) -> str:
    if age is None:
        return ""
    return "child" if age < 13 else "elder" if age >= 60 else "adult"


def _count(words: list[str], vocab: tuple[str, ...]) -> int:
    joined = " " + " ".join(words) + " "
    return sum(joined.count(f" {w} ") for w in vocab)


def _about(name: str, description: str) -> str:
    """The words a description says about ``name``: from each mention to the end of its sentence,
    cut before the next character in capitals ("MAYA (30s) helps GRANDPA JOE (80)" → "(30s) helps").
    A description that never names the character is taken whole (it was written about them)."""
    pattern = re.compile(r"(?<![\w'])" + re.escape(name) + r"(?![\w'])", re.I)
    flat = " ".join((description or "").split()).replace(".; ", ". ").replace("!; ", "! ").replace("?; ", "? ")
    parts = []
    for sentence in re.split(r"(?<=[.!?])\s+", flat):
        if not pattern.search(sentence):  # said of them under another name ("the stranger…")
            parts.append(sentence)
        for hit in pattern.finditer(sentence):
            tail = sentence[hit.end():]
            surname = re.match(r"(?:\s+[A-Z][A-Z'’-]+)*", tail)  # "ROSALIND HALE (68)": the rest of the name
            tail = tail[surname.end():]
            stop = re.search(r"\b[A-Z][A-Z'’.-]{1,}\b(?:\s+[A-Z][A-Z'’-]+)*", tail)
            parts.append(tail[:stop.start()] if stop and stop.group(0) not in ("I", "V.O", "O.S") else tail)
    if not parts and not pattern.search(flat):
        return flat
    return " ".join(parts)


def read_person(*, name: str, description: str = "", text: str = "") -> Person:
    """Return the Person the script makes of ``name``: from its ``description`` (what the breakdown
    collected about the character), the pronouns after its mentions in the script ``text``, the
    titles in the name and the first name. Never raises."""
    evidence: list[str] = []
    gender, age_class = "", ""
    tokens = _words(name)
    for t in tokens:  # titles in the name itself
        g, a = _NAME_TITLES.get(t.strip("."), ("", ""))
        if g and not gender:
            gender = g
            evidence.append(f"'{t}' in the name")
        if a and not age_class:
            age_class = a
            if not evidence or evidence[-1] != f"'{t}' in the name":
                evidence.append(f"'{t}' in the name")
    if not gender or not age_class:  # a title written before the name elsewhere: "MR. ABERNATHY"
        before = re.findall(r"\b([A-Za-z]+)\.?\s+" + re.escape(name) + r"(?![\w'])", f"{description} {text}", re.I)
        for t in before:
            g, a = _NAME_TITLES.get(t.lower(), ("", ""))
            if g and not gender:
                gender = g
                evidence.append(f"'{t}' before the name")
            if a and not age_class:
                age_class = a
                evidence.append(f"'{t}' before the name")
    about = _about(name, description)
    desc_words = _words(about)
    age = _age_number(about)
    if age is not None:
        age_class = age_class or _age_class(age)
        evidence.append(f"age {age} in the description")
    if not gender:
        f, m = _count(desc_words, _FEMALE_WORDS), _count(desc_words, _MALE_WORDS)
        if f != m:
            gender = "f" if f > m else "m"
            evidence.append(f"description words ({f} female, {m} male)")
    if not age_class:
        child, elder = _count(desc_words, _CHILD_WORDS), _count(desc_words, _ELDER_WORDS)
        if child or elder:
            age_class = "child" if child > elder else "elder"
            evidence.append(f"description says {age_class}")
    if not gender:
        # The same reading the breakdown gives the script's action (one way to read gender from text).
        f, m = gender_votes(paragraphs=re.split(r"\n\s*\n", text or ""), names=[name])[name.upper()]
        if f != m:
            gender = "f" if f > m else "m"
            evidence.append(f"words about them in the script ({f} female, {m} male)")
    if not gender:
        firsts = [t for t in name.split() if _NAME_TITLES.get(t.lower().strip("."), ("", ""))[0] == ""]
        gender = name_gender(firsts[0] if firsts else "")
        if gender:
            evidence.append("first name")
    return Person(name=name, gender=gender, age_class=age_class or "adult", age=age, evidence=tuple(evidence))


def description_from_text(*, name: str, text: str, limit: int = 3) -> str:
    """Return the sentences of ``text`` that mention ``name`` (whole word), first ``limit`` of them,
    joined by "; " — the introduction of a character usually says who they are."""
    flat = " ".join((text or "").split())
    pattern = re.compile(r"(?<![\w'])" + re.escape(name) + r"(?![\w'])", re.I)
    hits = [s for s in re.split(r"(?<=[.!?])\s+", flat) if pattern.search(s)]
    return "; ".join(hits[:limit])
