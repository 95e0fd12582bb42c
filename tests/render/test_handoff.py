"""Hand-off to editing programs: each exported file read back with OpenTimelineIO matches the timeline
(tracks, clips, names, durations, offsets) and every media reference resolves inside the zip."""
import math
import zipfile

import opentimelineio as otio
import pytest
import soundfile as sf

from core.errors import InvalidInput
from core.render.handoff import export_timeline
from core.timeline.model import set_duration

ADAPTERS = {"otio": ("otio_json", ".otio"), "fcpxml": ("fcp_xml", ".xml"), "edl": ("cmx_3600", ".edl")}


def _expected_video(tl):
    """(name, record start frame, frames) of each shot, from the timeline model alone."""
    out, pos = [], 0
    for v in tl.video:
        gap = int(round((v.start_s * tl.fps))) - pos
        pos += max(gap, 0)
        n = int(round(v.duration_s * tl.fps))
        out.append((f"Shot {v.shot_id}", pos, n))
        pos += n
    return out


def _expected_audio(tl, kind):
    film = sum(n for _, _, n in _expected_video(tl))
    out = []
    for a in tl.audio(kind):
        start, frames = int(round(a.start_s * tl.fps)), int(round(a.duration_s * tl.fps))
        frames = min(frames, film - start)
        if a.loop:  # one clip per pass through the file
            info = sf.info(a.path)
            per = math.ceil(info.frames * tl.fps / info.samplerate)
            done = 0
            while done < frames:
                n = min(per, frames - done)
                out.append((a.item_id, start + done, n))
                done += n
        else:
            out.append((a.item_id, start, frames))
    return out


def _clips(track):
    """(name, record start frame, frames) per clip; a track read from an EDL starts at its first event's
    record time (its source range starts that far before its first child)."""
    first = -track.source_range.start_time.to_frames() if track.source_range else 0
    return [(c.name, first + c.range_in_parent().start_time.to_frames(), c.source_range.duration.to_frames())
            for c in track if isinstance(c, otio.schema.Clip)]


@pytest.mark.parametrize("fmt", ["otio", "fcpxml", "edl"])
def test_export_reads_back_exactly_and_media_resolves(timeline, tmp_path, fmt):
    res = export_timeline(timeline=timeline, fmt=fmt, out_path=str(tmp_path / f"film-{fmt}.zip"), name="Harbour Night",
                          cache_dir=str(tmp_path / "cache"))
    out = tmp_path / "unzipped"
    with zipfile.ZipFile(res.path) as z:
        z.extractall(out)
    adapter, ext = ADAPTERS[fmt]
    assert res.timeline_file == f"Harbour_Night{ext}"
    back = otio.adapters.read_from_file(str(out / res.timeline_file), adapter_name=adapter)
    video = [t for t in back.tracks if t.kind == otio.schema.TrackKind.Video]
    audio = [t for t in back.tracks if t.kind == otio.schema.TrackKind.Audio]
    assert len(video) == 1
    assert _clips(video[0]) == _expected_video(timeline)
    tracks = list(back.tracks)
    if fmt == "edl":  # a CMX 3600 list is one track: the picture list, and one list of A events per sound track
        assert audio == []
        assert res.track_files == ("Harbour_Night_Voice.edl", "Harbour_Night_Music.edl", "Harbour_Night_SFX.edl")
        lists = [otio.adapters.read_from_file(str(out / f), adapter_name=adapter) for f in res.track_files]
        assert all([t.kind for t in tl.tracks] == [otio.schema.TrackKind.Audio] for tl in lists)
        audio = [tl.tracks[0] for tl in lists]
        tracks += audio
    else:
        assert res.track_files == ()
    assert len(audio) == 3  # voice, music, sfx (no overlaps within a kind in this film)
    got = {t: _clips(tr) for t, tr in zip(("voice", "music", "sfx"), audio)}
    for kind in ("voice", "music", "sfx"):
        assert got[kind] == _expected_audio(timeline, kind), (kind, got[kind], _expected_audio(timeline, kind))
    refs = [c.media_reference.target_url for t in tracks for c in t if isinstance(c, otio.schema.Clip)]
    assert refs and all(not r.startswith("/") and (out / r).is_file() for r in refs), refs
    names = set(zipfile.ZipFile(res.path).namelist())
    for a in timeline.audio():  # every sound, music and effect file is in the zip
        assert any(n.startswith("media/") and n.endswith(a.path.rsplit("/", 1)[-1]) for n in names)
    assert "Harbour_Night.srt" in names


def test_keyframe_shots_travel_as_rendered_segments(timeline, tmp_path, tools):
    clip_shot = next(v for v in timeline.video if not v.is_still)
    timeline = set_duration(timeline=timeline, shot_id=clip_shot.shot_id, duration_s=1.5)  # the clip covers it
    res = export_timeline(timeline=timeline, fmt="otio", out_path=str(tmp_path / "f.zip"), cache_dir=str(tmp_path / "c"))
    with zipfile.ZipFile(res.path) as z:
        z.extractall(tmp_path / "x")
    back = otio.adapters.read_from_file(str(tmp_path / "x" / res.timeline_file))
    for clip, item in zip(back.tracks[0].find_clips(), timeline.video):
        path = tmp_path / "x" / clip.media_reference.target_url
        covered = not item.is_still and tools.probe(item.source)["duration"] >= item.trim_in_s + item.duration_s
        if covered:  # a clip long enough for its shot travels as itself, trimmed by the source range
            assert path.read_bytes() == open(item.source, "rb").read()
        else:  # a keyframe with its camera move, or a clip held on its last frame: the rendered shot
            assert path.suffix == ".mp4" and path.read_bytes() != open(item.source, "rb").read()
            info = tools.probe(path)
            assert info["duration"] == pytest.approx(clip.source_range.duration.to_seconds(), abs=0.05)
            assert clip.source_range.start_time.to_frames() == 0
    kinds = {(v.is_still, not v.is_still and tools.probe(v.source)["duration"] >= v.duration_s) for v in timeline.video}
    assert {(True, False), (False, True)} <= kinds  # both ways are exercised
    assert len({c.media_reference.target_url for c in back.tracks[0].find_clips()}) == len(timeline.video)


def test_unknown_format_is_named(timeline, tmp_path):
    with pytest.raises(InvalidInput) as exc:
        export_timeline(timeline=timeline, fmt="aaf", out_path=str(tmp_path / "x.zip"))
    assert exc.value.field == "format"
    assert not (tmp_path / "x.zip").exists()
