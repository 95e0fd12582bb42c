"""How a line is heard: the sound of a radio, a phone or a voice-over laid on a spoken line.

Each treatment keeps the line's length sample for sample, so its word timings (subtitles, lip
sync) still hold. ``treatment_for`` reads which one a line needs from its parenthetical and cue
extensions, as a screenplay writes them: "(over the radio)", "(on phone)", "(V.O.)".
"""
from __future__ import annotations

import re

import numpy as np
from scipy.signal import butter, sosfilt

from core.errors import InvalidInput

TREATMENTS = ("radio", "phone", "voice-over")
_RADIO = re.compile(r"\b(radio|walkie|walkie-talkie|intercom|comms|transmission|dispatch|over the speaker|"
                    r"cb|headset|loudspeaker|p\.?a\.?)\b", re.I)
_PHONE = re.compile(r"\b(phone|telephone|cell|cellphone|mobile|on the line|voicemail|speakerphone|filtered|"
                    r"receiver|answering machine)\b", re.I)


def treatment_for(*, parenthetical: str = "", extensions: list[str] | tuple[str, ...] = ()) -> str | None:
    """Return "radio", "phone", "voice-over" or None for a line's acting note and cue extensions
    ("MAYA (V.O.)" with "(on phone)" is a phone call; a plain (V.O.) is a voice-over)."""
    note = " ".join([parenthetical or ""] + [e for e in extensions if e not in ("V.O.", "O.S.", "O.C.", "CONT'D")])
    if _RADIO.search(note):
        return "radio"
    if _PHONE.search(note):
        return "phone"
    if any(e.replace(" ", "").upper() in ("V.O.", "VO", "V.O") for e in extensions):
        return "voice-over"
    return None


def _band(x: np.ndarray, sr: int, lo: float, hi: float, order: int = 4) -> np.ndarray:
    return sosfilt(butter(order, [lo, min(hi, sr / 2 * 0.95)], btype="band", fs=sr, output="sos"), x)


def _compress(x: np.ndarray, sr: int, amount: float) -> np.ndarray:
    """Even out the level (a slow RMS follower): loud syllables come down by up to ``amount``."""
    win = max(int(0.03 * sr), 1)
    rms = np.sqrt(np.convolve(x * x, np.ones(win) / win, mode="same") + 1e-9)
    ref = np.percentile(rms[rms > rms.max() * 0.05], 50) if np.any(rms > rms.max() * 0.05) else rms.max()
    gain = np.minimum(1.0, (ref / np.maximum(rms, 1e-9)) ** amount)
    return x * gain


def apply_treatment(samples: np.ndarray, sr: int, *, treatment: str, seed: int = 0) -> np.ndarray:
    """Return ``samples`` (mono float) as heard through ``treatment``, same length, peak ≤ 0.89.

    radio: 300–3000 Hz band, overdriven, a little hiss and a squelch at both ends; phone: 300–3400
    Hz band, lightly saturated and levelled; voice-over: close and even (rumble cut below 80 Hz,
    gently compressed). Raises InvalidInput(field="treatment") for another name.
    """
    if treatment not in TREATMENTS:
        raise InvalidInput(f"treatment must be one of {', '.join(TREATMENTS)}", field="treatment")
    x = np.asarray(samples, dtype=np.float64)
    if x.size == 0:
        return x
    peak = float(np.max(np.abs(x))) or 1.0
    x = x / peak
    rng = np.random.default_rng(seed)
    if treatment == "radio":
        y = np.tanh(3.0 * _band(x, sr, 300, 3000)) / np.tanh(3.0)
        y += 0.02 * _band(rng.standard_normal(len(x)), sr, 1000, 5000)
        k = min(int(0.09 * sr), len(x) // 4)
        if k:
            burst = 0.25 * _band(rng.standard_normal(k), sr, 800, 4000) * np.linspace(1, 0, k)
            y[:k] += burst
            y[-k:] += burst[::-1]
        y = _band(y, sr, 250, 3400, order=2)
    elif treatment == "phone":
        y = np.tanh(1.6 * _compress(_band(x, sr, 300, 3400), sr, 0.5))
        y = _band(y, sr, 300, 3400, order=2)
    else:
        y = sosfilt(butter(2, 80, btype="high", fs=sr, output="sos"), _compress(x, sr, 0.35))
    top = float(np.max(np.abs(y))) or 1.0
    return y / top * 0.89
