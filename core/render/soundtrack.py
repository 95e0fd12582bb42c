"""The film's soundtrack, made incrementally: one cached mix per segment window, one cheap film pass.

Each video segment (a shot, or a black gap) has an audio window of the same length. A window's
voice and SFX are mixed once per content hash (the items in it, placed relative to the window's
start, and their files' bytes) into ``<cache>/win-<hash>.npz``, with what the film pass needs
from it per 1 ms block: the K-weighted energy (BS.1770 stage 1), the ×4-oversampled peak and the
voice level. Music beds run under the whole film, so they are added in the film pass from the
decoded bed kept once per file (``bed-<hash>.npz``: samples, K-weighted power and oversampled
peaks), ducked by the follower of ``core.render.mix`` run over the film's voice levels (so a
pause that crosses a cut stays ducked, exactly as in one pass).

The film pass never decodes, filters or oversamples the film. The integrated loudness is gated
(400 ms blocks every 100 ms) from the stored block energies — the windows' energy plus the ducked
music's; their cross term averages out over a 400 ms block — the look-ahead limiter works on
block peaks (the sum of the parts' peaks: an upper bound of the true peak), and the result is
streamed window by window into the AAC encoder. So lengthening one shot costs that window's mix
and this pass, not a new mix of the film.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.errors import Cancelled
from core.media.files import atomic_path, atomic_write_text
from core.render.aac import Track, encode_track
from core.render.mix import (BLOCK, CODEC_MARGIN_DB, RATE, TP_PAD, db_to_gain, duck_from_levels, gate_block_means,
                             gating_blocks, k_weighted_power, limiter_gain, load_audio, oversampled_peaks,
                             voice_levels)
from core.timeline.model import AudioItem, Timeline

KW_TAIL = RATE // 2  # samples the K-weighting filters ring on after a sound ends (38 Hz high-pass)

# Bump when the window mix or the film pass changes, so stale cached windows are not reused.
WINDOW_VERSION = "win-1"
FILM_VERSION = "film-3"  # film-2: gain on a 0.2 dB grid, AAC in cached chunks; film-3: kept as ADTS
# The film gain is rounded to this grid (±0.1 dB), so a change late in the film leaves the samples
# before it bit-identical and their encoded AAC chunks are reused.
GAIN_STEP_DB = 0.2


@dataclass(frozen=True)
class Window:
    """One segment's stretch of the film: where it starts on the timeline, and its frames."""

    start_s: float
    nframes: int


@dataclass(frozen=True)
class Soundtrack:
    """The encoded film audio and its figures (``lufs``/``true_peak`` of the limited mix)."""

    track: Track  # muxed by the film's assembly (its input and output options)
    lufs: float
    true_peak: float
    windows_mixed: int
    windows_reused: int
    chunks_encoded: int = 0  # AAC chunks encoded (the others were reused from the cache)


def window_samples(*, windows: list[Window], fps: int, rate: int = RATE) -> list[tuple[int, int]]:
    """Return (first sample in the film, sample count) per window; windows follow each other
    exactly, on the frame grid of the video segments."""
    out, frames = [], 0
    for w in windows:
        a = int(round(frames * rate / fps))
        frames += w.nframes
        out.append((a, int(round(frames * rate / fps)) - a))
    return out


def _envelope(item: AudioItem, j: np.ndarray, length: int, rate: int) -> np.ndarray:
    """Fade-in/out gain of an item at item-relative samples ``j`` (of ``length``); the same ramps
    as ``core.render.mix`` (linear, from the item's start and to its end)."""
    env = np.ones(j.shape[0], dtype=np.float32)
    fi, fo = int(item.fade_in_s * rate), int(item.fade_out_s * rate)
    if fi > 0:
        m = j < fi
        env[m] = j[m] / (fi - 1) if fi > 1 else 0.0
    if fo > 0:
        q = j - (length - fo)
        m = q >= max(fo - min(fo, length), 0)
        env[m] *= (1.0 - q[m] / (fo - 1)) if fo > 1 else 1.0
    return env * np.float32(db_to_gain(item.gain_db))


