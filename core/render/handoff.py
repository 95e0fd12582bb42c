"""The timeline for an editing program: OpenTimelineIO, Final Cut Pro 7 XML or CMX 3600 EDL, zipped
with its media and relinked by relative paths.

The picture track follows the render's own segments (same frame counts, black gaps as gaps): a shot
whose clip covers it is its clip, trimmed; a keyframe shot (camera move), a title card, a shot with
a fade or dissolve, or a clip too short for its shot is the rendered segment (no burned
subtitles), so what the editor sees is what the film shows. Voice, music and SFX items become clips
on audio tracks (an item overlapping another on its track goes to a second track of that kind; a
looped music bed becomes one clip per pass through the file). Subtitles travel as an SRT beside the
timeline file. Files are written through OpenTimelineIO's adapters (``otio_json``, and the
``fcp_xml`` and ``cmx_3600`` adapter plugins). A CMX 3600 event list is one track: the adapter writes
the first (picture) track of a timeline only, and writes audio events with the single channel code
``A`` (no ``A2``/``AA``), so sound tracks cannot share the picture's list. The EDL export is therefore
the picture list plus one audio list per sound track (``<name>_Voice.edl``, ``_Music.edl``,
``_SFX.edl``: ``A`` events, written by the adapter's own ``EDLWriter``), the way editors exchange
multi-track edits as EDLs; each reads back with the adapter as an audio track.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio
import soundfile as sf
from otio_cmx3600_adapter import cmx_3600

from core.errors import InvalidInput, RenderError
from core.media.info import probe
from core.render.engine import Segment, output_size, plan_segments, render_segment
from core.settings import get_settings
from core.timeline.cues import to_srt
from core.timeline.edits import TitleCard
from core.timeline.model import AudioItem, Timeline, VideoItem

# format → (OpenTimelineIO adapter, file extension)
FORMATS = {"otio": ("otio_json", "otio"), "fcpxml": ("fcp_xml", "xml"), "edl": ("cmx_3600", "edl")}
TRACK_NAMES = {"voice": "Voice", "music": "Music", "sfx": "SFX"}


@dataclass(frozen=True)
class Handoff:
    """An exported timeline: the zip, the timeline file's name inside it, the media it holds."""

    path: str
    timeline_file: str
    media: tuple[str, ...]
    clips: int
    track_files: tuple[str, ...] = ()  # EDL: one audio event list per sound track, beside the picture list


def clip_name(item) -> str:
    """The name a timeline item carries in the editing program."""
    if isinstance(item, TitleCard):
        return f"Title: {item.text[:40]}" if item.text else "Black"
    if isinstance(item, VideoItem):
        return f"Shot {item.shot_id}"
    return item.item_id


def _rt(frames: int, fps: int) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, fps)


def _range(start: int, frames: int, fps: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start, fps), _rt(frames, fps))


class _Media:
    """Files going into the zip's ``media/`` folder, each once, under a unique safe name."""

    def __init__(self):
        self.by_path: dict[str, str] = {}

    def add(self, path: str, name: str | None = None) -> str:
        if path not in self.by_path:
            stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name or Path(path).name)
            taken = set(self.by_path.values())
            rel, n = f"media/{stem}", 1
            while rel in taken:
                n += 1
                rel = f"media/{Path(stem).stem}-{n}{Path(stem).suffix}"
            self.by_path[path] = rel
        return self.by_path[path]


def _clip_covers(item: VideoItem, nframes: int, fps: int) -> tuple[bool, int]:
    """(the source clip has every frame the shot shows, its length in frames)."""
    info = probe(path=Path(item.source))
    total = int(round((info.duration_s or 0.0) * fps))
    return int(round(item.trim_in_s * fps)) + nframes <= total, total


