"""The film's assembly: its video segments and its AAC track joined into one MP4, by stream copy
in this process (PyAV): no program to start, no file probed twice (0.08 s for bench/render.py's 30
segments against 0.15 s through ffmpeg's concat demuxer, on the serial end of every render).
"""
from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import av

from core.errors import Cancelled
from core.media.ffmpeg import ffmpeg_failed
from core.render.aac import Track


def mux_film(*, segments: list[Path], track: Track, out_path: str,
             cancel_event: threading.Event | None = None) -> None:
    """Join the video segments (one after the other, as they are; none for a sound-only file) and
    the film's AAC track into one MP4 at ``out_path``, moov first (``+faststart``: a browser plays
    it while it loads).

    Raises Cancelled (checked between segments) or RenderError (InsufficientStorage for a full
    disk) when FFmpeg cannot read a segment or write the film; the caller deletes ``out_path``."""
    try:
        # the movie's clock at the sample rate: the edit list that hides the priming and cuts the end
        # is counted in it, so the film's length is exact to the sample (the default counts in ms)
        options = {"movflags": "+faststart", "movie_timescale": str(track.rate)}
        with av.open(out_path, "w", format="mp4", options=options) as out, \
                av.open(track.path, format="adts") as sound:
            # every stream is added before the first packet (the header is written then): the first
            # segment, opened here, gives the video stream its parameters
            first = av.open(str(segments[0])) if segments else None
            video = out.add_stream_from_template(first.streams.video[0]) if first else None
            audio = out.add_stream_from_template(sound.streams.audio[0])
            audio.time_base = Fraction(1, track.rate)
            offset = 0  # where the next segment starts, in the segments' time base (all alike: ENCODE)
            for i, path in enumerate(segments):
                with (first if i == 0 else av.open(str(path))) as seg:
                    if cancel_event is not None and cancel_event.is_set():
                        raise Cancelled("Render cancelled")
                    src = seg.streams.video[0]
                    end = offset
                    for packet in seg.demux(src):
                        if packet.dts is None:  # the demuxer's end-of-stream marker
                            continue
                        end = max(end, offset + packet.pts + packet.duration)
                        packet.pts += offset
                        packet.dts += offset
                        packet.stream = video
                        out.mux(packet)
                    offset = end
            n = 0
            for packet in sound.demux(sound.streams.audio[0]):
                if packet.dts is None:
                    continue
                packet.time_base = audio.time_base
                packet.pts, packet.duration = track.packet_timing(n)
                packet.dts = packet.pts
                packet.stream = audio
                out.mux(packet)
                n += 1
    except av.FFmpegError as exc:
        raise ffmpeg_failed(what="Assembly", stderr=str(exc)) from exc
