"""The audio mix: place timeline sounds, duck music under voice, normalize loudness, limit peaks.

Everything is NumPy/SciPy on float32 stereo at 48 kHz. Loudness is measured with pyloudnorm
(ITU-R BS.1770-4 integrated loudness); true peak is estimated on a ×4 oversampled signal.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from math import gcd

import cv2
import numpy as np
import pyloudnorm
import soundfile as sf
from scipy.ndimage import grey_closing, maximum_filter1d, minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, resample_poly

from core.media.files import atomic_path
from core.models import LOUDNESS_TARGETS
from core.errors import InvalidInput, RenderError
from core.timeline.model import AudioItem, Timeline

RATE = 48_000
# AAC encoding adds a few tenths of a dB of inter-sample overshoot; limit below the ceiling so
# the encoded file still meets it.
CODEC_MARGIN_DB = 0.5
BLOCK = 48  # 1 ms control blocks for the ducking envelope
DUCK_HOLD_S = 1.5  # measured: the ~0.6 s gaps between speakers made the music swell 8–13 dB with no hold


@dataclass(frozen=True)
class MixResult:
    """The mixed film audio: float32 (n, 2) samples at ``rate``, its measured loudness and the
    WAV written (if any)."""

    samples: np.ndarray
    rate: int
    lufs: float
    true_peak_dbtp: float
    path: str | None
    duck_gain_db: np.ndarray  # music gain per 1 ms block (0 = not ducked), for inspection and tests


def load_audio(*, path: str, rate: int = RATE) -> np.ndarray:
    """Return a file's audio as float32 (n, 2) at ``rate`` (mono is duplicated, extra channels
    dropped). Raises RenderError when the file cannot be read."""
    try:
        data, sr = sf.read(path, dtype="float32", always_2d=True)
    except Exception as exc:
        raise RenderError(f"Cannot read audio {path}: {exc}", field="path") from exc
    if data.shape[1] == 1:
        data = np.repeat(data, 2, axis=1)
    data = data[:, :2]
    if sr != rate:
        g = gcd(sr, rate)
        data = resample_poly(data, rate // g, sr // g, axis=0).astype(np.float32)
    return np.ascontiguousarray(data)


def db_to_gain(db):
    return np.power(10.0, np.asarray(db, dtype=np.float64) / 20.0)


def _place(bus: np.ndarray, item: AudioItem, src: np.ndarray, rate: int, end_s: float) -> None:
    """Add one item into ``bus`` (in place): trim, loop, fades, gain, cut at the film end."""
    start = int(round(item.start_s * rate))
    n = int(round(min(item.duration_s, max(end_s - item.start_s, 0)) * rate))
    n = min(n, bus.shape[0] - start)
    if n <= 0 or src.shape[0] == 0:
        return
    off = int(round(item.trim_in_s * rate))
    if item.loop:
        idx = (off + np.arange(n)) % src.shape[0]
        seg = src[idx]
    else:
        seg = src[off:off + n]
        n = seg.shape[0]
        if n == 0:
            return
    env = np.ones(n, dtype=np.float32)
    fi, fo = int(item.fade_in_s * rate), int(item.fade_out_s * rate)
    if fi > 0:
        k = min(fi, n)
        env[:k] = np.linspace(0, 1, fi, dtype=np.float32)[:k]
    if fo > 0:
        k = min(fo, n)
        env[n - k:] *= np.linspace(1, 0, fo, dtype=np.float32)[fo - k:]
    bus[start:start + n] += seg * (env * np.float32(db_to_gain(item.gain_db)))[:, None]


def duck_envelope(*, voice: np.ndarray, rate: int = RATE, depth_db: float = -12.0,
                  attack_s: float = 0.05, release_s: float = 0.4, hold_s: float = DUCK_HOLD_S) -> np.ndarray:
    """Return the music gain in dB per 1 ms block, driven by the voice bus.

    An envelope follower: the voice's block peak level (dBFS) maps to a ducking amount between 0
    (below the threshold) and 1 (speech clearly present); the amount rises with the attack time
    constant and falls with the release time constant, so music dips smoothly under speech and
    comes back after the dialogue. Pauses shorter than ``hold_s`` (between two speakers, between
    sentences) stay ducked, so the music does not swell in every gap; after a longer pause, or the
    last line, it comes back at once. The result is ``depth_db × amount``.
    """
    return duck_from_levels(level=voice_levels(voice=voice), rate=rate, depth_db=depth_db, attack_s=attack_s,
                            release_s=release_s, hold_s=hold_s)


def voice_levels(*, voice: np.ndarray) -> np.ndarray:
    """Return the voice bus's peak level (dBFS) per 1 ms block (the last block may be partial)."""
    if voice.ndim == 1:
        mono = np.abs(voice)
    else:  # column by column: numpy's max over axis 1 of an (n, 2) array is ~15× slower
        mono = np.abs(voice[:, 0])
        for c in range(1, voice.shape[1]):
            np.maximum(mono, np.abs(voice[:, c]), out=mono)
    nb = int(np.ceil(mono.shape[0] / BLOCK))
    padded = np.zeros(nb * BLOCK, dtype=np.float32)
    padded[:mono.shape[0]] = mono
    return (20 * np.log10(padded.reshape(nb, BLOCK).max(axis=1) + 1e-9)).astype(np.float32)


