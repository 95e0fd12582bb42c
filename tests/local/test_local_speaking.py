"""Speaking faces in animated keyframes, the caption dropped without a mirrored seam, and the
annotated lower third (slate + action line)."""
from __future__ import annotations

import io
import subprocess

import cv2
import imageio_ffmpeg
import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from core.errors import InvalidInput
from core.providers.local.animate import animate_keyframe
from core.providers.local.keyframe import draw_keyframe
from core.providers.local.speaking import parse_speaking, recorded_mouths

W, H, FPS = 640, 360, 12


def _frames(path) -> np.ndarray:
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3).astype(np.float64)


def _speech(path, seconds: float) -> str:
    sr = 16000
    t = np.arange(int(seconds * sr)) / sr
    syllables = (np.sin(2 * np.pi * 4 * t) > 0).astype(float)  # four syllables a second
    sf.write(path, 0.5 * np.sin(2 * np.pi * 180 * t) * syllables, sr)
    return str(path)


@pytest.fixture()
def two_shot(tmp_path):
    key = tmp_path / "k.png"
    key.write_bytes(draw_keyframe(prompt="", shot_type="two-shot", location="market", set_name="market",
                                  characters=["LIN", "DEV"], width=W, height=H, caption="LIN and DEV talk."))
    return key


def _moved(talk: np.ndarray, quiet: np.ndarray, mouth, a: int, b: int) -> float:
    """How much the picture around a mouth differs from the silent clip's over frames a..b."""
    x, y, w = int(mouth.x), int(mouth.y), int(max(mouth.w, 8))
    region = (slice(a, b), slice(max(0, y - w), y + 2 * w), slice(max(0, x - 2 * w), x + 2 * w))
    return float(np.abs(talk[region] - quiet[region]).mean())


def test_each_speakers_mouth_moves_only_in_their_turn(two_shot, tmp_path):
    mouths = recorded_mouths(two_shot, W, H)
    assert set(mouths) == {"LIN", "DEV"}
    kw = dict(image=two_shot, camera_move="static", duration_s=2.0, fps=FPS, width=W, height=H, keep_caption=True)
    talk = _frames(animate_keyframe(out_path=tmp_path / "talk.mp4", speech=[_speech(tmp_path / "v.wav", 1.0),
                                    _speech(tmp_path / "w.wav", 1.0)], speaking="LIN:0.0-1.0;DEV:1.0-2.0", **kw))
    quiet = _frames(animate_keyframe(out_path=tmp_path / "quiet.mp4", **kw))
    lin_turn, dev_turn = (0, FPS), (FPS, 2 * FPS)
    # (The encoder leaves a little noise where pictures differ elsewhere; a moving mouth is far more.)
    assert _moved(talk, quiet, mouths["LIN"], *lin_turn) > max(3.0, 1.8 * _moved(talk, quiet, mouths["LIN"], *dev_turn))
    assert _moved(talk, quiet, mouths["DEV"], *dev_turn) > max(3.0, 1.8 * _moved(talk, quiet, mouths["DEV"], *lin_turn))


def test_mouths_move_in_a_clean_clip_too(two_shot, tmp_path):
    """Without the caption the picture is enlarged; the mouth found there is the speaker's."""
    kw = dict(image=two_shot, camera_move="push_in", duration_s=1.0, fps=FPS, width=W, height=H, keep_caption=False)
    talk = _frames(animate_keyframe(out_path=tmp_path / "talk.mp4", speech=[_speech(tmp_path / "v.wav", 1.0)],
                                    speaking="DEV:0-1", **kw))
    quiet = _frames(animate_keyframe(out_path=tmp_path / "quiet.mp4", **kw))
    band = int(Image.open(two_shot).info["storyreel:caption_band"])
    s = H / (H - band)
    dev = recorded_mouths(two_shot, W, H)["DEV"]
    first = type(dev)((dev.x - W / 2) * s + W / 2, dev.y * s, dev.w * s)
    assert _moved(talk, quiet, first, 1, 4) > 1.0


def test_speaking_turns_are_validated(two_shot, tmp_path):
    assert parse_speaking("lin:0.3-2.1; DEV:2.5-4") == [("LIN", 0.3, 2.1), ("DEV", 2.5, 4.0)]
    with pytest.raises(InvalidInput) as e:
        parse_speaking("LIN:2-1")
    assert e.value.field == "speaking"
    with pytest.raises(InvalidInput) as e:  # one file per turn
        animate_keyframe(image=two_shot, duration_s=1.0, fps=FPS, width=W, height=H, out_path=tmp_path / "x.mp4",
                         speech=[_speech(tmp_path / "v.wav", 1.0)], speaking="LIN:0-0.5;DEV:0.5-1")
    assert e.value.field == "speaking"


def test_dropped_caption_fills_the_frame_without_a_mirrored_seam(two_shot, tmp_path):
    key = np.asarray(Image.open(two_shot).convert("RGB"), dtype=np.float64)
    band = int(Image.open(two_shot).info["storyreel:caption_band"])
    clip = animate_keyframe(image=two_shot, camera_move="static", duration_s=0.5, fps=FPS, width=W, height=H,
                            out_path=tmp_path / "clean.mp4", keep_caption=False)
    first = _frames(clip)[0]
    s = H / (H - band)
    expected = cv2.resize(key[: H - band].astype(np.uint8), (int(round(W * s)), H), interpolation=cv2.INTER_CUBIC)
    x0 = (expected.shape[1] - W) // 2
    expected = expected[:, x0:x0 + W].astype(np.float64)
    assert np.abs(first - expected)[40:].mean() < 8  # the picture itself, enlarged (the tag is inpainted)
    bottom = first[-band:]
    assert np.abs(bottom - first[-2 * band:-band][::-1]).mean() > 4  # not a mirror of the rows above


def test_annotated_clip_keeps_slate_and_action_line_as_lower_third(two_shot, tmp_path):
    clip = animate_keyframe(image=two_shot, camera_move="push_in", duration_s=0.5, fps=FPS, width=W, height=H,
                            out_path=tmp_path / "notes.mp4", keep_caption=True, slate="SC 2 · SHOT 3 · TWO-SHOT")
    last = _frames(clip)[-1]
    band = int(Image.open(two_shot).info["storyreel:caption_band"])
    slate_rows = last[H - band - int(H * 0.028 * 1.7) + 2:H - band - 2]
    assert slate_rows.mean() < 60 and slate_rows[..., 0].max() > 200  # dark strip with yellow slate text
    key = np.asarray(Image.open(io.BytesIO(two_shot.read_bytes())).convert("RGB"), dtype=np.float64)
    assert np.abs(last[-band:] - key[-band:]).mean() < 10  # the action line held still under a moving picture
