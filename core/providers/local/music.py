"""Music beds synthesised per genre and mood: tempo, key, scale and instruments come from the
project's genre and the scene's mood; chords, bass and pad always, arpeggio and drums where the
music should move. The bed is rendered circularly (note tails wrap to the start) over a whole
number of bars, so it loops without a seam.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from core.errors import InvalidInput
from core.media.wav import to_wav_bytes


@dataclass(frozen=True)
class Style:
    tempo: int
    minor: bool
    drums: bool
    arp: bool
    octave: int  # shift of the key root in octaves
    brightness: float  # harmonic content of the lead voices (0 soft … 1 bright)


GENRES = {
    "drama": Style(72, True, False, True, 0, 0.4), "comedy": Style(112, False, True, True, 0, 0.7),
    "thriller": Style(88, True, True, False, -1, 0.5), "action": Style(128, True, True, True, -1, 0.9),
    "romance": Style(78, False, False, True, 0, 0.35), "horror": Style(60, True, False, False, -1, 0.3),
    "sci-fi": Style(96, True, False, True, 0, 0.8), "documentary": Style(90, False, False, True, 0, 0.45),
    "fantasy": Style(84, False, False, True, 0, 0.55), "mystery": Style(76, True, False, True, -1, 0.4),
    "family": Style(104, False, True, True, 0, 0.6), "western": Style(92, False, True, True, -1, 0.6),
}
MOODS = {  # mood → (tempo factor, force minor/major (None = keep), drums (None = keep), energy)
    "calm": (0.85, None, False, 0.6), "tense": (1.05, True, None, 0.8), "upbeat": (1.15, False, True, 1.0),
    "happy": (1.1, False, True, 0.9), "sad": (0.8, True, False, 0.55), "dark": (0.9, True, None, 0.75),
    "epic": (1.0, None, True, 1.0), "romantic": (0.9, False, False, 0.6), "mysterious": (0.9, True, False, 0.65),
    "hopeful": (1.0, False, None, 0.8), "playful": (1.15, False, True, 0.85), "neutral": (1.0, None, None, 0.75),
}
_MAJOR = [0, 2, 4, 5, 7, 9, 11]
_MINOR = [0, 2, 3, 5, 7, 8, 10]
_PROGRESSIONS = {False: [0, 4, 5, 3], True: [0, 5, 2, 6]}  # I–V–vi–IV ; i–VI–III–VII


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _add(buf: np.ndarray, start: int, sig: np.ndarray, pan: float = 0.0) -> None:
    """Mix ``sig`` into the stereo ``buf`` at ``start``, wrapping past the end (seamless loop)."""
    n = len(buf)
    idx = (start + np.arange(len(sig))) % n
    left, right = np.sqrt(0.5 * (1 - pan)), np.sqrt(0.5 * (1 + pan))
    np.add.at(buf[:, 0], idx, sig * left)
    np.add.at(buf[:, 1], idx, sig * right)


def _tone(freq: float, dur: float, sr: int, *, harmonics: float, attack: float, decay: float) -> np.ndarray:
    t = np.arange(int(dur * sr)) / sr
    wave = np.sin(2 * np.pi * freq * t) + harmonics * 0.5 * np.sin(4 * np.pi * freq * t) \
        + harmonics * 0.25 * np.sin(6 * np.pi * freq * t)
    env = np.minimum(1.0, t / max(attack, 1e-3)) * np.exp(-t / max(decay, 1e-3))
    tail = np.minimum(1.0, (dur - t) / 0.05)  # fade the very end so nothing clicks
    return wave * env * tail


def _kick(sr: int) -> np.ndarray:
    t = np.arange(int(0.35 * sr)) / sr
    f = 50 + 90 * np.exp(-t * 30)
    return np.sin(2 * np.pi * np.cumsum(f) / sr) * np.exp(-t * 9)


def _noise_hit(sr: int, dur: float, decay: float, rng, hp: bool) -> np.ndarray:
    n = rng.standard_normal(int(dur * sr))
    if hp:
        n = np.diff(n, prepend=0.0)  # crude high-pass: hats are bright
    return n * np.exp(-np.arange(len(n)) / sr / decay)


def music_bed(*, genre: str = "drama", mood: str = "calm", duration_s: float = 60.0, tempo: int | None = None,
              seed: int = 0, sample_rate: int = 44100) -> bytes:
    """Return a stereo 16-bit WAV music bed of ``duration_s`` seconds (±1 sample).

    Unknown genres fall back to drama and unknown moods to neutral. The tempo is nudged so a
    whole number of bars fills the duration, which makes the file loop seamlessly.
    Raises InvalidInput(field="duration_s"/"tempo"/"sample_rate").
    """
    if not isinstance(duration_s, (int, float)) or not 1.0 <= float(duration_s) <= 900:
        raise InvalidInput("duration_s must be from 1 to 900 seconds", field="duration_s")
    if tempo is not None and (not isinstance(tempo, int) or not 40 <= tempo <= 220):
        raise InvalidInput("tempo must be an integer from 40 to 220 BPM", field="tempo")
    if sample_rate not in (22050, 32000, 44100, 48000):
        raise InvalidInput("sample_rate must be 22050, 32000, 44100 or 48000", field="sample_rate")
    g = (genre or "drama").strip().lower().replace("scifi", "sci-fi").replace("science fiction", "sci-fi")
    style = GENRES.get(g, GENRES["drama"])
    factor, minor, drums, energy = MOODS.get((mood or "neutral").strip().lower(), MOODS["neutral"])
    minor = style.minor if minor is None else minor
    drums = style.drums if drums is None else drums
    sr = sample_rate
    bpm = tempo or int(round(style.tempo * factor))
    bar_s = 4 * 60.0 / bpm
    bars = max(1, round(float(duration_s) / bar_s))
    bar_s = float(duration_s) / bars  # nudge tempo: whole bars → seamless loop
    beat_s = bar_s / 4
    n = int(round(float(duration_s) * sr))
    buf = np.zeros((n, 2))
    h = int.from_bytes(hashlib.sha256(f"{g}:{mood}:{seed}".encode()).digest()[:4], "big")
    rng = np.random.default_rng(h)
    root = 45 + h % 8 + 12 * style.octave  # A2..E3, lower for dark genres
    scale = _MINOR if minor else _MAJOR
    prog = _PROGRESSIONS[minor]
    bright = style.brightness
    for b in range(bars):
        degree = prog[b % 4]
        chord = [root + 12 + scale[(degree + k) % 7] + 12 * ((degree + k) // 7) for k in (0, 2, 4)]
        start = int(b * bar_s * sr)
        for j, note in enumerate(chord):  # pad: slow swell across the bar
            _add(buf, start, 0.11 * _tone(_hz(note), bar_s * 1.1, sr, harmonics=0.3, attack=bar_s * 0.3,
                                          decay=bar_s * 2), pan=(j - 1) * 0.5)
        for beat in range(4):  # bass: root on each beat, octave on the offbeat when lively
            note = chord[0] - 12 + (12 if (beat % 2 and energy > 0.85) else 0)
            _add(buf, start + int(beat * beat_s * sr),
                 0.22 * _tone(_hz(note), beat_s * 0.95, sr, harmonics=0.6, attack=0.01, decay=beat_s * 0.8))
        if style.arp:  # arpeggio in eighths over the chord
            for e in range(8):
                note = chord[[0, 1, 2, 1][e % 4]] + 12
                _add(buf, start + int(e * beat_s / 2 * sr),
                     0.09 * energy * _tone(_hz(note), beat_s, sr, harmonics=bright, attack=0.005, decay=beat_s * 0.5),
                     pan=0.3 * np.sin(e))
        if drums:
            for beat in range(4):
                pos = start + int(beat * beat_s * sr)
                if beat in (0, 2):
                    _add(buf, pos, 0.5 * energy * _kick(sr))
                else:
                    _add(buf, pos, 0.16 * energy * _noise_hit(sr, 0.2, 0.05, rng, hp=False))
                for half in (0, 1):
                    _add(buf, pos + int(half * beat_s / 2 * sr), 0.05 * _noise_hit(sr, 0.05, 0.012, rng, hp=True),
                         pan=0.4)
    peak = float(np.max(np.abs(buf))) or 1.0
    return to_wav_bytes(buf / peak * 0.7, sr)
