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
    ``length_scale`` > 1 speaks slower; ``noise_scale``/``noise_w`` vary piper's delivery."""

    id: str
    label: str
    pitch_shift: float = 0.0
    length_scale: float = 1.0
    formant_shift: float = 1.0
    noise_scale: float = 0.667
    noise_w: float = 0.8


LOCAL_VOICES: dict[str, VoiceProfile] = {v.id: v for v in (
    VoiceProfile("local-joe", "Joe — natural male", 0.0, 1.0, 1.0),
    VoiceProfile("local-deep", "Deep — low, slow male", -4.0, 1.08, 0.92, 0.6, 0.7),
    VoiceProfile("local-warm", "Warm — relaxed baritone", -2.0, 1.05, 0.97, 0.7, 0.9),
    VoiceProfile("local-gravel", "Gravel — rough, low", -6.0, 1.12, 0.9, 0.9, 1.0),
    VoiceProfile("local-bright", "Bright — higher, quick", 5.0, 0.94, 1.1, 0.667, 0.8),
    VoiceProfile("local-soft", "Soft — high, gentle", 7.0, 1.06, 1.14, 0.5, 0.6),
    VoiceProfile("local-alto", "Alto — mid-high, steady", 8.0, 1.0, 1.17, 0.6, 0.7),
    VoiceProfile("local-child", "Child — very high, fast", 11.0, 0.9, 1.25, 0.7, 0.9),
    VoiceProfile("local-elder", "Elder — slow, slightly low", -1.0, 1.22, 0.95, 0.8, 1.1),
    VoiceProfile("local-quick", "Quick — brisk tenor", 2.0, 0.84, 1.04, 0.667, 0.8),
)}
DEFAULT_VOICE = "local-joe"


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
