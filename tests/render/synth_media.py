"""Synthetic media for render tests and the render benchmark: keyframes, clips, speech-like
voice lines with word timings, a music bed and SFX, made with NumPy and the imageio-ffmpeg binary.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
import soundfile as sf

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
RATE = 24_000  # deliberately not 48 kHz, so the mixer's resampling is exercised


def keyframe(path: Path, *, width: int, height: int, seed: int) -> str:
    """Draw a scene-like still: sky gradient, ground, sun, a few figures, a grid for motion cues."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, height)[:, None, None]
    top, bottom = rng.integers(40, 200, 3), rng.integers(40, 200, 3)
    img = (top * (1 - y) + bottom * y).astype(np.uint8).repeat(width, axis=1)
    img = np.ascontiguousarray(img)
    horizon = int(height * rng.uniform(0.55, 0.75))
    img[horizon:] = (img[horizon:] * 0.5).astype(np.uint8)
    cv2.circle(img, (int(width * rng.uniform(0.1, 0.9)), int(height * 0.25)), height // 10,
               (0, 220, 255), -1, cv2.LINE_AA)
    for _ in range(3):
        x = int(width * rng.uniform(0.1, 0.9))
        cv2.rectangle(img, (x, horizon - height // 4), (x + width // 25, horizon), tuple(int(c) for c in rng.integers(0, 255, 3)), -1)
        cv2.circle(img, (x + width // 50, horizon - height // 4 - height // 20), height // 20, (180, 200, 230), -1, cv2.LINE_AA)
    for gx in range(0, width, max(width // 16, 8)):
        cv2.line(img, (gx, horizon), (gx, height), (90, 90, 90), 1)
    cv2.putText(img, f"SHOT {seed}", (width // 20, height // 8), cv2.FONT_HERSHEY_SIMPLEX, height / 400,
                (255, 255, 255), max(1, height // 200), cv2.LINE_AA)
    cv2.imwrite(str(path), img)
    return str(path)


def clip(path: Path, *, width: int, height: int, seconds: float, fps: int, seed: int) -> str:
    """Write an H.264 MP4 of a moving pattern (a ball crossing a gradient) via an ffmpeg pipe."""
    base = cv2.imread(keyframe(path.with_suffix(".png"), width=width, height=height, seed=seed))
    n = int(round(seconds * fps))
    proc = subprocess.Popen([FFMPEG, "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
                             "-s", f"{width}x{height}", "-r", str(fps), "-i", "-", "-c:v", "libx264",
                             "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], stdin=subprocess.PIPE)
    for i in range(n):
        f = base.copy()
        x = int((i / max(n - 1, 1)) * (width - 40)) + 20
        cv2.circle(f, (x, height // 2), max(height // 12, 4), (40, 40, 240), -1)
        proc.stdin.write(f.tobytes())
    proc.stdin.close()
    assert proc.wait() == 0
    return str(path)


def voice_line(path: Path, *, text: str, seed: int, word_s: float = 0.32) -> tuple[str, list]:
    """Write speech-like audio (voiced harmonic bursts per syllable, pitch contour, gaps between
    words) and return (path, [(word, start, end), ...])."""
    rng = np.random.default_rng(seed)
    words, t, chunks = [], 0.0, []
    f0 = rng.uniform(110, 220)
    for w in text.split():
        dur = word_s * (0.6 + 0.12 * len(w.strip(".,?!")))
        n = int(dur * RATE)
        tt = np.arange(n) / RATE
        pitch = f0 * (1 + 0.08 * np.sin(2 * np.pi * 3 * tt + rng.uniform(0, 6)))
        phase = 2 * np.pi * np.cumsum(pitch) / RATE
        sig = sum(np.sin(k * phase) / k for k in range(1, 8))
        syll = 0.5 * (1 - np.cos(2 * np.pi * np.clip(tt * 4 / dur, 0, 1) * 2))  # ~2 syllables
        sig = sig * (0.3 + 0.7 * syll) * np.hanning(n) ** 0.3 * 0.3
        chunks.append(sig)
        words.append((w, round(t, 3), round(t + dur, 3)))
        gap = rng.uniform(0.06, 0.14)
        chunks.append(np.zeros(int(gap * RATE)))
        t += dur + gap
    audio = np.concatenate(chunks).astype(np.float32)
    sf.write(str(path), audio, RATE)
    return str(path), words


def music_bed(path: Path, *, seconds: float, seed: int = 0) -> str:
    """Write a stereo chord pad with a soft pulse (steady level, so ducking is measurable)."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    chords = [(220.0, 277.2, 329.6), (196.0, 246.9, 293.7), (174.6, 220.0, 261.6), (196.0, 246.9, 311.1)]
    sig = np.zeros(n)
    bar = 2.0
    for i, ch in enumerate(chords):
        m = (t // bar) % len(chords) == i
        for f in ch:
            sig[m] += np.sin(2 * np.pi * f * t[m]) / 3
    sig *= 0.25 * (0.85 + 0.15 * np.sin(2 * np.pi * 2 * t))
    st = np.stack([sig, np.roll(sig, 200)], axis=1).astype(np.float32)
    sf.write(str(path), st, RATE)
    return str(path)


def sfx(path: Path, *, seconds: float = 0.6, seed: int = 0) -> str:
    """Write a door-knock-like burst: filtered noise with a fast decay."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    env = np.exp(-np.arange(n) / (0.08 * RATE))
    sig = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same") * env * 0.5
    sf.write(str(path), sig.astype(np.float32), RATE)
    return str(path)