def duck_from_levels(*, level: np.ndarray, rate: int = RATE, depth_db: float = -12.0, attack_s: float = 0.05,
                     release_s: float = 0.4, hold_s: float = DUCK_HOLD_S) -> np.ndarray:
    """Return the music gain in dB per block from the voice's block levels (``voice_levels``); the
    follower of ``duck_envelope``, usable on levels kept per segment."""
    nb = level.shape[0]
    peak = float(level.max()) if nb else -120.0
    # Threshold relative to the voice's own peak, so quiet and loud voice tracks duck alike.
    thr = max(peak - 30.0, -60.0)
    target = np.clip((level - thr) / 10.0, 0.0, 1.0)
    # Hold across the tiny gaps between syllables (~80 ms) so the music doesn't pump per word.
    target = maximum_filter1d(target, size=80, origin=39)
    hold = int(round(hold_s * rate / BLOCK))
    if hold > 1:  # closing: a gap shorter than the hold is filled, edges of longer ones stay put
        target = grey_closing(target, size=hold, mode="nearest")
    block_s = BLOCK / rate
    a_att = float(np.exp(-block_s / attack_s))
    a_rel = float(np.exp(-block_s / release_s))
    out = np.empty(nb, dtype=np.float32)
    env = 0.0
    for i, x in enumerate(target.tolist()):  # 1 ms steps: 120 k iterations for a 2-minute film
        a = a_att if x > env else a_rel
        env = a * env + (1.0 - a) * x
        out[i] = env
    return (depth_db * out).astype(np.float32)


# 48-tap ×4 interpolation filter, the length BS.1770-4 annex 2 uses for true-peak metering.
_TP_FILTER = firwin(48, 0.9 / 4, window=("kaiser", 5.0)).astype(np.float32)
TP_PAD = 32  # input samples around a stretch that its ×4 peaks depend on: > half the filter length


def _phase_kernels() -> list[tuple[np.ndarray, int]]:
    """The ×4 interpolation as four 12-tap filters, one per output phase, read off the response of
    ``resample_poly`` (the reference) to an impulse: (kernel for ``cv2.filter2D``, its anchor)."""
    impulse = np.zeros(2 * TP_PAD, dtype=np.float32)
    impulse[TP_PAD] = 1.0
    response = resample_poly(impulse, 4, 1, window=_TP_FILTER)
    kernels = []
    for p in range(4):
        g = response[p::4]  # output 4j + p = sum over i of g[j - i + TP_PAD] * x[i]
        nz = np.flatnonzero(g)
        taps = g[nz[0]:nz[-1] + 1].astype(np.float32)
        # filter2D correlates: dst[j] = sum_t k[t] * src[j + t - anchor]; with k the taps reversed
        kernels.append((np.ascontiguousarray(taps[::-1])[None, :], int(nz[-1] - TP_PAD)))
    return kernels


_TP_PHASES = _phase_kernels()


def oversampled_peaks(x: np.ndarray) -> np.ndarray:
    """Return, per input sample, the largest |value| over channels of the ×4 oversampled signal
    (``resample_poly`` with ``_TP_FILTER``, to float32 rounding).

    Each output phase is one short FIR over the input, run by OpenCV (vectorised, about 3.5× faster
    than ``resample_poly`` here), in float32: a 2-minute film never holds a 4× copy in memory.
    """
    x = x if x.ndim == 2 else x[:, None]
    out = np.zeros(x.shape[0], dtype=np.float32)
    if x.shape[0] == 0:
        return out
    for c in range(x.shape[1]):
        row = np.ascontiguousarray(x[:, c], dtype=np.float32)[None, :]
        for kernel, anchor in _TP_PHASES:
            y = cv2.filter2D(row, -1, kernel, anchor=(anchor, 0), borderType=cv2.BORDER_CONSTANT)[0]
            np.maximum(out, np.abs(y), out=out)
    return out


