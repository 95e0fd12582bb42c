"""Render benchmark: a generated 30-shot, ~2-minute 1280×720 24 fps project.

Prints the final and preview render speeds (× real time), the re-render after changing one shot
and after lengthening one (fractions of the full final render), the speed-up over a plain MoviePy
one-pass composite of the same project, the encoder's floor (the finished film's own frames, piped
raw through the same encoder settings with the same parallelism and nothing else to do; and the same
with the film's own sound encoded alongside through the same AAC settings), a 120-shot run's wall
time per film-minute against this one's, and the peak memories; the last line is one JSON object
with the figures. Every ratio is against a baseline measured in the same run.
The full final render (from a cold cache, sources hashed afresh) and the encoder's floor are each
timed ``--repeat`` times, alternately, and the fastest of each counts: other work on the machine
only ever adds time, to either side. ``final_vs_floor_runs`` also gives each run's own ratio, and
``stolen_cpu_s`` the CPU time the hypervisor took from this machine while they ran (``steal`` in
``/proc/stat``; on a shared VM it moves each run's ratio by a few hundredths).

    python3 bench/render.py [--skip-baseline] [--skip-scaling] [--shots 30] [--scaling-shots 120] [--repeat 5] [--scaling-repeat 2]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.media import files as media_files  # noqa: E402
from core.render.encode import AUDIO_ENCODE, FFMPEG, open_pipe, video_encoder_args  # noqa: E402
from core.render.engine import output_size, plan_segments, render_timeline  # noqa: E402
from core.timeline.build import MusicBed, SfxCue, ShotMedia, VoiceLine, build_timeline  # noqa: E402
from core.timeline.model import Timeline, replace_source  # noqa: E402

_spec = importlib.util.spec_from_file_location("synth_media", ROOT / "tests" / "render" / "synth_media.py")
synth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synth)

W, H, FPS = 1280, 720, 24
MOVES = ["push_in", "pan_right", "pull_out", "pan_left", "tilt_up", "tilt_down"]
LINES = [
    "Where were you when the lights went out?", "At the harbour. I saw the ship come in without a sound.",
    "Nobody sails at night in this weather!", "Someone did. And they were carrying something heavy.",
    "Did you see their faces?", "Only one. The woman from the lighthouse.", "That's impossible, she left years ago.",
    "Then who keeps the lamp burning every night?", "We should go up there before dawn.",
    "Bring the lantern and the old map.", "Listen. Do you hear that?", "Footsteps on the stairs. Quiet now!",
]


def _keyframe(path: Path, i: int) -> str:
    """A storyboard keyframe: the local provider's drawing when available, else a NumPy scene."""
    try:
        from core.providers.local.keyframe import draw_keyframe

        path.write_bytes(draw_keyframe(prompt=f"Harbour at night, shot {i}", shot_type=["wide", "medium", "close-up"][i % 3],
                                       location="harbour", time_of_day="night", characters=["Anna", "Ben"][: 1 + i % 2],
                                       width=W, height=H, seed=i))
        return str(path)
    except Exception:  # local engine absent or still in progress: fall back to our own drawing
        return synth.keyframe(path, width=W, height=H, seed=i)