def _item_span(item: AudioItem, src_len: int, rel: int, limit: int, rate: int) -> int:
    """Samples the item lasts: its duration, cut at ``limit`` samples after the window start
    (the film end) and, unless it loops, at the end of its file."""
    n = min(int(round(item.duration_s * rate)), limit - rel)
    if not item.loop:
        n = min(n, src_len - int(round(item.trim_in_s * rate)))
    return max(n, 0)


def _part(item: AudioItem, *, rel: int, length: int, n: int, src_len: int, rate: int):
    """Where an item (starting ``rel`` samples after a bus start, ``length`` long) sounds in an
    n-sample bus: (first, end, source sample indices, gain per sample), or None."""
    i0, i1 = max(rel, 0), min(rel + length, n)
    if i1 <= i0 or src_len == 0:
        return None
    j = np.arange(i0 - rel, i1 - rel)
    idx = int(round(item.trim_in_s * rate)) + j
    if item.loop:
        idx %= src_len
    return i0, i1, idx, _envelope(item, j, length, rate)


def _take(src: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``src[idx]`` for an item's source indices: a view when they run on without wrapping (an item
    that does not loop, or a loop between two wraps), which saves gathering every sample."""
    if idx.size and int(idx[-1]) - int(idx[0]) == idx.size - 1:
        return src[int(idx[0]):int(idx[-1]) + 1]
    return src[idx]


def _place(bus: np.ndarray, item: AudioItem, src: np.ndarray, *, rel: int, length: int, rate: int,
           gain: np.ndarray | None = None) -> None:
    """Add the part of ``item`` that falls inside ``bus``; ``gain`` multiplies it per bus sample
    (ducking)."""
    part = _part(item, rel=rel, length=length, n=bus.shape[0], src_len=src.shape[0], rate=rate)
    if part is None:
        return
    i0, i1, idx, env = part
    if gain is not None:
        env = env * gain[i0:i1]
    bus[i0:i1] += _take(src, idx) * env[:, None]


class _Sources:
    """Decoded sound files of one render, each read once."""

    def __init__(self, rate: int):
        self.rate, self.data = rate, {}

    def get(self, path: str) -> np.ndarray:
        if path not in self.data:
            self.data[path] = load_audio(path=path, rate=self.rate)
        return self.data[path]


def _block_starts(n: int) -> np.ndarray:
    return np.arange(0, n, BLOCK)


def _mix_window(*, parts: list[tuple[AudioItem, int, int]], n: int, sources: _Sources, rate: int) -> dict:
    """Mix one window's voice and SFX; returns the arrays kept in its cache file."""
    voice = np.zeros((n, 2), dtype=np.float32)
    other = np.zeros((n, 2), dtype=np.float32)
    for item, rel, length in parts:
        _place(voice if item.track == "voice" else other, item, sources.get(item.path), rel=rel, length=length,
               rate=rate)
    starts = _block_starts(n)
    level = voice_levels(voice=voice)
    other += voice
    nonzero = other.reshape(-1) != 0
    if parts and nonzero.any():
        # Only the stretch that sounds is filtered: before it the filters rest at zero, and after it
        # their tails die away within KW_TAIL (to below 1e-20); the ×4 peaks of silence are zero.
        ch = other.shape[1]
        first, last = int(nonzero.argmax()) // ch, (nonzero.size - 1 - int(nonzero[::-1].argmax())) // ch
        a, b = first, min(last + 1 + KW_TAIL, n)
        power = np.zeros(n)
        power[a:b] = k_weighted_power(other[a:b], rate=rate)
        pa, pb = max(a - TP_PAD, 0), min(b + TP_PAD, n)
        peaks = np.zeros(n, dtype=np.float32)
        peaks[pa:pb] = oversampled_peaks(other[pa:pb])
        energy, peak = np.add.reduceat(power, starts), np.maximum.reduceat(peaks, starts)
    else:
        energy, peak = np.zeros(starts.shape[0]), np.zeros(starts.shape[0], dtype=np.float32)
    return {"pcm": other, "energy": energy.astype(np.float64), "peak": peak.astype(np.float32), "level": level}


