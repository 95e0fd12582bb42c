"""Word-by-word captions: ASS karaoke timing from the word timestamps, burned into the picture, the lit
words growing as they are spoken (measured on decoded frames)."""
import re

import numpy as np
import pytest

from core.errors import InvalidInput
from core.render.captions import karaoke_ass, karaoke_line
from core.render.engine import render_timeline
from core.timeline.build import ShotMedia, VoiceLine, build_timeline
from core.timeline.model import SubtitleCue, slice_timeline


def test_karaoke_tags_follow_the_word_times():
    cue = SubtitleCue(start_s=2.0, end_s=4.0, text="Hi there", words=(("Hi", 0.0, 0.5), ("there", 0.7, 1.2)))
    assert karaoke_line(cue=cue, start_s=0.0, offset_s=0.0) == "{\\k50}Hi {\\k20}{\\k50}there"
    # shown from 0.6 s into the cue (its start was cut by a shot boundary): "Hi" is already lit
    assert karaoke_line(cue=cue, start_s=0.6, offset_s=0.0) == "{\\k0}Hi {\\k10}{\\k50}there"
    doc = karaoke_ass(cues=[(0.0, 2.0, 0.0, cue)], width=360, height=640)
    assert "PlayResX: 360" in doc and "PlayResY: 640" in doc
    event = doc.strip().splitlines()[-1]
    assert event.startswith("Dialogue: 0,0:00:00.00,0:00:02.00,Words,")
    assert sum(int(k) for k in re.findall(r"\\k(\d+)", event)) == 120  # ends with the last word
    plain = SubtitleCue(start_s=0, end_s=1, text="{odd}\\text")
    assert "{odd}" not in karaoke_line(cue=plain, start_s=0, offset_s=0)


def test_cues_keep_relative_word_times_through_slicing(project):
    tl = build_timeline(shots=project["shots"][:2], voice_lines=project["voice_lines"][:2], fps=24, short_side=180)
    cue = tl.cues[0]
    assert cue.words and cue.words[0][1] == pytest.approx(0.0, abs=0.01)
    part = slice_timeline(timeline=tl, start_s=cue.start_s + 0.5, end_s=tl.duration_s)
    cut = part.cues[0]
    assert cut.start_s == 0.0
    first_kept = next(w for w in cue.words if w[2] > 0.5)
    assert dict((w, a) for w, a, _ in cut.words)[first_kept[0]] == pytest.approx(first_kept[1] - 0.5, abs=1e-3)


def _gold(frame: np.ndarray) -> int:
    r, g, b = frame[..., 0].astype(int), frame[..., 1].astype(int), frame[..., 2].astype(int)
    return int(((r > 200) & (g > 160) & (b < 100)).sum())


def test_words_light_up_as_spoken_on_a_vertical_film(tmp_path, tools):
    synth = tools.synth
    path, words = synth.voice_line(tmp_path / "v.wav", text="Where were you when the lights went out?", seed=1,
                                   word_s=0.3)
    tl = build_timeline(shots=[ShotMedia(shot_id="a", duration_s=3.0, keyframe_path=synth.keyframe(
        tmp_path / "k.png", width=320, height=180, seed=1))], voice_lines=[VoiceLine(shot_id="a", path=path,
                                                                                   words=words)],
        aspect_ratio="9:16", short_side=360)
    cue = tl.cues[0]
    res = render_timeline(timeline=tl, out_path=str(tmp_path / "w.mp4"), short_side=360, subtitles="burn",
                          captions="words", cache_dir=str(tmp_path / "c"))
    assert tools.probe(res.path)["video"][1:3] == (360, 640)
    below = slice(int(640 * 0.67), 640)  # under the letterboxed 16:9 picture: only captions there

    def at(t):
        return tools.frame_at(res.path, t)[below]

    before = at(max(cue.start_s - 0.2, 0.05))
    early = at(cue.start_s + cue.words[0][2] * 0.5)            # the first word is being spoken
    late = at(cue.start_s + cue.words[-2][1] + 0.05)           # most of the line spoken
    assert _gold(before) == 0 and (before > 230).all(-1).sum() == 0  # nothing shown before the line
    assert 0 < _gold(early) < _gold(late)
    assert (early > 230).all(-1).sum() > (late > 230).all(-1).sum() > 0  # unlit words are white
    boxed = render_timeline(timeline=tl, out_path=str(tmp_path / "b.mp4"), short_side=360, subtitles="burn",
                            cache_dir=str(tmp_path / "c"))
    assert _gold(tools.frame_at(boxed.path, cue.start_s + cue.words[-2][1] + 0.05)[below]) == 0
    with pytest.raises(InvalidInput) as exc:
        render_timeline(timeline=tl, out_path=str(tmp_path / "x.mp4"), subtitles="burn", captions="neon")
    assert exc.value.field == "captions"
