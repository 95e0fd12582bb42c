"""Plain clip segments go from decoder to encoder in one ffmpeg process (core.render.direct): the
same picture as the composition path (its frames read through Python), subtitle boxes included,
the same frame count, progress per frame, cancellable, and a broken clip named."""
import threading
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from tests.render.conftest import count_frames

from core.errors import Cancelled, RenderError
from core.render.composition import clip_frames_of, segment_clip
from core.render.direct import encode_direct, is_direct
from core.render.encode import encode_frames
from core.render.engine import render_timeline
from core.render.yuv import to_bgr
from core.timeline.build import ShotMedia, VoiceLine, build_timeline
from core.timeline.edits import TitleCard
from core.timeline.model import VideoItem

W, H, FPS = 320, 180, 24


def _decode(path: Path) -> list[np.ndarray]:
    gen = imageio_ffmpeg.read_frames(str(path), pix_fmt="bgr24")
    meta = next(gen)
    w, h = meta["size"]
    return [np.frombuffer(raw, np.uint8).reshape(h, w, 3).astype(int) for raw in gen]


@pytest.fixture
def clip(tmp_path, tools):
    # 1.5 s at 30 fps and 400x300: resampled to 24 fps and fitted (letterboxed) by the renderer
    return tools.synth.clip(tmp_path / "c.mp4", width=400, height=300, seconds=1.5, fps=30, seed=5)


def _both(tmp_path, item, *, nframes, cues=(), fit="letterbox"):
    via_python = tmp_path / "python.mp4"
    frames = clip_frames_of(segment_clip(item=item, nframes=nframes, fps=FPS, width=W, height=H, fit=fit, cues=cues),
                            nframes=nframes, fps=FPS)
    encode_frames(frames, out_path=str(via_python), width=W, height=H, fps=FPS, quality="final")
    direct = tmp_path / "direct.mp4"
    ticks = []
    encode_direct(item=item, nframes=nframes, fps=FPS, width=W, height=H, fit=fit, cues=cues, ass_path=None,
                  out_path=direct, quality="final", on_frame=lambda: ticks.append(1))
    return _decode(via_python), _decode(direct), len(ticks)


def test_only_clips_without_fades_go_direct(clip, tmp_path, tools):
    still = tools.synth.keyframe(tmp_path / "k.png", width=320, height=180, seed=1)
    plain = VideoItem(shot_id="a", start_s=0, duration_s=1.0, source=clip)
    assert is_direct(item=plain, fps=FPS)
    assert is_direct(item=plain.model_copy(update={"transition_out": "black"}), fps=FPS)
    assert not is_direct(item=plain.model_copy(update={"transition_in": "fade", "transition_in_s": 0.5}), fps=FPS)
    assert not is_direct(item=plain.model_copy(update={"transition_in": "dissolve", "transition_in_s": 0.5}), fps=FPS)
    assert not is_direct(item=plain.model_copy(update={"transition_out": "fade", "transition_out_s": 0.5}), fps=FPS)
    assert not is_direct(item=VideoItem(shot_id="b", start_s=0, duration_s=1.0, source=still), fps=FPS)
    assert not is_direct(item=TitleCard(shot_id="c", start_s=0, duration_s=1.0, text="X"), fps=FPS)
    assert not is_direct(item=None, fps=FPS)


