"""Speaking faces in animated keyframes: each speaker's mouth (recorded by the keyframe in its
"storyreel:mouths" PNG chunk) opens and closes with the loudness of the shot's voice track while
that character speaks, using the lip-sync engine's mouth warp (``lipsync.open_mouth``).

``speaking`` says who speaks when, in seconds from the clip start: "LIN:0.30-2.10;DEV:2.50-4.00".
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from core.errors import InvalidInput
from core.media.wav import envelope, read_audio, resample
from core.providers.local.lipsync import Mouth, _smooth, open_mouth

_RATE = 16000  # the mouth follows loudness: 16 kHz is plenty
_TURN = re.compile(r"^\s*(.+?)\s*:\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$")


def parse_speaking(text: str) -> list[tuple[str, float, float]]:
    """Return [(NAME, start_s, end_s)] from "NAME:0.3-2.1;NAME2:2.5-4.0". Raises InvalidInput
    (field "speaking") for a part that does not read so."""
    turns = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        m = _TURN.match(part)
        if not m or float(m.group(3)) <= float(m.group(2)):
            raise InvalidInput(f"speaking: {part.strip()!r} is not NAME:start-end in seconds", field="speaking")
        turns.append((m.group(1).strip().upper(), float(m.group(2)), float(m.group(3))))
    return turns


def recorded_mouths(path: Path, width: int, height: int) -> dict[str, Mouth]:
    """The mouths a keyframe recorded, by character name, mapped into a width×height frame that the
    image covers (centre crop, as ``load_cover``); {} when it recorded none."""
    try:
        with Image.open(path) as im:
            raw = im.info.get("storyreel:mouths", "")
            src_w, src_h = im.size
        found = json.loads(raw) if raw else {}
    except (OSError, ValueError):
        return {}
    s = max(width / src_w, height / src_h)
    ox, oy = (src_w * s - width) / 2, (src_h * s - height) / 2
    return {str(k).upper(): Mouth(v[0] * s - ox, v[1] * s - oy, v[2] * s) for k, v in found.items()
            if isinstance(v, list) and len(v) == 3}


@dataclass
class SpeakingTrack:
    """How far each speaker's mouth is open on every frame of a clip."""

    mouths: dict[str, Mouth]
    turns: list[tuple[str, float, float]]
    env: np.ndarray
    fps: int

    @classmethod
    def build(cls, *, speech: list[Path], speaking: str, image: Path, width: int, height: int, fps: int,
              n_frames: int) -> "SpeakingTrack | None":
        """Return the track for a clip — the i-th speech file heard from the i-th turn's start — or
        None when there is no speech, no turn or no mouth to move. Raises InvalidInput(field=
        "speech"/"speaking") for an unreadable file, a bad turn list or files and turns that differ
        in number."""
        turns = parse_speaking(speaking)
        if not speech or not turns:
            return None
        if len(speech) != len(turns):
            raise InvalidInput(f"speaking: {len(turns)} turns for {len(speech)} speech files", field="speaking")
        mouths = recorded_mouths(Path(image), width, height)
        if not any(name in mouths for name, _, _ in turns):
            return None
        track = np.zeros(int(n_frames / fps * _RATE) + 1)
        for path, (_, a, b) in zip(speech, turns):
            samples, sr = read_audio(Path(path), field="speech")
            samples = resample(samples, sr, _RATE) if sr != _RATE else samples
            start = int(a * _RATE)
            part = samples[: max(0, min(int((b - a) * _RATE), len(track) - start))]
            track[start:start + len(part)] += part
        env = _smooth(envelope(track, _RATE, fps=fps, n_frames=n_frames))
        return cls(mouths=mouths, turns=turns, env=env, fps=fps)

    def apply(self, frame: np.ndarray, index: int, *, scale: float = 1.0, shift_y: float = 0.0) -> np.ndarray:
        """Return the frame (the still, before the camera move) with the speaking mouth opened for
        frame ``index``. ``scale``/``shift_y`` map recorded positions when the still was reframed."""
        t = index / self.fps
        for name, a, b in self.turns:
            mouth = self.mouths.get(name)
            if mouth is None or not a <= t < b or index >= len(self.env):
                continue
            amount = float(self.env[index])
            if amount > 0.02:
                w = frame.shape[1]
                m = Mouth((mouth.x - w / 2) * scale + w / 2, mouth.y * scale + shift_y, mouth.w * scale)
                frame = open_mouth(frame, m, amount)
        return frame

    def open_amounts(self, name: str) -> np.ndarray:
        """How open ``name``'s mouth is on each frame (0 outside that character's turns)."""
        out = np.zeros(len(self.env))
        for who, a, b in self.turns:
            if who == name.upper():
                i0, i1 = int(round(a * self.fps)), int(round(b * self.fps))
                out[i0:i1] = self.env[i0:i1]
        return out
