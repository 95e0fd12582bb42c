"""Drawn frames are encoded in this process (PyAV's libx264), not piped into the ffmpeg program:
the same bitstream as the pipe (so segments of both kinds join by stream copy), cancellable, and
a failing encoder reported without its paths. The film is muxed in this process too, its length
exact to the audio sample."""
import subprocess
import threading

import numpy as np
import pytest

from tests.render.conftest import count_frames, decode_audio

import core.render.encode as encode
from core.errors import Cancelled, RenderError
from core.render.aac import encode_track
from core.render.encode import FFMPEG, encode_frames
from core.render.mux import mux_film
from core.render.engine import render_timeline
from core.timeline.build import MusicBed, ShotMedia, build_timeline


def _frames(width: int, height: int, n: int) -> list[np.ndarray]:
    """I420 frames of a moving soft texture (x264 has real work: motion, detail)."""
    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, (height * 3 // 2 + 64, width + 64), dtype=np.uint8)
    base = ((base[:-1, :-1].astype(np.uint16) + base[1:, 1:]) // 2).astype(np.uint8)
    return [np.ascontiguousarray(base[i * 2:i * 2 + height * 3 // 2, i:i + width]) for i in range(n)]


def _bitstream(path) -> bytes:
    return subprocess.run([FFMPEG, "-loglevel", "error", "-i", str(path), "-map", "0:v", "-c", "copy", "-f", "h264",
                           "-"], capture_output=True, check=True).stdout


@pytest.mark.parametrize("width,height,quality", [(640, 360, "final"), (426, 240, "preview")])
def test_in_process_encoding_writes_the_pipes_bitstream(tmp_path, monkeypatch, width, height, quality):
    assert encode.IN_PROCESS, "PyAV's FFmpeg should have libx264 (its wheels ship it)"
    frames = _frames(width, height, 30)
    streams = []
    for in_process in (True, False):
        monkeypatch.setattr(encode, "IN_PROCESS", in_process)
        out = tmp_path / f"{in_process}.mp4"
        assert encode_frames(iter(frames), out_path=str(out), width=width, height=height, fps=24,
                             quality=quality) == 30
        streams.append(_bitstream(out))
    # 426 is not a multiple of the frame's row alignment: rows are copied at the frame's stride
    assert len(streams[0]) > 10_000 and streams[0] == streams[1]


def test_a_film_joins_in_process_and_ffmpeg_segments(tmp_path, tools):
    still = tools.synth.keyframe(tmp_path / "k.png", width=320, height=180, seed=2)
    clip = tools.synth.clip(tmp_path / "c.mp4", width=320, height=180, seconds=1.0, fps=24, seed=4)
    tl = build_timeline(shots=[ShotMedia(shot_id="a", duration_s=1.0, keyframe_path=still, camera_move="push_in"),
                               ShotMedia(shot_id="b", duration_s=1.0, clip_path=clip),
                               ShotMedia(shot_id="c", duration_s=1.0, keyframe_path=still, camera_move="pan_left")],
                        voice_lines=[], fps=24, short_side=180)
    out = tmp_path / "film.mp4"
    render_timeline(timeline=tl, out_path=str(out), quality="final", short_side=180, cache_dir=str(tmp_path / "cache"))
    assert count_frames(out) == 72
    decode = subprocess.run([FFMPEG, "-v", "error", "-i", str(out), "-f", "null", "-"], capture_output=True, text=True)
    assert decode.returncode == 0 and decode.stderr.strip() == ""


def test_in_process_encoding_is_cancellable(tmp_path):
    cancel = threading.Event()
    seen = []

    def frames():
        for i, f in enumerate(_frames(320, 180, 20)):
            if i == 5:
                cancel.set()
            seen.append(i)
            yield f

    with pytest.raises(Cancelled):
        encode_frames(frames(), out_path=str(tmp_path / "x.mp4"), width=320, height=180, fps=24, quality="final",
                      cancel_event=cancel)
    assert seen[-1] == 5  # nothing drawn after the cancel


def test_a_failing_in_process_encoder_names_the_segment_not_the_path(tmp_path):
    out = tmp_path / "missing-folder" / "seg.mp4"
    with pytest.raises(RenderError) as err:
        encode_frames(iter(_frames(320, 180, 3)), out_path=str(out), width=320, height=180, fps=24, quality="final")
    assert "seg.mp4" in err.value.message and str(tmp_path) not in err.value.message


def test_a_frame_of_the_wrong_size_is_refused_before_encoding(tmp_path):
    with pytest.raises(RenderError, match="expected I420"):
        encode_frames(iter(_frames(320, 180, 2)), out_path=str(tmp_path / "x.mp4"), width=640, height=360, fps=24,
                      quality="final")


def test_the_film_is_exact_to_the_sample_when_its_length_is_not_whole_milliseconds(tmp_path, tools):
    still = tools.synth.keyframe(tmp_path / "k.png", width=320, height=180, seed=2)
    clip = tools.synth.clip(tmp_path / "c.mp4", width=320, height=180, seconds=1.0, fps=24, seed=4)
    # 24 + 13 frames at 24 fps: 1.541666… s, 74 000 samples at 48 kHz
    tl = build_timeline(shots=[ShotMedia(shot_id="a", duration_s=1.0, clip_path=clip),
                               ShotMedia(shot_id="b", duration_s=13 / 24, keyframe_path=still, camera_move="push_in")],
                        voice_lines=[], music=MusicBed(path=tools.synth.music_bed(tmp_path / "m.wav", seconds=4.0)),
                        fps=24, short_side=180)
    out = tmp_path / "film.mp4"
    render_timeline(timeline=tl, out_path=str(out), quality="final", short_side=180, cache_dir=str(tmp_path / "cache"))
    assert count_frames(out) == 37
    assert decode_audio(out).shape[0] == 74_000


def test_muxing_stops_when_cancelled_and_names_no_path_when_a_segment_is_unreadable(tmp_path):
    x = np.zeros((48_000, 2), np.float32)
    track = encode_track(total=48_000, rate=48_000, cache=tmp_path, out_path=str(tmp_path / "a.adts"),
                         chunk_key=lambda a, b: f"{a}:{b}", samples=lambda a, b: x[a:b])
    seg = tmp_path / "seg.mp4"
    encode_frames(iter(_frames(320, 180, 24)), out_path=str(seg), width=320, height=180, fps=24, quality="final")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        mux_film(segments=[seg], track=track, out_path=str(tmp_path / "f.mp4"), cancel_event=cancel)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all" * 10)
    with pytest.raises(RenderError) as err:
        mux_film(segments=[seg, broken], track=track, out_path=str(tmp_path / "g.mp4"))
    assert "Assembly" in err.value.message and str(tmp_path) not in err.value.message