def true_peak_db(x: np.ndarray) -> float:
    """Estimate the true peak (dBTP) from a ×4 oversampled copy (BS.1770 annex 2 style)."""
    if x.size == 0:
        return -120.0
    x = x if x.ndim == 2 else x[:, None]
    return float(20 * np.log10(oversampled_peaks(x).max() + 1e-12))


def limiter_gain(peaks: np.ndarray, *, ceiling_db: float, rate: int) -> np.ndarray:
    """Return a look-ahead limiter's per-sample gain (≤ 1) for a signal with these true peaks.

    The gain needed at each sample is min-filtered over ±L samples and then box-smoothed over L,
    so at every peak the smoothed gain is at most the gain it needs: it has already come down
    when the peak arrives. L is 5 ms, short enough not to be heard as pumping.
    """
    ceiling = float(db_to_gain(ceiling_db))
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-9)).astype(np.float32)
    if need.min() >= 1.0:
        return need
    look = max(int(0.005 * rate), 1)
    g = minimum_filter1d(need, size=2 * look + 1, mode="nearest")
    return uniform_filter1d(g, size=look, mode="nearest")


def k_weighted_power(x: np.ndarray, *, rate: int) -> np.ndarray:
    """Return Σ over channels of the K-weighted signal squared, per sample (BS.1770 stage 1),
    with the same filters pyloudnorm's K-weighting meter uses."""
    from pyloudnorm.iirfilter import IIRfilter

    stages = (IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf"), IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"))
    x = x if x.ndim == 2 else x[:, None]
    power = np.zeros(x.shape[0], dtype=np.float64)
    for c in range(x.shape[1]):
        y = x[:, c].astype(np.float64)
        for st in stages:
            y = st.apply_filter(y)
        power += y * y
    return power


