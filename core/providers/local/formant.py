"""The fallback voice: a small formant synthesizer used only when piper cannot load.

It is clearly not natural speech, but it is audible, follows the text's syllables and gives
exact word timings, so a film still gets a voice track and subtitles.
"""
from __future__ import annotations

import re

import numpy as np
from scipy.signal import lfilter

SAMPLE_RATE = 22050
# Rough formant pairs (F1, F2) for the vowel letters.
_VOWELS = {"a": (730, 1090), "e": (530, 1840), "i": (390, 1990), "o": (570, 840), "u": (440, 1020),
           "y": (390, 1990)}


def _resonator(x: np.ndarray, freq: float, bw: float, sr: int) -> np.ndarray:
    r = np.exp(-np.pi * bw / sr)
    a = [1.0, -2 * r * np.cos(2 * np.pi * freq / sr), r * r]
    return lfilter([1 - r], a, x)


def _syllables(word: str) -> list[str]:
    groups = re.findall(r"[^aeiouy]*[aeiouy]+(?:[^aeiouy]*$)?", word.lower())
    return groups or [word.lower() or "a"]


def synthesize_formant(text: str, *, f0: float = 120.0, rate: float = 1.0,
                       sr: int = SAMPLE_RATE) -> tuple[np.ndarray, list[tuple[str, float, float]]]:
    """Return (float samples, [(word, start_s, end_s)]) for ``text`` spoken by the formant voice."""
    out: list[np.ndarray] = [np.zeros(int(0.1 * sr))]
    words: list[tuple[str, float, float]] = []
    t = 0.1
    rng = np.random.default_rng(0)
    for token in text.split():
        word = re.sub(r"[^\w'-]", "", token)
        if not word:
            continue
        start = t
        for syl in _syllables(word):
            dur = (0.12 + 0.02 * len(syl)) * rate
            n = int(dur * sr)
            if re.match(r"^[^aeiouy]", syl):  # a consonant onset: short noise burst
                burst = rng.standard_normal(int(0.03 * sr)) * 0.15
                out.append(_resonator(burst, 3000, 800, sr))
                t += 0.03
            vowel = next((ch for ch in syl if ch in _VOWELS), "a")
            f = f0 * (1 + 0.08 * np.sin(np.linspace(0, np.pi, n)))  # small intonation arc
            phase = np.cumsum(f / sr)
            src = 2 * (phase % 1.0) - 1  # sawtooth glottal source
            f1, f2 = _VOWELS[vowel]
            y = _resonator(src, f1, 90, sr) + 0.6 * _resonator(src, f2, 120, sr)
            env = np.minimum(1, np.minimum(np.arange(n), n - np.arange(n)) / (0.015 * sr))
            out.append(y * env)
            t += n / sr
        words.append((token, round(start, 3), round(t, 3)))  # shown in subtitles: keep punctuation
        gap = 0.22 if token[-1] in ",;:.!?" else 0.06
        out.append(np.zeros(int(gap * sr)))
        t += gap
    out.append(np.zeros(int(0.1 * sr)))
    audio = np.concatenate(out)
    peak = np.max(np.abs(audio)) or 1.0
    return audio / peak * 0.8, words
