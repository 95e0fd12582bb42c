import numpy as np
import pytest

from core.providers.local.keyframe import draw_keyframe
from core.providers.local.lipsync import relipsync_video, talking_portrait
from core.media.wav import envelope, read_audio, to_wav_bytes
from core.media.info import probe
from tests.media_frames import read_frames

W, H = 320, 180


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("lip")
    img = d / "face.png"
    img.write_bytes(draw_keyframe(prompt="x", shot_type="close-up", location="office", characters=["MAYA"],
                                  width=W, height=H))
    sr = 16000
    t = np.arange(int(1.5 * sr)) / sr
    # Syllable-like bursts: loud and quiet alternating 3 times a second.
    audio = 0.6 * np.sin(2 * np.pi * 150 * t) * (np.sin(2 * np.pi * 3 * t) > 0)
    wav = d / "a.wav"
    wav.write_bytes(to_wav_bytes(audio, sr))
    return img, wav


def _mouth_motion(frames, first):
    diff = np.abs(frames.astype(int) - first.astype(int)).mean(axis=3)
    return diff.reshape(len(frames), -1).mean(axis=1)


def test_talking_portrait_mouth_follows_envelope(media, tmp_path):
    img, wav = media
    out = talking_portrait(image=img, audio=wav, fps=12, width=W, height=H, out_path=tmp_path / "t.mp4")
    info = probe(path=out)
    assert info.has_audio and info.audio_codec == "aac" and info.video_codec == "h264"
    assert abs(info.duration_s - 1.5) < 0.15
    frames = read_frames(video=out)
    samples, sr = read_audio(wav)
    env = envelope(samples, sr, fps=12, n_frames=len(frames))
    motion = _mouth_motion(frames, frames[np.argmin(env)])
    assert np.corrcoef(motion, env)[0, 1] > 0.6


def test_relipsync_retimes_video_to_audio(media, tmp_path):
    from core.providers.local.animate import animate_keyframe

    img, wav = media
    clip = animate_keyframe(image=img, camera_move="static", duration_s=0.5, fps=12, width=W, height=H,
                            out_path=tmp_path / "clip.mp4")
    out = relipsync_video(video=clip, audio=wav, out_path=tmp_path / "lip.mp4")
    info = probe(path=out)
    assert info.has_audio and abs(info.duration_s - 1.5) < 0.15  # looped from 0.5 s to the audio's 1.5 s
    frames = read_frames(video=out)
    assert len(frames) >= 17
