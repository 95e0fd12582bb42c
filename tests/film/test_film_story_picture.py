"""The offline film of a script of our own tells its story in the picture: title cards, fades and a
dissolve measured on frame brightness, the set and time stored with every keyframe, night darker
than day, nobody drawn in shots without characters, varied camera moves, and mouths that move
while their character speaks."""
from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from core.breakdowns import list_scene_cards
from core.film import make_film
from core.media_assets import asset_path, get_asset
from core.providers.local.speaking import recorded_mouths
from core.timeline.store import project_timeline

DATA = Path(__file__).resolve().parents[1] / "data" / "h17"
FPS = 24


def _frames(path, width: int, height: int) -> np.ndarray:
    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def _make(tmp_path) -> dict:
    """The offline film of tests/data/h17/titles.fountain at 360p, and what it was made from."""
    out = tmp_path / "brick.mp4"
    summary = make_film(script_path=str(DATA / "titles.fountain"), out_path=str(out), short_side=360,
                        subtitles="none", target_length_s=30)
    pid = summary["project_id"]
    return {"summary": summary, "frames": _frames(out, summary["width"], summary["height"]),
            "cards": list_scene_cards(project_id=pid), "timeline": project_timeline(project_id=pid).timeline}


def test_the_offline_film_tells_the_story_in_the_picture(tmp_path):
    """One film (they take a while), every picture promise checked on it."""
    film = _make(tmp_path)
    _set_and_time_are_stored_with_every_keyframe(film)
    _night_keyframes_are_darker_than_day_ones(film)
    _no_figure_in_shots_without_characters(film)
    _title_cards_fades_and_dissolve_in_the_picture(film)
    _camera_moves_vary_per_shot(film)
    _speakers_mouths_move_with_their_lines(film)


def _keyframe(shot):
    asset = get_asset(media_id=shot.keyframe_media_id)
    with Image.open(asset_path(media_id=asset.media_id)) as im:
        return asset, dict(im.info), np.asarray(im.convert("RGB"), dtype=np.float64)


def _set_and_time_are_stored_with_every_keyframe(film):
    expected = [("site", "day"), ("office", "night"), ("site", "dusk")]
    for card, (kind, light) in zip(film["cards"], expected):
        for shot in card.shots:
            asset, marks, _ = _keyframe(shot)
            assert (asset.input_params["set"], asset.input_params["time_of_day"]) == (kind, light), card.scene.heading
            assert (marks["storyreel:set"], marks["storyreel:time"]) == (kind, light)


def _night_keyframes_are_darker_than_day_ones(film):
    day = [_keyframe(sh)[2][:, :, :].mean() for sh in film["cards"][0].shots]
    night = [_keyframe(sh)[2].mean() for sh in film["cards"][1].shots]
    assert max(night) < min(day) - 15, (night, day)


def _no_figure_in_shots_without_characters(film):
    empty = [sh for c in film["cards"] for sh in c.shots if not sh.characters]
    peopled = [sh for c in film["cards"] for sh in c.shots if sh.characters]
    assert empty and peopled
    assert all(_keyframe(sh)[1]["storyreel:figures"] == "0" for sh in empty)
    assert all(int(_keyframe(sh)[1]["storyreel:figures"]) >= 1 for sh in peopled)


def _title_cards_fades_and_dissolve_in_the_picture(film):
    tl, frames = film["timeline"], film["frames"]
    luma = frames.mean(axis=(1, 2, 3))
    titles = tl.titles
    assert [t.text for t in titles] == ["BRICK & STEEL", "SIX MONTHS LATER", "THE END"]
    for t in titles:  # dark card with bright centred text
        f = frames[int((t.start_s + t.duration_s / 2) * FPS)]
        h, w = f.shape[:2]
        assert f.mean() < 30 and f[h // 3:2 * h // 3, w // 5:4 * w // 5].max() > 200, t.text
    video = tl.video
    first, last = video[0], video[-1]
    assert first.transition_in == "fade" and last.transition_out == "fade"
    a = int(round(first.start_s * FPS))
    assert luma[a] < 8 and luma[a + int(first.transition_in_s * FPS) + 2] > 40  # up from black
    assert luma[a + 6] < luma[a + 12] < luma[a + 20]
    z = int(round(last.end_s * FPS)) - 1
    assert luma[z] < 8 and luma[z - int(last.transition_out_s * FPS) - 2] > 30  # down to black
    dissolve = next(v for v in video if v.transition_in == "dissolve")
    d = int(round(dissolve.start_s * FPS))
    before, after = frames[d - 1].astype(float), frames[d + int(dissolve.transition_in_s * FPS) + 1].astype(float)
    mid = frames[d + int(dissolve.transition_in_s * FPS / 2)].astype(float)
    # Halfway through the dissolve the frame sits between the two shots, close to their mix.
    assert np.abs(mid - (before + after) / 2).mean() < 0.6 * np.abs(before - after).mean()
    assert len(frames) == pytest.approx(tl.duration_s * FPS, abs=3)


def _camera_moves_vary_per_shot(film):
    moves = [sh.camera_move for c in film["cards"] for sh in c.shots]
    assert len(set(moves)) >= 3, moves
    clips = {get_asset(media_id=sh.clip_media_id).input_params.get("camera_move") for c in film["cards"]
             for sh in c.shots}
    assert len(clips) >= 3


def _speakers_mouths_move_with_their_lines(film):
    talking = [sh for c in film["cards"] for sh in c.shots if sh.dialogue]
    assert talking
    for shot in talking:
        clip = get_asset(media_id=shot.clip_media_id)
        turns = clip.input_params.get("speaking", "")
        assert turns.startswith("JO:") and len(clip.input_params.get("speech") or []) == len(shot.dialogue)
        asset, marks, key = _keyframe(shot)
        assert "JO" in marks.get("storyreel:mouths", "")
        w, h = clip.width, clip.height
        frames = _frames(asset_path(media_id=clip.media_id), w, h).astype(float)
        # Where JO's mouth is in the clip: the keyframe's mark, scaled to the clip and enlarged as
        # the clip enlarges the picture above the caption strip it drops.
        mouth = recorded_mouths(asset_path(media_id=asset.media_id), w, h)["JO"]
        band = round(int(marks.get("storyreel:caption_band", 0)) * h / key.shape[0])
        s = h / (h - band) if band else 1.0
        mx, my, mw = (mouth.x - w / 2) * s + w / 2, mouth.y * s, max(mouth.w * s, 4)
        start, end = (float(x) for x in turns.split(";")[0].split(":")[1].split("-"))
        spoken = frames[int(start * FPS) + 1:int(end * FPS) - 1]
        steps = np.abs(np.diff(spoken, axis=0))
        region = steps[:, int(my - mw):int(my + 2 * mw), int(mx - 2 * mw):int(mx + 2 * mw)].mean()
        assert region > 3 * steps.mean() and region > 1.0, (region, steps.mean())
