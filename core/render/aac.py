"""The film's AAC track encoded in cached chunks, so a change re-encodes only the chunks it touches.

The film's samples are cut on a fixed grid of AAC frames (``CHUNK_FRAMES`` × 1024 samples, about
5.5 s at 48 kHz). Chunks are encoded in runs of consecutive ones — each run with ``ROLL`` frames
of the neighbouring samples before and after it, so the encoder's overlapping transform windows at
its edges see the real signal — and each chunk keeps the packets whose decoded output falls inside
it (ADTS frames, in ``<cache>/aac-<hash>.adts``, keyed by what its samples with their context are
made from, so a cached chunk is found without making its samples). Packets of the chunks then
follow each other as one stream: within a run they are one continuous encode; at a seam between
runs (or with a reused chunk) the decoder overlaps two packets that encode the same signal (AAC
noise only). The film's assembly muxes the stream into
MP4 with the encoder's 1024-sample priming as the start of the edit list and the last packet's
duration cut to the film's exact length, as a direct encode writes it (``Track``).

Lengthening a shot leaves every sample before it unchanged (the soundtrack's gain is kept on a
fixed grid, see ``core.render.soundtrack``), so those chunks are reused, their samples never made,
and only the rest is encoded: the chunks to encode are shared out evenly over the encoders, each run of
consecutive chunks (at most ``BATCH_CHUNKS``) by one encoder (one ffmpeg process) as a stretch of a
continuous encode, with ``ROLL`` frames of context at the run's ends only, up to three processes at
a time while the film pass makes the next samples.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from core.errors import Cancelled, RenderError
from core.media.ffmpeg import run_ffmpeg
from core.media.files import atomic_path
from core.render.encode import AUDIO_ENCODE

FRAME = 1024  # samples per AAC-LC frame
CHUNK_FRAMES = 256
ROLL = 2  # frames of real signal encoded before and after a chunk, then dropped
BATCH_CHUNKS = 8  # at most this many consecutive chunks per encoder process (about 44 s)
VERSION = "aac-3"  # aac-2: a run of chunks is one continuous encode; aac-3: keyed by its inputs


def adts_frames(data: bytes) -> list[bytes]:
    """Split an ADTS stream into its frames (header included). Raises RenderError when it is not one."""
    out, i = [], 0
    while i + 7 <= len(data):
        if data[i] != 0xFF or data[i + 1] & 0xF0 != 0xF0:
            raise RenderError("The AAC encoder wrote an unreadable stream")
        size = ((data[i + 3] & 3) << 11) | (data[i + 4] << 3) | (data[i + 5] >> 5)
        if size < 7:
            raise RenderError("The AAC encoder wrote an unreadable stream")
        out.append(data[i:i + size])
        i += size
    return out


def _grid(total: int) -> list[tuple[int, int | None]]:
    """(first frame, end frame or None for the last chunk) of each chunk of a ``total``-sample track."""
    frames = max(-(-total // FRAME), 1)
    starts = list(range(0, frames, CHUNK_FRAMES))
    return [(f, starts[i + 1] if i + 1 < len(starts) else None) for i, f in enumerate(starts)]


@dataclass(frozen=True)
class _Todo:
    keep: tuple[int, int | None]  # packets of its run's encoder kept for this chunk: [first, end)
    target: Path


def _encode_run(todo: list[_Todo], *, batch: Path, rate: int, cancel_event: threading.Event | None) -> None:
    """Encode a run of consecutive chunks (their film samples, with ``ROLL`` frames of context at the
    run's two ends, in ``batch`` as float32 stereo) with one encoder, as one stretch of a continuous
    encode, and keep each chunk's packets in its target."""
    with tempfile.TemporaryDirectory(dir=batch.parent) as tmp:
        raw = Path(tmp) / "run.adts"
        run_ffmpeg(["-f", "f32le", "-ar", str(rate), "-ac", "2", "-i", str(batch), *AUDIO_ENCODE, "-ar", str(rate),
                    "-f", "adts", str(raw)], cancel_event=cancel_event, what="Audio encoding")
        frames = adts_frames(raw.read_bytes())
    for t in todo:
        with atomic_path(t.target) as part:  # only a complete chunk ever enters the cache
            part.write_bytes(b"".join(frames[t.keep[0]:t.keep[1]]))


@dataclass(frozen=True)
class Track:
    """The film's AAC track as an ADTS stream (``path``) and what a muxer needs to make it exact:
    the encoder's priming before time 0, and the last packet cut to the film's length. The final
    assembly muxes it straight from here (``packet_timing``), stream copy."""

    path: str
    rate: int
    packets: int
    last: int  # samples of the last packet inside the film
    encoded: int = 0  # chunks encoded by this call (the others were reused from the cache)
    reused: int = 0

    def packet_timing(self, n: int) -> tuple[int, int]:
        """(start, duration) of packet ``n`` in samples of the film: packet 0, the encoder's priming,
        starts one frame before time 0 (an MP4 edit list hides it), the last is cut to the film's end."""
        return (n - 1) * FRAME, (self.last if n == self.packets - 1 else FRAME)


def encode_track(*, total: int, rate: int, cache: Path, out_path: str, chunk_key: Callable[[int, int], str],
                 samples: Callable[[int, int], np.ndarray], cancel_event: threading.Event | None = None,
                 workers: int = 3) -> Track:
    """Encode the film's ``total`` float32 stereo samples into an AAC track, an ADTS stream at
    ``out_path``, reusing cached chunks.

    ``chunk_key(a, b)`` names everything the film's samples a..b are made from (equal keys: equal
    samples), so a cached chunk is found without making its samples; ``samples(a, b)`` makes them,
    asked in increasing order, only for the runs to encode. Consecutive chunks to encode form runs
    of an equal share of them per worker (at most ``BATCH_CHUNKS``); each run's samples go to a file
    and one encoder (an ffmpeg process) while the next ones are made, ``workers`` processes at a
    time. Returns the Track (with the chunks encoded and reused). Raises Cancelled or RenderError
    (ffmpeg failed); the caller deletes ``out_path`` on error.
    """
    grid = _grid(total)
    paths: list[Path] = []
    encoded = 0
    run: list[_Todo] = []
    run_a = run_b = run_base = 0  # the run's samples (context included) and its first film frame
    files: list[Path] = []
    runs: list[Future] = []

    def flush():
        nonlocal run
        if run:
            files.append(Path(out_path).with_suffix(f".todo{len(files)}.f32"))
            # A chunk's worth at a time, so a long run never sits in memory whole; a short tail joins
            # the piece before it, so the next run (which starts ROLL frames back) asks from later on.
            step = CHUNK_FRAMES * FRAME
            starts = list(range(run_a, run_b, step))
            if len(starts) > 1 and run_b - starts[-1] < step:
                starts.pop()
            with open(files[-1], "wb") as fh:
                for a, b in zip(starts, [*starts[1:], run_b]):
                    fh.write(np.ascontiguousarray(samples(a, b), dtype="<f4").data)
            runs.append(pool.submit(_encode_run, run, batch=files[-1], rate=rate, cancel_event=cancel_event))
        run = []

    chunks = []  # (f0, f1, a, b, base, cached) of each chunk, with its cache file in paths
    for f0, f1 in grid:
        a = max(f0 - ROLL, 0) * FRAME
        b = total if f1 is None else min((f1 + ROLL) * FRAME, total)
        base = a // FRAME  # alone, encoder packet j would decode to film frame base + j - 1 (packet 0: priming)
        keep = (0 if f0 == 0 else f0 + 1 - base, None if f1 is None else f1 + 1 - base)
        # Keyed by what makes the chunk's samples with their context: the same samples give the
        # same packets up to AAC noise, whichever run encoded them.
        h = hashlib.sha256(f"{VERSION}:{rate}:{AUDIO_ENCODE}:{keep}:{b - a}:{chunk_key(a, b)}".encode())
        paths.append(cache / f"aac-{h.hexdigest()[:40]}.adts")
        chunks.append((f0, f1, a, b, base, paths[-1].exists()))
    missing = sum(not c[-1] for c in chunks)
    # The chunks to encode are shared out evenly over the encoders (each process costs its start-up
    # and its context frames): a whole film in one run per encoder, a few chunks one each.
    per_run = min(BATCH_CHUNKS, max(1, -(-missing // max(1, workers))))
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for (f0, f1, a, b, base, cached), target in zip(chunks, paths):
                if cancel_event is not None and cancel_event.is_set():
                    raise Cancelled("Render cancelled")
                if cached:
                    os.utime(target)  # recently used, for prune_cache
                    flush()  # a run is consecutive chunks only
                    continue
                if not run:
                    run_a, run_base = a, base
                run_b = b
                run.append(_Todo(keep=(0 if f0 == 0 else f0 + 1 - run_base, None if f1 is None else f1 + 1 - run_base),
                                 target=target))
                encoded += 1
                if len(run) >= per_run:
                    flush()
            flush()
            errors = [r.exception() for r in runs]
        real = [e for e in errors if e is not None and not isinstance(e, Cancelled)]
        if real or any(errors):
            raise (real or [e for e in errors if e is not None])[0]
    finally:
        for f in files:
            f.unlink(missing_ok=True)
    frames = [f for p in paths for f in adts_frames(p.read_bytes())]
    # Decoded, the stream is (packets - 1) frames long (packet 0 is the priming); the film ends
    # within the last one, so its duration is cut to the samples left (DURATION is one frame).
    packets = min(len(frames), max(-(-total // FRAME), 1) + 1)  # a flush packet past the end is dropped
    Path(out_path).write_bytes(b"".join(frames[:packets]))
    return Track(path=out_path, rate=rate, packets=packets, last=total - (packets - 2) * FRAME,
                 encoded=encoded, reused=len(paths) - encoded)
