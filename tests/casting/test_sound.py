"""Sound that follows the action (issue 17 point 8), measured on the audio: effects matched on
whole words at their place in the shot, varied; ambience under whole scenes; a radio line sounds
like a radio; the music's mood changes with the scene. (Ducking: tests/render/test_audio_mix.py.)"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.providers.local.sfx import sound_effect
from core.timeline.store import find_sfx

SCRIPT = (Path(__file__).parent / "sound_script.fountain").read_text()


@pytest.fixture(autouse=True)
def data_dir(data_dir):
    return data_dir


@pytest.mark.parametrize("action, expected", [
    ("Waves slam against the rocks.", ["sea", "impact"]),        # not a door creak
    ("He SLAMMED her against the wall.", ["impact"]),            # an impact, without a door
    ("The door slams shut.", ["door"]),                           # the door effect slams already
    ("An engine turns over in the dark.", ["car"]),
    ("Rosalind winds the big regulator.", ["clock"]),              # winding is no wind
    ("She waves goodbye from the trailer.", []),                  # no sea, no trail, no car
    ("A scar runs down his cheek.", ["footsteps"]),               # "runs"; "scar" is no car
    ("The wind howls around the lighthouse.", ["wind"]),
    ("The window shatters.", ["glass"]),
])
def test_effects_match_whole_words_in_context(action, expected):
    assert [e for e, _ in find_sfx(text=action)] == expected


def _onsets(wav: bytes) -> np.ndarray:
    x, sr = sf.read(io.BytesIO(wav))
    env = np.convolve(np.abs(x), np.ones(int(0.01 * sr)) / int(0.01 * sr), mode="same")
    hot = env > 0.3 * env.max()
    starts = np.flatnonzero(hot[1:] & ~hot[:-1]) / sr
    return starts[np.diff(np.concatenate([[-1.0], starts])) > 0.25]


def test_footsteps_vary_and_never_repeat():
    a, b = sound_effect(name="footsteps", duration_s=6.0, seed=1), sound_effect(name="footsteps", duration_s=6.0, seed=2)
    steps = _onsets(a)
    assert len(steps) >= 8
    gaps = np.diff(steps)
    assert gaps.std() > 0.02 and 0.35 < gaps.mean() < 0.75  # a walk, not a metronome
    assert a != b


def _band_db(x, sr, lo, hi):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    f = np.fft.rfftfreq(len(x), 1 / sr)
    return 10 * np.log10(spec[(f >= lo) & (f < hi)].sum() + 1e-12)


def _keyframes(project_id: int, tmp_path):
    from PIL import Image

    from core.breakdowns import list_shots, update_shot
    from core.media_assets import create_asset

    for n, shot in enumerate(list_shots(project_id=project_id)):
        path = tmp_path / f"k{n}.png"
        Image.new("RGB", (320, 180), (40 + 20 * n, 80, 120)).save(path)
        a = create_asset(type="image", project_id=project_id, data=path.read_bytes(), mime="image/png",
                         provider="test", shot_id=shot.id)
        update_shot(shot_id=shot.id, keyframe_media_id=a.media_id, duration_s=3.0)


def test_scene_sound_radio_line_and_music_per_scene(tmp_path):
    from core.breakdowns import list_scene_cards, run_breakdown
    from core.film import fit_shots_to_voice
    from core.generation.effects import attach_sfx
    from core.generation.soundtrack import choose_music
    from core.generation.voiceover import generate_voiceover
    from core.media_assets import asset_path, get_asset
    from core.projects import create_project
    from core.scripts import save_version
    from core.timeline.store import list_items, project_timeline

    p = create_project(name="Harbour", genre="drama", target_length_s=30)
    save_version(project_id=p.id, text=SCRIPT)
    run_breakdown(project_id=p.id)
    _keyframes(p.id, tmp_path)
    assert generate_voiceover(project_id=p.id) == 3
    fit_shots_to_voice(project_id=p.id)

    # The radio line sounds like a radio: next to no energy outside 300–3000 Hz, the same length.
    rows = {r.extra["character"]: r for r in list_items(project_id=p.id, track="voice")}
    radio = get_asset(media_id=rows["NELL"].media_id)
    assert rows["NELL"].extra["treatment"] == "radio" and radio.operation == "radio"
    dry = get_asset(media_id=radio.parent_id)
    x, sr = sf.read(str(asset_path(media_id=radio.media_id)))
    y, _ = sf.read(str(asset_path(media_id=dry.media_id)))
    assert len(x) == len(y) and radio.extra["words"] == dry.extra["words"]
    lows = lambda s: _band_db(s, sr, 60, 200) - _band_db(s, sr, 300, 3000)  # noqa: E731
    assert lows(y) - lows(x) > 15  # the low voice body is gone
    assert rows["DEV"].extra.get("treatment") is None

    # Ambience under every shot of its scene, one continuous loop; spot effects in their shots.
    assert attach_sfx(project_id=p.id) >= 4
    cards = list_scene_cards(project_id=p.id)
    sfx = list_items(project_id=p.id, track="sfx")
    for card, want in zip(cards, ({"rain", "sea"}, {"birds"})):
        for shot in card.shots:
            assert want <= {r.extra["effect"] for r in sfx if r.shot_id == shot.id and r.extra.get("ambience")}
    rain = sorted((r for r in sfx if r.extra["effect"] == "rain"), key=lambda r: r.shot_id)
    trims = [r.extra["trim_in_s"] for r in rain]
    durations = [next(sh.duration_s for sh in cards[0].shots if sh.id == r.shot_id) for r in rain]
    assert trims == pytest.approx([sum(durations[:i]) % 30.0 for i in range(len(rain))], abs=0.01)
    spots = {(r.extra["effect"], r.shot_id) for r in sfx if not r.extra.get("ambience")}
    assert {e for e, _ in spots} >= {"footsteps", "door"}
    tl = project_timeline(project_id=p.id).timeline
    scene1 = [v for v in tl.video if int(v.shot_id) in {sh.id for sh in cards[0].shots}]
    covered = sum(i.duration_s for i in tl.audio("sfx") if i.loop and i.path == tl.audio("sfx")[0].path)
    assert covered == pytest.approx(sum(v.duration_s for v in scene1), abs=0.05)

    # Music per scene: a storm at night, then a kiss in a garden.
    music = choose_music(project_id=p.id)
    assert [s["mood"] for s in music.extra["scenes"]] == ["tense", "romantic"]
    data, msr = sf.read(str(asset_path(media_id=music.media_id)))
    beds = [sf.read(str(asset_path(media_id=b)))[0] for b in music.extra["beds"]]
    cut = music.extra["scenes"][1]["start_s"]

    def corr(a, b):
        return float(np.corrcoef(a.mean(axis=1), b.mean(axis=1))[0, 1])

    for t, want in ((cut - 3.0, 0), (cut + 3.0, 1)):  # before the scene change the tense bed, after it the romantic one
        i, n = int(t * msr), 2 * msr
        start = int(music.extra["scenes"][want]["start_s"] * msr)
        here = data[i:i + n]
        assert corr(here, beds[want][i - start:i - start + n]) > 0.95
        other = 1 - want
        o = int(music.extra["scenes"][other]["start_s"] * msr)
        if 0 <= i - o and i - o + n <= len(beds[other]):
            assert abs(corr(here, beds[other][i - o:i - o + n])) < 0.5


@pytest.mark.parametrize("parenthetical, extensions, want", [
    ("(over the radio)", [], "radio"), ("(into the walkie-talkie)", [], "radio"), ("(on phone)", [], "phone"),
    ("", ["V.O."], "voice-over"), ("(on the phone)", ["V.O."], "phone"), ("(quietly)", [], None),
    ("", ["O.S."], None),
])
def test_treatment_is_read_from_the_script(parenthetical, extensions, want):
    from core.providers.local.treatments import treatment_for

    assert treatment_for(parenthetical=parenthetical, extensions=extensions) == want


def test_phone_and_voice_over_keep_length_and_shape_the_band():
    from core.providers.local.tts import synthesize
    from core.providers.local.treatments import apply_treatment

    x, sr = sf.read(io.BytesIO(synthesize(text="Hello, who is this? Speak up.", voice="local-warm").wav_bytes))
    phone = apply_treatment(x, sr, treatment="phone")
    vo = apply_treatment(x, sr, treatment="voice-over")
    assert len(phone) == len(vo) == len(x)
    rel = lambda s, lo, hi: _band_db(s, sr, lo, hi) - _band_db(s, sr, 300, 3400)  # noqa: E731
    assert rel(x, 60, 250) - rel(phone, 60, 250) > 12    # the phone loses the voice's body…
    assert rel(x, 4000, 10000) - rel(phone, 4000, 10000) > 12  # …and its air
    assert abs(rel(x, 120, 250) - rel(vo, 120, 250)) < 3   # a voice-over keeps its body (only rumble is cut)
    assert rel(vo, 20, 60) < rel(x, 20, 60)