def test_direct_frames_match_the_composition_path_with_trim_hold_and_cues(clip, tmp_path):
    # trimmed 0.5 s in and 2 s long: the 1.5 s clip runs out after 1 s and its last frame holds
    item = VideoItem(shot_id="a", start_s=0, duration_s=2.0, source=clip, trim_in_s=0.5)
    cues = ((6, 30, "Where were you?"),)
    ours, direct, ticks = _both(tmp_path, item, nframes=48, cues=cues)
    assert len(ours) == len(direct) == 48 and ticks == 48
    for i in range(48):
        diff = np.abs(ours[i] - direct[i])
        # H.264 noise and the overlay's chroma rounding at the box's edges (measured: ≤ 0.1); a box 1 px off
        # differs by 1.6, a wrong frame by far more
        assert diff.mean() < 0.5, i
    assert (np.abs(direct[20] - direct[47]).mean() > 1.0)  # the picture moves while the clip runs…
    assert np.abs(direct[40] - direct[47]).mean() < 0.5      # …and holds once it has run out
    box = (slice(int(H * 0.6), int(H * 0.95)), slice(W // 4, 3 * W // 4))
    with_cue, without = direct[10][box], direct[40][box]
    assert np.abs(with_cue - without).mean() > 10            # the subtitle box is on frames 6–29 only
    for i in (5, 6, 10, 29, 30):  # the box where the composition path draws it, on the same frames
        assert np.abs(direct[i][box] - ours[i][box]).mean() < 1.0, i


def test_direct_clip_cancels_and_names_a_broken_clip(clip, tmp_path):
    item = VideoItem(shot_id="a", start_s=0, duration_s=60.0, source=clip)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        encode_direct(item=item, nframes=1440, fps=FPS, width=W, height=H, fit="crop", cues=(), ass_path=None,
                      out_path=tmp_path / "x.mp4", quality="final", cancel_event=stop)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 100)
    bad = VideoItem(shot_id="b", start_s=0, duration_s=1.0, source=str(broken))
    with pytest.raises(RenderError) as err:
        encode_direct(item=bad, nframes=24, fps=FPS, width=W, height=H, fit="crop", cues=(), ass_path=None,
                      out_path=tmp_path / "y.mp4", quality="final")
    assert err.value.field == "source" and "broken.mp4" in err.value.message and str(tmp_path) not in err.value.message
    assert not list(tmp_path.glob("*.cues"))  # the cue pictures' folder is gone either way


def test_a_film_of_clips_burns_word_captions_and_boxes_in_the_direct_path(tmp_path, tools):
    synth = tools.synth
    path, words = synth.voice_line(tmp_path / "v.wav", text="Where were you when the lights went out?", seed=1,
                                   word_s=0.3)
    clip = synth.clip(tmp_path / "c.mp4", width=320, height=180, seconds=3.0, fps=24, seed=2)
    tl = build_timeline(shots=[ShotMedia(shot_id="a", duration_s=3.0, clip_path=clip)],
                        voice_lines=[VoiceLine(shot_id="a", path=path, words=words)], short_side=180)
    assert is_direct(item=tl.video[0], fps=tl.fps)
    cue = tl.cues[0]
    t = cue.start_s + cue.words[-2][1] + 0.05  # most of the line spoken
    lower = slice(int(180 * 0.6), 180)
    plain = render_timeline(timeline=tl, out_path=str(tmp_path / "p.mp4"), short_side=180, cache_dir=str(tmp_path / "c"))
    words_film = render_timeline(timeline=tl, out_path=str(tmp_path / "w.mp4"), short_side=180, subtitles="burn",
                                 captions="words", cache_dir=str(tmp_path / "c"))
    boxed = render_timeline(timeline=tl, out_path=str(tmp_path / "b.mp4"), short_side=180, subtitles="burn",
                            cache_dir=str(tmp_path / "c"))
    assert words_film.segments_rendered == boxed.segments_rendered == 1  # three different pictures
    gold = [_gold(tools.frame_at(r.path, t)[lower]) for r in (plain, words_film, boxed)]
    assert gold[0] == 0 and gold[1] > 20 and gold[2] == 0  # lit words only with word captions
    box = tools.frame_at(boxed.path, t)[lower].astype(int) - tools.frame_at(plain.path, t)[lower].astype(int)
    assert np.abs(box).mean() > 5  # the subtitle box is there
    assert count_frames(boxed.path) == round(boxed.duration_s * tl.fps) == sum(round(v.duration_s * tl.fps) for v in tl.video)


def _gold(frame: np.ndarray) -> int:
    r, g, b = frame[..., 0].astype(int), frame[..., 1].astype(int), frame[..., 2].astype(int)
    return int(((r > 200) & (g > 160) & (b < 100)).sum())