def gating_blocks(*, n: int, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (first sample, end sample) of the BS.1770-4 gating blocks of an n-sample signal:
    400 ms long, every 100 ms, as pyloudnorm lays them out."""
    block = 0.4
    nblocks = max(int(np.round((n / rate - block) / (block * 0.25))) + 1, 0)
    j = np.arange(nblocks)
    lo = (block * (j * 0.25) * rate).astype(np.int64)
    hi = np.minimum((block * (j * 0.25 + 1) * rate).astype(np.int64), n)
    return lo, hi


def gate_block_means(z: np.ndarray) -> float:
    """Integrated loudness (LUFS) from the mean K-weighted power of each gating block: absolute
    gate −70 LUFS, relative gate −10 LU. Returns −inf for silence (or no block)."""
    if z.size == 0:
        return float("-inf")
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(z)
    above = loud >= -70.0
    if not above.any():
        return float("-inf")
    rel = -0.691 + 10 * np.log10(z[above].mean()) - 10.0
    keep = (loud > rel) & (loud > -70.0)
    if not keep.any():
        return float("-inf")
    return float(-0.691 + 10 * np.log10(z[keep].mean()))


def gated_loudness(power: np.ndarray, *, rate: int) -> float:
    """Integrated loudness (LUFS) from per-sample K-weighted power: 400 ms blocks every 100 ms,
    absolute gate −70 LUFS, relative gate −10 LU — BS.1770-4 as pyloudnorm computes it, but with
    one cumulative sum instead of a Python loop over blocks. Returns −inf for silence."""
    lo, hi = gating_blocks(n=power.shape[0], rate=rate)
    csum = np.concatenate(([0.0], np.cumsum(power)))
    return gate_block_means((csum[hi] - csum[lo]) / (0.4 * rate))


def measure_loudness(*, path_or_array, rate: int | None = None) -> tuple[float, float]:
    """Return (integrated loudness in LUFS, true peak in dBTP) of a WAV path or an array.

    Raises InvalidInput when an array is given without ``rate`` or the audio is too short to
    measure (under 0.4 s).
    """
    if isinstance(path_or_array, (str, os.PathLike)):
        data, rate = sf.read(str(path_or_array), dtype="float32", always_2d=True)
    else:
        if rate is None:
            raise InvalidInput("rate is required with an array", field="rate")
        data = np.asarray(path_or_array, dtype=np.float32)
    if data.shape[0] < int(0.4 * rate):
        raise InvalidInput("Audio shorter than 0.4 s cannot be measured", field="path_or_array")
    lufs = float(pyloudnorm.Meter(rate).integrated_loudness(data))
    return lufs, true_peak_db(data)


def mix_timeline(*, timeline: Timeline, out_path: str | None = None, loudness_lufs: float = -14.0,
                 true_peak_dbtp: float = -1.0, duck_db: float = -12.0, rate: int = RATE) -> MixResult:
    """Mix the timeline's voice, music and SFX tracks to float32 stereo and normalize it.

    Music is ducked by ``duck_envelope`` of the voice bus; then the sum is gained to
    ``loudness_lufs`` integrated and limited so the true peak stays at or under
    ``true_peak_dbtp`` (with a margin for AAC). Writes a float WAV to ``out_path`` atomically when
    given. Returns a MixResult. Raises InvalidInput for an unsupported loudness target and
    RenderError when a source cannot be read.
    """
    if loudness_lufs not in LOUDNESS_TARGETS:
        raise InvalidInput(f"loudness_lufs must be one of {LOUDNESS_TARGETS}", field="loudness_lufs")
    end_s = timeline.duration_s
    n = int(round(end_s * rate))
    buses = {k: np.zeros((n, 2), dtype=np.float32) for k in ("voice", "music", "sfx")}
    cache: dict[str, np.ndarray] = {}
    for item in timeline.audio():
        if item.path not in cache:
            cache[item.path] = load_audio(path=item.path, rate=rate)
        _place(buses[item.track], item, cache[item.path], rate, end_s)

    duck = duck_envelope(voice=buses["voice"], rate=rate, depth_db=duck_db)
    per_sample = np.repeat(db_to_gain(duck).astype(np.float32), BLOCK)[:n]
    mix = buses["voice"] + buses["sfx"] + buses["music"] * per_sample[:, None]
    del buses, cache, per_sample  # a 2-minute film's buses are ~140 MB; free them before metering

    ceiling = true_peak_dbtp - CODEC_MARGIN_DB
    lufs = -120.0
    meter = pyloudnorm.Meter(rate)
    if n >= int(0.4 * rate) and np.abs(mix).max() > 0:
        # Peaks scale with gain, so the oversampled peak envelope is computed once; then the
        # static gain is corrected until gain + limiter land on the target (limiting lowers
        # loudness a little, so the gain is raised to compensate).
        peaks = oversampled_peaks(mix)
        # K-weighting is linear and the limiter's gain moves slowly (5 ms smoothing), so the
        # loudness of gain × limiter × mix is computed from the mix's K-weighted power scaled by
        # the squared gain curve: each correction step costs a cumulative sum, not a full meter
        # pass. pyloudnorm then measures the result once (the reported figure), and a residual
        # error beyond 0.3 LU is corrected with pyloudnorm in the loop.
        power = k_weighted_power(mix, rate=rate)
        raw = gated_loudness(power, rate=rate)
        if np.isfinite(raw):
            gain_db = loudness_lufs - raw
            for _ in range(6):
                g = float(db_to_gain(gain_db))
                lim = limiter_gain(peaks * g, ceiling_db=ceiling, rate=rate)
                est = gated_loudness(power * (lim.astype(np.float64) * g) ** 2, rate=rate)
                if abs(est - loudness_lufs) < 0.05:
                    break
                gain_db += loudness_lufs - est
            del power
            for attempt in range(3):
                out = mix * (lim * np.float32(g))[:, None]
                lufs = float(meter.integrated_loudness(out))
                if abs(lufs - loudness_lufs) < 0.3 or attempt == 2:  # 0.3: well inside ±1 LU
                    break
                gain_db += loudness_lufs - lufs
                g = float(db_to_gain(gain_db))
                lim = limiter_gain(peaks * g, ceiling_db=ceiling, rate=rate)
            mix = out.astype(np.float32)
            # Peaks scale with the gain applied, so the limited signal's true peak is known
            # without oversampling again (the gain moves too slowly to change it between samples).
            tp = float(20 * np.log10(float((peaks * lim).max()) * g + 1e-12))
            if tp > ceiling + 0.01:  # smoothing never lets this happen (beyond rounding); a guard
                mix *= np.float32(db_to_gain(ceiling - tp))
                tp = ceiling
                lufs = float(meter.integrated_loudness(mix))
        else:
            tp = true_peak_db(mix)
    else:
        tp = true_peak_db(mix) if mix.size else -120.0
    if out_path:
        write_wav(path=out_path, samples=mix, rate=rate)
    return MixResult(samples=mix, rate=rate, lufs=lufs, true_peak_dbtp=tp, path=out_path, duck_gain_db=duck)


def write_wav(*, path: str, samples: np.ndarray, rate: int) -> str:
    """Write float WAV atomically (temp file + rename); returns the path."""
    with atomic_path(path) as tmp:
        sf.write(tmp, samples, rate, subtype="FLOAT", format="WAV")
    return str(path)