def _bed(*, path: str, digest: str, cache: Path, sources: _Sources, rate: int) -> dict:
    """Return a music file's samples with its K-weighted power and oversampled peaks per sample,
    computed once per file (as a loop: filters and peaks see the end before the start)."""
    target = cache / f"bed-{hashlib.sha256(f'{digest}:{rate}'.encode()).hexdigest()[:32]}.npz"
    if target.exists():
        os.utime(target)
        with np.load(target) as z:
            return {k: z[k] for k in z.files}
    src = sources.get(path)
    pre = min(src.shape[0], rate // 2)  # settles the K-weighting filters on the loop's end
    power = k_weighted_power(np.concatenate([src[src.shape[0] - pre:], src]), rate=rate)[pre:]
    pad = min(src.shape[0], 64)
    peaks = oversampled_peaks(np.concatenate([src[src.shape[0] - pad:], src, src[:pad]]))[pad:pad + src.shape[0]]
    data = {"pcm": src, "power": power.astype(np.float32), "peak": peaks.astype(np.float32)}
    _save(target, data)
    return data


def _save(target: Path, data: dict) -> None:
    with atomic_path(target) as tmp:  # only a complete file ever enters the cache
        with open(tmp, "wb") as fh:
            np.savez(fh, **data)


def _key(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def render_soundtrack(*, timeline: Timeline, windows: list[Window], cache: Path, digest, loudness_lufs: float,
                      true_peak_dbtp: float = -1.0, duck_db: float = -12.0, rate: int = RATE,
                      encoders: int = 3, cancel_event: threading.Event | None = None) -> Soundtrack:
    """Mix and encode the film's audio (AAC in MP4) for these windows, reusing cached windows and a
    cached identical soundtrack. ``digest(path=...)`` returns a file's content hash; ``encoders``
    is how many AAC encoders may run at a time.

    The mix is gained to ``loudness_lufs`` integrated and limited so its true peak stays at or
    under ``true_peak_dbtp`` (with a margin for AAC). Returns a Soundtrack. Raises Cancelled when
    ``cancel_event`` is set, RenderError when a sound file cannot be read or ffmpeg fails.
    """
    cache.mkdir(parents=True, exist_ok=True)
    spans = window_samples(windows=windows, fps=timeline.fps, rate=rate)
    total = sum(n for _, n in spans)
    film_end = total / rate
    sources = _Sources(rate)
    others = [a for a in timeline.audio() if a.track != "music"]
    music = [a for a in timeline.audio("music")]

    def check_cancel():
        if cancel_event is not None and cancel_event.is_set():
            raise Cancelled("Render cancelled")

    # -- windows: voice and SFX mixed once per content -----------------------------------------
    keys, mixed = [], 0
    for w, (a, n) in zip(windows, spans):
        parts, desc = [], []
        limit = int(round((film_end - w.start_s) * rate))  # items stop at the film end
        for it in others:
            if it.end_s <= w.start_s or it.start_s >= w.start_s + n / rate:
                continue
            rel = int(round((it.start_s - w.start_s) * rate))
            length = min(int(round(it.duration_s * rate)), limit - rel)
            if length <= 0:
                continue
            parts.append((it, rel, length))
            desc.append([it.model_dump(exclude={"path", "start_s", "item_id", "shot_id"}), rel, length,
                         digest(path=it.path)])
        key = _key({"v": WINDOW_VERSION, "rate": rate, "n": n, "items": desc})
        keys.append(key)
        target = cache / f"win-{key}.npz"
        if target.exists():
            os.utime(target)  # recently used, for prune_cache
            continue
        check_cancel()
        # Files shorter than an item stop early (the same rule as mix_timeline).
        parts = [(it, rel, min(length, _item_span(it, sources.get(it.path).shape[0], rel, limit, rate)))
                 for it, rel, length in parts]
        _save(target, _mix_window(parts=parts, n=n, sources=sources, rate=rate))
        mixed += 1

    beds = []  # (item, bed, first film sample, samples it sounds): placed once, read by both film passes
    for it in music:
        bed = _bed(path=it.path, digest=digest(path=it.path), cache=cache, sources=sources, rate=rate)
        start = int(round(it.start_s * rate))
        beds.append((it, bed, start, _item_span(it, bed["pcm"].shape[0], start, total, rate)))
    film_key = _key({"v": FILM_VERSION, "rate": rate, "windows": [[k, a, n] for k, (a, n) in zip(keys, spans)],
                     "music": [[it.model_dump(exclude={"path", "item_id"}), digest(path=it.path)] for it in music],
                     "lufs": loudness_lufs, "tp": true_peak_dbtp, "duck": duck_db})
    adts, meta = cache / f"film-{film_key}.adts", cache / f"film-{film_key}.json"
    if adts.exists() and meta.exists():
        os.utime(adts)
        stats = json.loads(meta.read_text())
        return Soundtrack(track=Track(path=str(adts), rate=rate, packets=stats["packets"], last=stats["last"]),
                          lufs=stats["lufs"], true_peak=stats["true_peak"], windows_mixed=mixed,
                          windows_reused=len(windows) - mixed)

    # -- film pass 1: block figures of the whole film ------------------------------------------
    check_cancel()
    stored = []
    for key in keys:
        with np.load(cache / f"win-{key}.npz") as z:
            stored.append({k: z[k] for k in ("energy", "peak", "level")})
    duck = duck_from_levels(level=np.concatenate([s["level"] for s in stored]), rate=rate, depth_db=duck_db)
    offsets = np.cumsum([0] + [s["level"].shape[0] for s in stored])

    def music_gain(k: int, n: int) -> np.ndarray:
        blocks = db_to_gain(duck[offsets[k]:offsets[k + 1]]).astype(np.float32)
        return np.repeat(blocks, BLOCK)[:n]

    def music_parts(k: int, a: int, n: int):
        """(item, bed, rel, length, per-sample duck gain) of each bed sounding in window k."""
        out, gain = [], None
        for it, bed, start, length in beds:
            if start + length <= a or start >= a + n:
                continue
            gain = music_gain(k, n) if gain is None else gain
            out.append((it, bed, start - a, length, gain))
        return out

    energy, peak = [], []
    for k, ((a, n), s) in enumerate(zip(spans, stored)):
        e, p = s["energy"].copy(), s["peak"].astype(np.float64)
        starts = _block_starts(n)
        for it, bed, rel, length, gain in music_parts(k, a, n):
            part = _part(it, rel=rel, length=length, n=n, src_len=bed["pcm"].shape[0], rate=rate)
            if part is None:
                continue
            i0, i1, idx, env = part
            amp = np.zeros(n, dtype=np.float32)
            amp[i0:i1] = np.abs(env * gain[i0:i1])
            pw = np.zeros(n, dtype=np.float64)
            pw[i0:i1] = _take(bed["power"], idx) * amp[i0:i1].astype(np.float64) ** 2  # power: gain squared
            e += np.add.reduceat(pw, starts)
            amp[i0:i1] *= _take(bed["peak"], idx)
            p += np.maximum.reduceat(amp, starts)  # the parts' peaks add up: an upper bound
        energy.append(e)
        peak.append(p)
    block_energy, block_peak = np.concatenate(energy), np.concatenate(peak)
    block_start = np.concatenate([a + _block_starts(n) for a, n in spans])

    # -- gain and limiter from the block figures -----------------------------------------------
    edges = np.concatenate([block_start, [total]]).astype(np.float64)
    lo, hi = gating_blocks(n=total, rate=rate)

    def loudness(block_e: np.ndarray) -> float:
        cum = np.concatenate([[0.0], np.cumsum(block_e)])
        return gate_block_means((np.interp(hi, edges, cum) - np.interp(lo, edges, cum)) / (0.4 * rate))

    ceiling = true_peak_dbtp - CODEC_MARGIN_DB
    block_rate = rate / BLOCK
    g, lim, lufs = 1.0, np.ones(block_peak.shape[0], dtype=np.float32), -120.0
    raw = loudness(block_energy)
    if np.isfinite(raw):
        gain_db = loudness_lufs - raw
        for _ in range(8):
            g = float(db_to_gain(gain_db))
            lim = limiter_gain((block_peak * g).astype(np.float32), ceiling_db=ceiling, rate=block_rate)
            lufs = loudness(block_energy * (lim.astype(np.float64) * g) ** 2)
            if abs(lufs - loudness_lufs) < 0.05:
                break
            gain_db += loudness_lufs - lufs
        gain_db = round(gain_db / GAIN_STEP_DB) * GAIN_STEP_DB
        g = float(db_to_gain(gain_db))
        lim = limiter_gain((block_peak * g).astype(np.float32), ceiling_db=ceiling, rate=block_rate)
        lufs = loudness(block_energy * (lim.astype(np.float64) * g) ** 2)
    tp = float(20 * np.log10(float((block_peak * lim).max(initial=0.0)) * g + 1e-12))

    # -- film pass 2: the gained, limited windows into the encoder --------------------------
    made: dict[int, np.ndarray] = {}  # the windows last made (a run's samples span a few)

    def window_pcm(k: int) -> np.ndarray:
        if k not in made:
            a, n = spans[k]
            with np.load(cache / f"win-{keys[k]}.npz") as z:
                pcm = z["pcm"]
            for it, bed, rel, length, gain in music_parts(k, a, n):
                _place(pcm, it, bed["pcm"], rel=rel, length=length, rate=rate, gain=gain)
            wl = lim[offsets[k]:offsets[k + 1]]
            if wl.min() < 1.0:
                centres = _block_starts(n) + BLOCK / 2
                per = np.interp(np.arange(n), centres, wl).astype(np.float32) * np.float32(g)
                pcm *= per[:, None]
            else:
                pcm *= np.float32(g)
            for old in [j for j in made if j < k - 1]:
                del made[old]
            made[k] = pcm
        return made[k]

    def overlapping(a: int, b: int) -> list[int]:
        return [k for k, (wa, wn) in enumerate(spans) if wa < b and wa + wn > a]

    def samples(a: int, b: int) -> np.ndarray:
        parts = [window_pcm(k)[max(a - spans[k][0], 0):b - spans[k][0]] for k in overlapping(a, b)]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def chunk_key(a: int, b: int) -> str:
        """What the film's samples a..b are made from: the windows over them (their mixes, places,
        ducking and limiter gains, whole), the film gain, and the music beds sounding there, each up
        to what of its length can reach b (its fade-out starts after b: any longer length is alike)."""
        ks = overlapping(a, b)
        music_in = []
        for it, _, start, length in beds:
            if start < b and start + length > a:
                reach = b - start + int(it.fade_out_s * rate)
                # where it starts and how long it lasts: as start - a and the length that matters here
                music_in.append([it.model_dump(exclude={"path", "item_id", "start_s", "duration_s"}),
                                 digest(path=it.path), start - a, min(length, reach)])
        h = hashlib.sha256(json.dumps({"v": FILM_VERSION, "rate": rate, "g": g, "beds": music_in,
                                       "windows": [[keys[k], spans[k][0] - a, spans[k][1]] for k in ks]},
                                      sort_keys=True, default=str).encode())
        for k in ks:
            h.update(lim[offsets[k]:offsets[k + 1]].tobytes())
            h.update(duck[offsets[k]:offsets[k + 1]].tobytes())
        return h.hexdigest()

    with atomic_path(adts) as tmp:
        track = encode_track(total=total, rate=rate, cache=cache, out_path=str(tmp), chunk_key=chunk_key,
                             samples=samples, cancel_event=cancel_event, workers=encoders)
    track = replace(track, path=str(adts))
    stats = {"lufs": round(lufs, 3), "true_peak": round(tp, 3), "packets": track.packets, "last": track.last}
    atomic_write_text(path=meta, text=json.dumps(stats))
    return Soundtrack(track=track, lufs=stats["lufs"], true_peak=stats["true_peak"], windows_mixed=mixed,
                      windows_reused=len(windows) - mixed, chunks_encoded=track.encoded)
