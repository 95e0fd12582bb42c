"""Voice-to-voice: move a recording toward a local voice profile by pitch and formant shifting
(Praat PSOLA via parselmouth), keeping its timing exactly."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from core.errors import InvalidInput
from core.providers.local.pitch import median_f0, shift_voice
from core.providers.local.voices import get_voice
from core.media.wav import read_audio, to_wav_bytes

# Typical speaking F0 each profile aims at: the bundled model speaks near 100 Hz, shifted by the profile.
_BASE_F0 = 100.0


def target_f0(voice: str) -> float:
    """Return the median F0 (Hz) a voice profile speaks at."""
    return _BASE_F0 * 2 ** (get_voice(voice).pitch_shift / 12)


def convert_voice(*, audio: Path, voice: str, pitch_shift: float | None = None,
                  formant_shift: float | None = None) -> bytes:
    """Return WAV bytes (mono 16-bit, input sample rate, same length) of ``audio`` spoken toward
    ``voice``.

    By default the pitch moves from the recording's own median F0 to the profile's target F0
    (so any speaker lands near the character's voice) and formants scale by the profile's ratio;
    ``pitch_shift`` (semitones, relative to the input) and ``formant_shift`` (ratio) override.
    Raises InvalidInput(field="audio"/"voice"/"pitch_shift"/"formant_shift").
    """
    profile = get_voice(voice)
    samples, sr = read_audio(Path(audio), mono=True, field="audio")
    if len(samples) < sr * 0.05:
        raise InvalidInput("audio: the recording is shorter than 50 ms", field="audio")
    if pitch_shift is not None and not -24 <= float(pitch_shift) <= 24:
        raise InvalidInput("pitch_shift must be from -24 to 24 semitones", field="pitch_shift")
    if formant_shift is not None and not 0.5 <= float(formant_shift) <= 2.0:
        raise InvalidInput("formant_shift must be a ratio from 0.5 to 2.0", field="formant_shift")
    if pitch_shift is None:
        f0 = median_f0(samples, sr)
        pitch_shift = 12 * math.log2(target_f0(voice) / f0) if math.isfinite(f0) and f0 > 0 else profile.pitch_shift
        pitch_shift = max(-24.0, min(24.0, pitch_shift))
    ratio = profile.formant_shift if formant_shift is None else float(formant_shift)
    out = shift_voice(samples, sr, semitones=float(pitch_shift), formant_ratio=ratio)
    peak = float(np.max(np.abs(out))) or 1.0
    if peak > 0.99:
        out = out / peak * 0.99
    return to_wav_bytes(out, sr)
