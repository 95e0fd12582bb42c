"""Who and what a shot shows: pronouns in the action resolved to the scene's characters, a crowd
when the action names one, and the subject of a shot without characters (the cat, the phone,
the lanterns), all matched on whole words."""
from __future__ import annotations

import re

FEMALE = re.compile(r"\b(she|her|hers|herself|woman|women|girl|lady|mother|mom|mum|grandmother|granny|aunt|"
                     r"daughter|sister|wife|queen|actress|waitress|mrs|ms|miss|widow|bride|nun|female)\b", re.I)
MALE = re.compile(r"\b(he|him|his|himself|man|men|boy|gentleman|father|dad|grandfather|grandpa|uncle|son|"
                   r"brother|husband|king|actor|waiter|mr|sir|widower|groom|monk|male)\b", re.I)
_SHE = re.compile(r"\b(she|her|hers|herself)\b", re.I)
_HE = re.compile(r"\b(he|him|his|himself)\b", re.I)
_THEY = re.compile(r"\b(they|them|their|both|together|each other)\b", re.I)
_CROWD = re.compile(r"\b(crowds?|everyone|everybody|people|onlookers|passers-?by|customers|neighbou?rs|"
                    r"villagers|guests|audience|shoppers|diners|workers|commuters|mob|townsfolk|strangers)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")

# Nouns a shot can be about when nobody is in it, most telling first within the same position.
SUBJECT_WORDS = (
    "cat", "cats", "kitten", "dog", "dogs", "puppy", "bird", "birds", "gull", "gulls", "seagull", "seagulls", "crow",
    "owl", "pigeon", "pigeons", "fish", "horse", "horses", "rat", "mouse", "snake", "fox", "deer",
    "lantern", "lanterns", "lamp", "phone", "cellphone", "smartphone", "watch", "clock", "clocks", "car", "cars",
    "truck", "taxi", "van", "bus", "boat", "door", "letter", "envelope", "key", "keys", "gun", "pistol", "cup",
    "mug", "bowl", "book", "photo", "photograph", "knife", "ring", "laptop", "computer", "bottle", "radio",
    "wrench", "hammer", "tools", "box", "bag", "suitcase", "candle", "candles", "map", "coin", "coins", "flower",
    "flowers", "umbrella", "bell", "crane", "cranes", "tower", "lighthouse", "train", "plane", "kettle", "wok",
    "woks", "television", "tv", "camera", "note", "newspaper", "painting", "mirror", "window", "fire", "clipboard",
)
_SUBJECT_RE = re.compile(r"\b(" + "|".join(SUBJECT_WORDS) + r")\b", re.I)


def subject_of(text: str) -> str:
    """Return the first thing the action names that a card can show ("The cat freezes…" → "cat",
    "Paper lanterns sway…" → "lanterns"), lower case, or "" when it names none."""
    m = _SUBJECT_RE.search(text or "")
    return m.group(1).lower() if m else ""


def crowd_in(text: str) -> bool:
    """True when the action puts a crowd on screen ("the crowd gathers", "neighbours watch")."""
    return bool(_CROWD.search(text or ""))


def gender_votes(*, paragraphs: list[str], names: list[str]) -> dict[str, tuple[int, int]]:
    """Return {NAME: (female, male)} word counts read from action paragraphs: gendered words in the
    part of a sentence about a character (up to the next character's name), and a pronoun opening
    the next sentence of the same paragraph ("PIA locks the van. She…" → (1, 0))."""
    votes: dict[str, list[int]] = {n.upper(): [0, 0] for n in names}
    pats = {n.upper(): re.compile(r"(?<![\w'])" + re.escape(n) + r"(?![\w'])", re.I) for n in names}
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        for i, sentence in enumerate(sentences):
            hits = sorted((m.start(), key) for key, pat in pats.items() for m in [pat.search(sentence)] if m)
            for j, (start, key) in enumerate(hits):
                end = hits[j + 1][0] if j + 1 < len(hits) else len(sentence)
                part = sentence[start:end]
                if len(hits) == 1 and i + 1 < len(sentences):
                    nxt = sentences[i + 1].split(" ", 1)[0].strip(",.")
                    part += f" {nxt}" if _SHE.fullmatch(nxt) or _HE.fullmatch(nxt) else ""
                votes[key][0] += len(FEMALE.findall(part))
                votes[key][1] += len(MALE.findall(part))
    return {k: (f, m) for k, (f, m) in votes.items()}


def guess_genders(*, paragraphs: list[str], names: list[str]) -> dict[str, str]:
    """Return {NAME: "f" | "m" | ""}: the side with more votes in :func:`gender_votes`."""
    return {k: ("f" if f > m else "m" if m > f else "")
            for k, (f, m) in gender_votes(paragraphs=paragraphs, names=names).items()}


def resolve_pronouns(*, text: str, recent: list[str], genders: dict[str, str]) -> list[str]:
    """Return the characters the pronouns of ``text`` point to: she/her → the latest female one
    of ``recent`` (the scene's characters, latest last), he/him → the latest male one, they → the
    latest two; an ungendered character stands in when no gender fits."""
    if not recent:
        return []
    out: list[str] = []
    latest = list(reversed(recent))

    def pick(gender: str) -> str | None:
        return next((n for n in latest if genders.get(n.upper()) == gender), None) or \
            next((n for n in latest if not genders.get(n.upper()) and n not in out), None)

    flat = " ".join(text.split())
    first = {m.start(): "f" for m in _SHE.finditer(flat)} | {m.start(): "m" for m in _HE.finditer(flat)}
    for _, gender in sorted(first.items()):
        who = pick(gender)
        if who and who not in out:
            out.append(who)
    if _THEY.search(flat):
        for n in latest[:2]:
            if n not in out:
                out.append(n)
    return out


def split_sentences(text: str) -> list[str]:
    """Return the sentences of a paragraph, on one line each."""
    return [s for s in _SENTENCE.split(" ".join((text or "").split())) if s]


def about(sentence: str, name: str, names: list[str]) -> str:
    """Return the part of ``sentence`` about ``name``: from its first mention up to the next other
    character's name ("LIN (60s) hands DEV (19, hoodie) a bowl" → "LIN (60s) hands"), so one
    character's looks never leak onto another. The whole sentence when the name is not in it."""
    own = re.search(r"(?<![\w'])" + re.escape(name) + r"(?![\w'])", sentence, re.I)
    if not own:
        return sentence
    ends = [m.start() for other in names if other.upper() != name.upper()
            for m in re.finditer(r"(?<![\w'])" + re.escape(other) + r"(?![\w'])", sentence, re.I)
            if m.start() > own.start()]
    return sentence[own.start():min(ends)].rstrip(" ,;") if ends else sentence[own.start():]