def make_project(d: Path, n_shots: int) -> Timeline:
    shots, lines, sfx = [], [], []
    knock = synth.sfx(d / "knock.wav", seconds=0.6)
    for i in range(n_shots):
        if i % 2:
            shots.append(ShotMedia(shot_id=f"s{i}", duration_s=4.0,
                                   clip_path=synth.clip(d / f"clip{i}.mp4", width=W, height=H, seconds=4.0, fps=FPS, seed=i)))
        else:
            shots.append(ShotMedia(shot_id=f"s{i}", duration_s=4.0, keyframe_path=_keyframe(d / f"kf{i}.png", i),
                                   camera_move=MOVES[(i // 2) % len(MOVES)]))
        if i % 3 != 2:
            text = LINES[i % len(LINES)]
            path, words = synth.voice_line(d / f"line{i}.wav", text=text, seed=i, word_s=0.2)
            lines.append(VoiceLine(shot_id=f"s{i}", path=path, words=words, speaker=["ANNA", "BEN"][i % 2], text=text))
        if i % 5 == 0:
            sfx.append(SfxCue(shot_id=f"s{i}", path=knock, offset_s=1.0))
    music = MusicBed(path=synth.music_bed(d / "music.wav", seconds=32.0))
    return build_timeline(shots=shots, voice_lines=lines, music=music, sfx=sfx, fps=FPS, short_side=H)


def _rss_kb(pid: int) -> int:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


class RssSampler:
    """Samples every 50 ms the RSS of this process plus all its live children (the ffmpeg
    encoders and decoders) and keeps the highest sum: the tree's memory high-water mark.

    A child caught between fork and exec (still running our Python image, same command line as its
    parent) shares all its pages with the parent; it is not counted, or each process start would
    randomly add the whole Python process once more."""

    def __init__(self):
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _children(self, pid: int) -> list[int]:
        try:
            tasks = Path(f"/proc/{pid}/task").iterdir()
            out = []
            for t in tasks:
                out += [int(x) for x in (t / "children").read_text().split()]
            return out
        except OSError:
            return []

    def _run(self):
        import os

        me = os.getpid()
        while not self._stop.wait(0.05):
            pids, todo = [me], [me]
            while todo:
                parent = todo.pop()
                kids = [k for k in self._children(parent) if _cmdline(k) != _cmdline(parent)]
                pids += kids
                todo += kids
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in pids))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024.0


def stolen_s() -> float:
    """CPU seconds the hypervisor has taken from this machine since boot (``steal``; 0 where the
    kernel does not count it)."""
    try:
        fields = open("/proc/stat").readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0
    except OSError:
        return 0.0


def cpu_s() -> float:
    """CPU seconds used so far by this process and its finished children (ffmpeg)."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def moviepy_baseline(tl: Timeline, out: Path) -> float:
    """The same film by a plain MoviePy composite written in one pass; returns seconds taken."""
    from moviepy import (AudioFileClip, CompositeAudioClip, CompositeVideoClip, ImageClip, TextClip,
                         VideoFileClip, concatenate_audioclips)

    import warnings

    # Clips shorter than their shot hold the last frame, which MoviePy reports on every frame.
    warnings.filterwarnings("ignore", category=UserWarning, module="moviepy")
    t0 = time.perf_counter()
    layers = []
    for v in tl.video:
        d = v.duration_s
        if v.is_still:
            move = v.camera_move
            if move in ("push_in", "pull_out"):
                z = (lambda t, d=d: 1 + 0.2 * t / d) if move == "push_in" else (lambda t, d=d: 1.2 - 0.2 * t / d)
                clip = ImageClip(v.source).with_duration(d).resized(z).with_position("center")
            else:
                big = ImageClip(v.source).with_duration(d).resized(1.2)
                dx, dy = (W * 0.1, 0) if move in ("pan_left", "pan_right") else (0, H * 0.1)
                sign = 1 if move in ("pan_left", "tilt_up") else -1
                clip = big.with_position(lambda t, d=d, dx=dx, dy=dy, s=sign:
                                         (-dx - s * dx * (2 * t / d - 1) if dx else -W * 0.1,
                                          -dy - s * dy * (2 * t / d - 1) if dy else -H * 0.1))
        else:
            clip = VideoFileClip(v.source, audio=False)
            if clip.duration < d:
                clip = clip.with_duration(clip.duration)
            clip = clip.subclipped(0, min(d, clip.duration)).with_position("center")
            if clip.duration < d:
                clip = clip.with_duration(d)
        layers.append(clip.with_start(v.start_s))
    for c in tl.cues:
        layers.append(TextClip(font="/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", text=c.text, font_size=38,
                               color="white", stroke_color="black", stroke_width=2, method="label")
                      .with_start(c.start_s).with_duration(c.end_s - c.start_s).with_position(("center", 0.78), relative=True))
    video = CompositeVideoClip(layers, size=(W, H)).with_duration(tl.duration_s)
    sounds = []
    for a in tl.audio():
        clip = AudioFileClip(a.path)
        if a.loop:
            reps = int(a.duration_s // clip.duration) + 1
            clip = concatenate_audioclips([clip] * reps)
        clip = clip.subclipped(0, min(a.duration_s, clip.duration)).with_volume_scaled(10 ** (a.gain_db / 20))
        sounds.append(clip.with_start(a.start_s))
    video = video.with_audio(CompositeAudioClip(sounds).with_duration(tl.duration_s))
    video.write_videofile(str(out), fps=FPS, codec="libx264", audio_codec="aac", preset="veryfast",
                          ffmpeg_params=["-crf", "21"], logger=None,
                          temp_audiofile=str(out.with_suffix(".tmp.m4a")))  # not in the cwd
    return time.perf_counter() - t0


def encode_floor(*, tl: Timeline, film: Path, work: Path, quality: str = "final",
                 workers: int = 2, with_audio: bool = False) -> tuple[float, float]:
    """(wall, CPU) seconds the encoder alone needs for the finished film's frames: the film is decoded to raw
    I420 once (not timed), then each segment's frames are piped raw into the ffmpeg program with the
    render's own encoder command, ``workers`` segments at a time as the render does. (The render
    itself hands the frames it draws to the same x264 inside its process: the same bitstream, no
    pipe.) ``with_audio``: the film's own
    sound (decoded to float PCM, not timed) is also encoded through the render's AAC settings
    alongside, as the render makes its soundtrack alongside the picture."""
    w, h = output_size(quality=quality, aspect_ratio=tl.aspect_ratio)
    raw = work / "film.yuv"
    subprocess.run([FFMPEG, "-loglevel", "error", "-y", "-i", str(film), "-map", "0:v:0", "-f", "rawvideo",
                    "-pix_fmt", "yuv420p", str(raw)], check=True)
    frame_bytes = w * h * 3 // 2
    segs = plan_segments(timeline=tl, width=w, height=h, fit="letterbox", quality=quality, burn=True)
    starts, f = [], 0
    for seg in segs:
        starts.append((f, seg.nframes))
        f += seg.nframes

    def encode(job):
        n, (first, count) = job
        # the render's own encoder command through the render's own (widened) pipe
        proc = open_pipe(video_encoder_args(out_path=str(work / f"floor{n}.mp4"), width=w, height=h,
                                            fps=tl.fps, quality=quality))
        with open(raw, "rb") as fh:
            fh.seek(first * frame_bytes)
            for _ in range(count):
                proc.stdin.write(fh.read(frame_bytes))
        proc.stdin.close()
        if proc.wait() != 0:
            raise RuntimeError("floor encode failed")

    pcm = work / "film.f32"
    if with_audio:
        subprocess.run([FFMPEG, "-loglevel", "error", "-y", "-i", str(film), "-map", "0:a:0", "-f", "f32le",
                        "-ar", "48000", "-ac", "2", str(pcm)], check=True)

    def encode_audio():
        subprocess.run([FFMPEG, "-loglevel", "error", "-y", "-f", "f32le", "-ar", "48000", "-ac", "2", "-i", str(pcm),
                        *AUDIO_ENCODE, "-f", "adts", str(work / "floor.adts")], check=True)

    with open(raw, "rb") as fh:  # warm the page cache so the timed part reads memory, not disk
        while fh.read(1 << 24):
            pass
    t, c = time.perf_counter(), cpu_s()
    with ThreadPoolExecutor(max_workers=1) as audio_pool:
        audio = audio_pool.submit(encode_audio) if with_audio else None
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(encode, enumerate(starts)))
        if audio is not None:
            audio.result()
    took, cpu = time.perf_counter() - t, cpu_s() - c
    raw.unlink()
    pcm.unlink(missing_ok=True)
    return took, cpu


def scaling_run(*, shots: int) -> tuple[float, float, float]:
    """Render a fresh ``shots``-shot project once (final, burned subtitles); returns (film seconds,
    wall seconds, peak RSS of the process tree in MB during the render)."""
    with tempfile.TemporaryDirectory(prefix="storyreel-bench-scale-") as tmp:
        d = Path(tmp)
        tl = make_project(d, shots)
        sampler = RssSampler()
        t = time.perf_counter()
        render_timeline(timeline=tl, out_path=str(d / "film.mp4"), quality="final", subtitles="burn",
                        cache_dir=str(d / "cache"))
        wall = time.perf_counter() - t
        return tl.duration_s, wall, sampler.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shots", type=int, default=30)
    ap.add_argument("--scaling-shots", type=int, default=120)
    ap.add_argument("--scaling-repeat", type=int, default=2,
                    help="runs of the big render, each in a fresh process (the fastest counts, as for the small one)")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--skip-scaling", action="store_true")
    ap.add_argument("--repeat", type=int, default=5,
                    help="timings of the full final render and of the floor, alternately (the fastest of each counts)")
    ap.add_argument("--single-run", type=int, metavar="SHOTS", help=argparse.SUPPRESS)  # see scaling_in_child
    args = ap.parse_args()
    if args.single_run:
        film_s, wall, peak = scaling_run(shots=args.single_run)
        print(json.dumps({"film_s": film_s, "wall_s": wall, "peak_rss_mb": peak}))
        return
    figures = run(args)
    print(json.dumps(figures))


def scaling_in_child(*, shots: int) -> tuple[float, float, float]:
    """``scaling_run`` in a fresh Python process, so its memory figure is the render's alone (this
    process still holds the MoviePy baseline's clips and readers); returns the same triple."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--single-run", str(shots)],
                          capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out["film_s"], out["wall_s"], out["peak_rss_mb"]


def run(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="storyreel-bench-") as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        tl = make_project(d, args.shots)
        film_s = tl.duration_s
        print(f"project: {len(tl.video)} shots, {film_s:.1f} s, {len(tl.audio('voice'))} voice lines, "
              f"{len(tl.cues)} cues, generated in {time.perf_counter() - t0:.1f} s")
        cache = str(d / "cache")

        cpu: dict[str, float] = {}
        sampler = RssSampler()

        def timed(cache_dir=cache, **kw):
            t, c = time.perf_counter(), cpu_s()
            res = render_timeline(timeline=tl if "timeline" not in kw else kw.pop("timeline"), cache_dir=cache_dir, **kw)
            cpu[kw["out_path"]] = cpu_s() - c
            return time.perf_counter() - t, res

        try:
            load = open("/proc/loadavg").read().split()[0]
        except OSError:
            load = "?"
        print(f"load average before rendering: {load} (the machine's other work slows wall-clock figures)")

        from core.timeline.model import set_duration
        shot = [v for v in tl.video if v.is_still][len(tl.video) // 4]  # a keyframe shot mid-film
        new_move = "push_in" if shot.camera_move != "push_in" else "pan_right"
        changed = replace_source(timeline=tl, shot_id=shot.shot_id, source=shot.source, camera_move=new_move)
        mid = tl.video[len(tl.video) // 2]
        longer = set_duration(timeline=tl, shot_id=mid.shot_id, duration_s=mid.duration_s + 1.0)
        finals, floors = [], []  # per run: (final s, final CPU, one-shot s, duration-change s and CPU); (s, CPU)
        stolen = stolen_s()
        for n in range(max(args.repeat, 1)):  # alternately: the full render and its changes, then the floor
            run_cache = cache if n == 0 else str(d / f"cache-run{n}")
            media_files.forget_file_digests()  # sources hashed afresh, as in a first render
            out = d / ("final.mp4" if n == 0 else f"final-run{n}.mp4")
            final_s, res = timed(out_path=str(out), quality="final", subtitles="burn", cache_dir=run_cache)
            final_cpu = cpu[str(out)]
            print(f"final 1280x720 (burned subtitles, run {n + 1}): {final_s:.1f} s = {film_s / final_s:.2f}x real time "
                  f"({res.segments_rendered} segments, mix {res.lufs:.1f} LUFS, {res.true_peak:.1f} dBTP); "
                  f"CPU {final_cpu:.1f} s = {film_s / final_cpu:.2f}x real time per core")
            if n == 0:
                prev_s, pres = timed(out_path=str(d / "preview.mp4"), quality="preview", subtitles="burn")
                print(f"preview {pres.width}x{pres.height}: {prev_s:.1f} s = {film_s / prev_s:.2f}x real time; "
                      f"CPU {cpu[str(d / 'preview.mp4')]:.1f} s")
            one_s, ores = timed(timeline=changed, out_path=str(d / f"final2-{n}.mp4"), quality="final", subtitles="burn",
                                cache_dir=run_cache)
            print(f"re-render after changing shot {shot.shot_id}'s camera move: {one_s:.2f} s = "
                  f"{one_s / final_s:.1%} of the full render ({ores.segments_rendered} rendered, {ores.segments_reused} reused)")
            dur_s, dres = timed(timeline=longer, out_path=str(d / f"final3-{n}.mp4"), quality="final", subtitles="burn",
                                cache_dir=run_cache)
            print(f"re-render after lengthening one shot (one segment and one audio window re-mixed): {dur_s:.2f} s = "
                  f"{dur_s / final_s:.1%} ({dres.segments_rendered} rendered)")
            finals.append((final_s, final_cpu, one_s, dur_s, cpu[str(d / f"final3-{n}.mp4")]))
            if n:
                shutil.rmtree(run_cache, ignore_errors=True)
            floors.append(encode_floor(tl=tl, film=d / "final.mp4", work=d))
            print(f"encoder floor (run {n + 1}): {floors[-1][0]:.1f} s, CPU {floors[-1][1]:.1f} s")
        stolen = stolen_s() - stolen
        peak = sampler.stop()
        print(f"peak RSS of the process tree during our renders (sampled every 50 ms): {peak:.0f} MB "
              f"(this process's own high-water mark {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
        # the fastest of the runs counts, each figure on its own: other work only ever adds time
        final_s, final_cpu = min(f[0] for f in finals), min(f[1] for f in finals)
        one_s, dur_s, dur_cpu = min(f[2] for f in finals), min(f[3] for f in finals), min(f[4] for f in finals)
        floor_s, floor_cpu = min(f[0] for f in floors), min(f[1] for f in floors)
        speedup = None
        if not args.skip_baseline:
            c = cpu_s()
            base_s = moviepy_baseline(tl, d / "moviepy.mp4")
            base_cpu = cpu_s() - c
            speedup = base_s / final_s
            print(f"MoviePy one-pass composite: {base_s:.1f} s = {film_s / base_s:.2f}x real time; "
                  f"ours is {speedup:.1f}x faster (CPU {base_cpu:.1f} s vs ours "
                  f"{final_cpu:.1f} s: {base_cpu / final_cpu:.1f}x)")
        print(f"encoder floor (the film's own frames piped raw through the same encoder settings, 2 at a time): "
              f"{floor_s:.1f} s (CPU {floor_cpu:.1f} s); our final render reaches {floor_s / final_s:.0%} of it "
              f"({floor_cpu / final_cpu:.0%} by CPU time)")
        av_s, av_cpu = encode_floor(tl=tl, film=d / "final.mp4", work=d, with_audio=True)
        print(f"encoders' floor with the film's own sound also encoded (same AAC settings, alongside): {av_s:.1f} s "
              f"(CPU {av_cpu:.1f} s); our final render reaches {av_s / final_s:.0%} of it ({av_cpu / final_cpu:.0%} by CPU)")
        figures = {"final_x_realtime": round(film_s / final_s, 2), "preview_x_realtime": round(film_s / prev_s, 2),
                   "one_shot_rerender_fraction": round(one_s / final_s, 3),
                   "speedup_vs_moviepy": round(speedup, 2) if speedup else None,
                   "peak_rss_mb": round(peak, 1), "encode_floor_s": round(floor_s, 2),
                   "final_vs_floor": round(floor_s / final_s, 3),
                   # each run's floor over its own render, timed one after the other: how much the
                   # machine moved the figure above (within an hour the floor alone took 7.6-8.7 s)
                   "final_vs_floor_runs": [round(fl[0] / fi[0], 3) for fi, fl in zip(finals, floors)],
                   # the floor with the film's sound encoded too: how far the render is from its encoders' own work
                   "encode_floor_av_s": round(av_s, 2), "final_vs_floor_av": round(av_s / final_s, 3),
                   "duration_change_fraction": round(dur_s / final_s, 3),
                   # the same ratios by CPU seconds (self + ffmpeg children): steadier on a busy machine
                   "final_vs_floor_cpu": round(floor_cpu / final_cpu, 3),
                   "duration_change_cpu_fraction": round(dur_cpu / final_cpu, 3),
                   "load_avg_before": load, "stolen_cpu_s": round(stolen, 2)}
    if not args.skip_scaling:
        # the fastest of its runs against the fastest of the small one's; memory: the highest of them
        big = [scaling_in_child(shots=args.scaling_shots) for _ in range(max(args.scaling_repeat, 1))]
        big_film_s, big_wall, big_peak = big[0][0], min(b[1] for b in big), max(b[2] for b in big)
        per_min_small, per_min_big = final_s / (film_s / 60), big_wall / (big_film_s / 60)
        print(f"{args.scaling_shots} shots ({big_film_s:.0f} s): {big_wall:.1f} s = {big_film_s / big_wall:.2f}x real "
              f"time, {per_min_big:.1f} s per film-minute vs {per_min_small:.1f} s at {args.shots} shots; "
              f"peak RSS {big_peak:.0f} MB")
        figures |= {"scaling_120_vs_30": round(per_min_big / per_min_small, 3),
                    "peak_rss_120_mb": round(big_peak, 1),
                    "x_realtime_120": round(big_film_s / big_wall, 2)}
    return figures


if __name__ == "__main__":
    main()
