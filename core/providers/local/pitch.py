"""Pitch and formant shifting with Praat (praat-parselmouth), keeping duration: the shared tool
of the TTS voices and voice-to-voice conversion."""
from __future__ import annotations

import math

import numpy as np
import parselmouth
from parselmouth.praat import call

from core.errors import RenderError


def median_f0(samples: np.ndarray, sr: int, *, floor: float = 60.0, ceiling: float = 600.0) -> float:
    """Return the median F0 (Hz) of the voiced parts, or NaN when nothing is voiced."""
    snd = parselmouth.Sound(np.asarray(samples, dtype=np.float64), sampling_frequency=sr)
    pitch = snd.to_pitch(pitch_floor=floor, pitch_ceiling=ceiling)
    return float(call(pitch, "Get quantile", 0, 0, 0.5, "Hertz"))


def shift_voice(samples: np.ndarray, sr: int, *, semitones: float = 0.0, formant_ratio: float = 1.0) -> np.ndarray:
    """Return the samples with pitch moved by ``semitones`` and formants scaled by ``formant_ratio``
    (Praat "Change gender", PSOLA), same length. Raises RenderError when Praat fails."""
    if abs(semitones) < 1e-3 and abs(formant_ratio - 1.0) < 1e-3:
        return samples
    try:
        snd = parselmouth.Sound(np.asarray(samples, dtype=np.float64), sampling_frequency=sr)
        f0 = median_f0(samples, sr)
        new_median = f0 * 2 ** (semitones / 12) if math.isfinite(f0) and f0 > 0 else 0.0
        # Analysis range generous enough for both low male and child voices.
        out = call(snd, "Change gender", 60, 600, float(formant_ratio), new_median, 1.0, 1.0)
        y = np.asarray(out.values[0], dtype=np.float64)
    except parselmouth.PraatError as exc:
        raise RenderError(f"pitch shift failed (Praat): {exc}") from exc
    n = len(samples)
    if len(y) >= n:
        y = y[:n]
    else:
        y = np.pad(y, (0, n - len(y)))
    return y