def _video_track(*, segs: list[Segment], timeline: Timeline, media: _Media, rendered: dict[str, Path]) -> otio.schema.Track:
    fps = timeline.fps
    track = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    for seg in segs:
        if seg.item is None:
            track.append(otio.schema.Gap(source_range=_range(0, seg.nframes, fps)))
            continue
        if seg.key in rendered:
            rel = media.add(str(rendered[seg.key]), name=f"{clip_name(seg.item).split(':')[0].lower().replace(' ', '-')}"
                                                           f"-{seg.key[:10]}.mp4")
            start, available = 0, seg.nframes
        else:
            _, available = _clip_covers(seg.item, seg.nframes, fps)
            rel = media.add(seg.item.source)
            start = int(round(seg.item.trim_in_s * fps))
        ref = otio.schema.ExternalReference(target_url=rel, available_range=_range(0, available, fps))
        track.append(otio.schema.Clip(name=clip_name(seg.item), media_reference=ref,
                                      source_range=_range(start, seg.nframes, fps)))
    return track


def _audio_pieces(item: AudioItem, fps: int, film_frames: int) -> list[tuple[int, int, int, int]]:
    """(record start, source start, frames, file frames) of each clip an item becomes: one, or
    one per pass through the file for a looped bed. Items are cut at the film's end."""
    info = sf.info(item.path)
    file_frames = max(-(-info.frames * fps // info.samplerate), 1)  # a last part-frame counts
    start = int(round(item.start_s * fps))
    frames = min(int(round(item.duration_s * fps)), film_frames - start)
    src = int(round(item.trim_in_s * fps))
    if frames <= 0:
        return []
    if not item.loop:
        return [(start, src, min(frames, max(file_frames - src, 1)), file_frames)]
    pieces, done = [], 0
    src %= file_frames
    while done < frames:
        n = min(frames - done, file_frames - src)
        pieces.append((start + done, src, n, file_frames))
        done += n
        src = 0
    return pieces


def _audio_tracks(*, timeline: Timeline, media: _Media, film_frames: int) -> list[otio.schema.Track]:
    fps = timeline.fps
    tracks: list[otio.schema.Track] = []
    for kind, title in TRACK_NAMES.items():
        lanes: list[tuple[otio.schema.Track, list[int]]] = []  # (track, [end frame])
        for item in timeline.audio(kind):
            for n_pass, (rec, src, n, available) in enumerate(_audio_pieces(item, fps, film_frames)):
                lane = next((ln for ln in lanes if ln[1][0] <= rec), None)
                if lane is None:
                    name = title if not lanes else f"{title} {len(lanes) + 1}"
                    lane = (otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio), [0])
                    lanes.append(lane)
                track, end = lane
                if rec > end[0]:
                    track.append(otio.schema.Gap(source_range=_range(0, rec - end[0], fps)))
                ref = otio.schema.ExternalReference(target_url=media.add(item.path),
                                                    available_range=_range(0, available, fps))
                clip = otio.schema.Clip(name=clip_name(item), media_reference=ref, source_range=_range(src, n, fps))
                # The pass number also keeps identical passes of a loop distinct clips in FCP XML
                # (its writer folds clips that serialize the same into one back-reference).
                clip.metadata["storyreel"] = {"gain_db": item.gain_db, "track": kind, "pass": n_pass}
                track.append(clip)
                end[0] = rec + n
        tracks += [ln[0] for ln in lanes]
    return tracks


def build_otio(*, timeline: Timeline, name: str, segs: list[Segment], rendered: dict[str, Path],
               media: _Media) -> otio.schema.Timeline:
    """Return the OpenTimelineIO timeline (picture track, then voice, music and SFX tracks)."""
    out = otio.schema.Timeline(name=name, global_start_time=_rt(0, timeline.fps))
    out.tracks.append(_video_track(segs=segs, timeline=timeline, media=media, rendered=rendered))
    film_frames = sum(s.nframes for s in segs)
    out.tracks.extend(_audio_tracks(timeline=timeline, media=media, film_frames=film_frames))
    return out


def _needs_render(seg: Segment, fps: int) -> bool:
    item = seg.item
    if item is None:
        return False
    if isinstance(item, TitleCard) or item.is_still:
        return True
    if item.transition_in != "cut" or item.transition_out != "cut":
        return True
    return not _clip_covers(item, seg.nframes, fps)[0]


def export_timeline(*, timeline: Timeline, fmt: str, out_path: str, name: str = "Storyreel film",
                    fit: str = "letterbox", cache_dir: str | None = None,
                    cancel_event: threading.Event | None = None) -> Handoff:
    """Write a zip at ``out_path``: the timeline file (``fmt``: otio, fcpxml or edl), ``media/`` with
    every file it references (relative paths) and the subtitles as SRT.

    Keyframe shots, title cards and shots with transitions are rendered as their segments (reused
    from the render cache). Returns a Handoff. Raises InvalidInput for an unknown format or an empty
    timeline, RenderError when a source cannot be read or rendered (no zip is left then).
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", field="format")
    if not timeline.video:
        raise InvalidInput("The timeline has no shots", field="timeline")
    adapter, ext = FORMATS[fmt]
    width, height = output_size(quality="final", aspect_ratio=timeline.aspect_ratio)
    segs = plan_segments(timeline=timeline, width=width, height=height, fit=fit, quality="final", burn=False)
    seg_dir = (Path(cache_dir) if cache_dir else get_settings().cache_dir) / "segments"
    seg_dir.mkdir(parents=True, exist_ok=True)
    rendered = {s.key: render_segment(seg=s, fps=timeline.fps, width=width, height=height, fit=fit, quality="final",
                                      seg_dir=seg_dir, cancel_event=cancel_event)
                for s in segs if _needs_render(s, timeline.fps)}
    media = _Media()
    otl = build_otio(timeline=timeline, name=name, segs=segs, rendered=rendered, media=media)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "film"
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        doc = Path(tmp) / f"{stem}.{ext}"
        written, lists = otl, []
        if fmt == "edl":  # a CMX 3600 list is one track: the picture here, each sound track in its own list
            written = otio.schema.Timeline(name=name, global_start_time=_rt(0, timeline.fps))
            written.tracks.append(otl.tracks[0].clone())
        try:
            otio.adapters.write_to_file(written, str(doc), adapter_name=adapter)
            if fmt == "edl":
                lists = _audio_edls(otl, folder=Path(tmp), stem=stem, name=name, fps=timeline.fps)
        except otio.exceptions.OTIOError as exc:
            raise RenderError(f"Cannot write the {fmt} timeline: {exc}", field="format") from exc
        part = Path(tmp) / "out.zip"
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as z:  # media is compressed already
            z.write(doc, doc.name)
            for extra in lists:
                z.write(extra, extra.name)
            for src, rel in media.by_path.items():
                z.write(src, rel)
            if timeline.cues:
                z.writestr(f"{stem}.srt", to_srt(timeline.cues))
        shutil.move(str(part), str(out))  # same folder: a rename, so no half zip is ever seen
    clips = sum(1 for t in otl.tracks for c in t if isinstance(c, otio.schema.Clip))
    return Handoff(path=str(out), timeline_file=doc.name, media=tuple(media.by_path.values()), clips=clips,
                   track_files=tuple(p.name for p in lists))


def _audio_edls(otl: otio.schema.Timeline, *, folder: Path, stem: str, name: str, fps: int) -> list[Path]:
    """Write each sound track of ``otl`` as a CMX 3600 list of ``A`` events (the adapter's
    ``EDLWriter``, avid style as its ``write_to_string`` uses); returns the files written."""
    out = []
    for track in otl.tracks:
        if track.kind != otio.schema.TrackKind.Audio or not any(isinstance(c, otio.schema.Clip) for c in track):
            continue
        label = re.sub(r"[^A-Za-z0-9_-]+", "_", track.name).strip("_") or "Audio"
        one = otio.schema.Timeline(name=f"{name} - {track.name}", global_start_time=_rt(0, fps))
        one.tracks.append(track.clone())
        writer = cmx_3600.EDLWriter(tracks=one.tracks, rate=fps, style="avid")
        path = folder / f"{stem}_{label}.edl"
        path.write_text(writer.get_content_for_track_at_index(0, title=f"{name} - {track.name}"), encoding="utf-8")
        out.append(path)
    return out
