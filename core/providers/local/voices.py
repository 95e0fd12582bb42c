"""Local voice profiles: each id is a stable, distinct voice made from the one bundled piper
model by synthesis settings (length scale, noise) and a pitch/formant shift after synthesis.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core.errors import InvalidInput


@dataclass(frozen=True)
class VoiceProfile:
    """One local voice. ``pitch_shift`` is in semitones, ``formant_shift`` a ratio (1 = unchanged),
    ``length_scale`` > 1 speaks slower; ``noise_scale``/``noise_w`` vary piper's delivery.
    ``gender`` ("m"/"f") and ``age`` (child/adult/elder) say whom the voice can play."""

    id: str
    label: str
    pitch_shift: float = 0.0
    length_scale: float = 1.0
    formant_shift: float = 1.0
    noise_scale: float = 0.667
    noise_w: float = 0.8
    gender: str = "m"
    age: str = "adult"


# The bundled piper model is an adult man speaking at a median of about 91 Hz. Other people are
# made from it by moving pitch AND formants together (Praat "Change gender"): a woman's vocal
# tract is ~15–20 % shorter than a man's, a child's ~30–40 %, so formants rise with the pitch.
# Measured medians (F0): men 70–122 Hz, women 162–231 Hz, children 257–290 Hz; within one
# gender/age class the voices are at least 2 semitones apart.
LOCAL_VOICES: dict[str, VoiceProfile] = {v.id: v for v in (
    VoiceProfile("local-joe", "Joe — natural male", 0.0, 1.0, 1.0),
    VoiceProfile("local-deep", "Deep — low, slow male", -2.0, 1.08, 0.94, 0.6, 0.7),
    VoiceProfile("local-warm", "Warm — relaxed light tenor", 6.0, 1.05, 1.04, 0.7, 0.9),
    VoiceProfile("local-gravel", "Gravel — rough, very low male", -4.0, 1.12, 0.9, 0.9, 1.0),
    VoiceProfile("local-bright", "Bright — higher male, quick", 4.0, 0.94, 1.05, 0.667, 0.8),
    VoiceProfile("local-quick", "Quick — brisk tenor", 2.0, 0.84, 1.03, 0.667, 0.8),
    VoiceProfile("local-alto", "Alto — low female, steady", 11.0, 1.0, 1.2, 0.6, 0.7, "f"),
    VoiceProfile("local-soft", "Soft — female, gentle", 13.0, 1.04, 1.22, 0.5, 0.6, "f"),
    VoiceProfile("local-clear", "Clear — female, bright", 15.0, 0.97, 1.24, 0.667, 0.8, "f"),
    VoiceProfile("local-high", "High — light female, quick", 17.0, 0.93, 1.26, 0.667, 0.9, "f"),
    VoiceProfile("local-child", "Child — very high, fast", 19.0, 0.9, 1.36, 0.7, 0.9, "f", "child"),
    VoiceProfile("local-boy", "Boy — high, eager", 21.0, 0.88, 1.4, 0.75, 1.0, "m", "child"),
    VoiceProfile("local-elder", "Elder — slow, slightly low man", -1.0, 1.22, 0.95, 0.8, 1.1, "m", "elder"),
    VoiceProfile("local-oldman", "Old man — slow, thin", 3.0, 1.28, 1.0, 0.9, 1.2, "m", "elder"),
    VoiceProfile("local-elderwoman", "Elder woman — slow, low female", 9.0, 1.2, 1.17, 0.8, 1.1, "f", "elder"),
    VoiceProfile("local-oldwoman", "Old woman — slow, thin female", 12.0, 1.26, 1.2, 0.9, 1.2, "f", "elder"),
    VoiceProfile("local-narrator", "Narrator — low, calm, measured", -3.0, 1.1, 0.97, 0.5, 0.6),
)}
DEFAULT_VOICE = "local-joe"
NARRATOR_VOICE = "local-narrator"
MIN_APART_ST = 2.0


def get_voice(voice: str) -> VoiceProfile:
    """Return the profile for a voice id; raises InvalidInput(field="voice") for an unknown id."""
    try:
        return LOCAL_VOICES[voice]
    except KeyError:
        raise InvalidInput(f"voice: unknown local voice {voice!r}; choose one of {', '.join(LOCAL_VOICES)}",
                           field="voice") from None


def voice_for_character(*, name: str) -> str:
    """Return a stable voice id for a character name (same name → same voice, on every run).

    Names are spread over the voices by a hash of the normalised name, so different names usually
    (not always: there are only len(LOCAL_VOICES) voices) get different voices; a caller assigning a
    whole cast can give each character a distinct voice with ``assign_voices``.
    Raises InvalidInput(field="name") for an empty name.
    """
    key = " ".join((name or "").split()).lower()
    if not key:
        raise InvalidInput("name: a character name is required to pick a voice", field="name")
    ids = list(LOCAL_VOICES)
    return ids[int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % len(ids)]


def cast_voices(*, people: list[tuple[str, str, str]], keep: dict[str, str] | None = None) -> dict[str, str]:
    """Return {name: voice id} for ``people`` given as (name, gender "f"/"m"/"", age class
    child/adult/elder), each voice fitting its person's gender and age.

    Within one gender/age class the voices chosen are at least ``MIN_APART_ST`` semitones apart
    (the catalogue is spaced so), each name starting from its own stable pick; an unknown gender
    takes whichever class of that age has the most room. When a class runs out of voices, the
    next free voice of the same gender is used, then any free voice, and only then a repeat.
    The narrator voice is kept for narration. ``keep`` ({name: voice id}) are voices other
    characters already have: they count as taken. Raises InvalidInput(field="name") for an empty name.
    """
    pool = [v for v in LOCAL_VOICES.values() if v.id != NARRATOR_VOICE]
    taken: set[str] = {v for v in (keep or {}).values() if v in LOCAL_VOICES}
    out: dict[str, str] = {}

    def fits(v: VoiceProfile, gender: str, age: str) -> bool:
        return v.age == age and (v.gender == gender or not gender)

    def spaced(v: VoiceProfile) -> bool:
        return all(abs(v.pitch_shift - LOCAL_VOICES[t].pitch_shift) >= MIN_APART_ST
                   for t in taken if (LOCAL_VOICES[t].gender, LOCAL_VOICES[t].age) == (v.gender, v.age))

    for name, gender, age in people:
        age = age if age in ("child", "adult", "elder") else "adult"
        key = " ".join((name or "").split()).lower()
        if not key:
            raise InvalidInput("name: a character name is required to pick a voice", field="name")
        h = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")
        tiers = ([v for v in pool if fits(v, gender, age)],
                 [v for v in pool if v.gender == gender or not gender],
                 pool)
        choice = None
        for tier in tiers:
            free = [v for v in tier if v.id not in taken and spaced(v)]
            if not free:
                continue
            if not gender and tier is tiers[0]:  # unknown gender: the class with more room first
                by_class: dict[str, list[VoiceProfile]] = {}
                for v in free:
                    by_class.setdefault(v.gender, []).append(v)
                free = max(by_class.values(), key=len)
            choice = free[h % len(free)]
            break
        if choice is None:
            same = tiers[0] or pool
            choice = same[h % len(same)]
        taken.add(choice.id)
        out[name] = choice.id
    return out


def assign_voices(*, names: list[str]) -> dict[str, str]:
    """Return {name: voice id} with distinct voices for up to len(LOCAL_VOICES) names, each name
    keeping its own hashed voice when free and otherwise taking the next free one (stable order)."""
    ids = list(LOCAL_VOICES)
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        v = voice_for_character(name=name)
        i = ids.index(v)
        while v in taken and len(taken) < len(ids):
            i = (i + 1) % len(ids)
            v = ids[i]
        taken.add(v)
        out[name] = v
    return out
