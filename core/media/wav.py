"""WAV in and out for the audio engines: float arrays ↔ 16-bit PCM WAV bytes, and decoding any
audio file (via soundfile, or the bundled ffmpeg for compressed formats) to floats.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile as sf

from core.errors import InvalidInput, RenderError
from core.media.ffmpeg import run_ffmpeg


def to_wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """Return 16-bit PCM WAV bytes for float samples in [-1, 1] (shape (n,) or (n, channels))."""
    data = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    pcm = np.round(data * 32767.0).astype(np.int16)
    buf = io.BytesIO()
    sf.write(buf, pcm, int(sample_rate), format="WAV", subtype="PCM_16")
    return buf.getvalue()


def read_audio(source: Path | bytes, *, mono: bool = True, field: str = "audio") -> tuple[np.ndarray, int]:
    """Decode an audio file or WAV bytes; return (float64 samples, sample_rate).

    Mono input (or ``mono=True``) gives shape (n,); otherwise (n, channels).
    Raises InvalidInput(field) when the source is missing or not decodable audio.
    """
    if isinstance(source, (bytes, bytearray)):
        handle: object = io.BytesIO(source)
    else:
        source = Path(source)
        if not source.is_file():
            raise InvalidInput(f"{field}: no such file: {source}", field=field)
        handle = str(source)
    try:
        data, sr = sf.read(handle, dtype="float64", always_2d=True)
    except Exception:
        # Formats libsndfile does not read (mp3 on old builds, webm, m4a): decode with ffmpeg.
        if isinstance(source, (bytes, bytearray)):
            raise InvalidInput(f"{field}: not decodable audio", field=field) from None
        try:
            raw = run_ffmpeg(["-loglevel", "error", "-i", str(source), "-f", "wav", "-acodec", "pcm_s16le",
                              "-"], what=f"decoding {source.name}")
            data, sr = sf.read(io.BytesIO(raw), dtype="float64", always_2d=True)
        except (RenderError, RuntimeError, sf.LibsndfileError) as exc:
            raise InvalidInput(f"{field}: not decodable audio: {source.name}", field=field) from exc
    if data.shape[0] == 0:
        raise InvalidInput(f"{field}: the audio is empty", field=field)
    if mono or data.shape[1] == 1:
        return data.mean(axis=1), int(sr)
    return data, int(sr)


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Return samples resampled from src_rate to dst_rate (polyphase, along axis 0)."""
    if src_rate == dst_rate:
        return samples
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(int(src_rate), int(dst_rate))
    return resample_poly(samples, dst_rate // g, src_rate // g, axis=0)


def envelope(samples: np.ndarray, sample_rate: int, *, fps: float, n_frames: int) -> np.ndarray:
    """Return the RMS loudness per video frame (length n_frames), normalised to [0, 1]."""
    hop = sample_rate / fps
    out = np.zeros(n_frames)
    for i in range(n_frames):
        a, b = int(i * hop), int((i + 1) * hop)
        seg = samples[a:b]
        out[i] = float(np.sqrt(np.mean(seg ** 2))) if len(seg) else 0.0
    peak = np.percentile(out, 95) if n_frames else 0.0
    return np.clip(out / peak, 0.0, 1.0) if peak > 1e-6 else out
