"""``python -m core film SCRIPT --out FILE.mp4 [--aspect 16:9] [--language en] [--genre G]
[--subtitles none/srt/burn] [--captions box/words] [--provider local]``: the whole pipeline, script file to finished film.

Prints one progress line per step on stdout and the JSON summary as the last line. Uses the data
dir of ``STORYREEL_DATA_DIR`` (or the default) for the project it creates.
"""
from __future__ import annotations

import argparse
import json

from core.commands import report_user_error
from core.errors import StoryreelError
from core.models import ASPECT_RATIOS, FIT_MODES, LANGUAGES, SUBTITLE_MODES
from core.film import make_film
from core.render.captions import CAPTION_STYLES
from core.jobs.service import reset_runner


def handler(args: argparse.Namespace) -> int:
    """Make the film; return 0, or 2 with the message on stderr for a user error."""

    def say(message: str) -> None:
        print(f"[film] {message}", flush=True)

    try:
        summary = make_film(script_path=args.script, out_path=args.out, aspect_ratio=args.aspect,
                            language=args.language, genre=args.genre, subtitles=args.subtitles,
                            provider=args.provider, loudness_lufs=args.loudness, fit=args.fit,
                            short_side=args.short_side, target_length_s=args.target_length, on_progress=say,
                            annotate=args.annotate, captions=args.captions)
    except StoryreelError as exc:
        return report_user_error(exc)
    finally:
        reset_runner()  # stop the job workers so the process exits promptly
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0


def register(subparsers) -> None:
    """Add the ``film`` subcommand to an argparse ``subparsers`` object."""
    p = subparsers.add_parser("film", help="make a finished film from a script file",
                              description="Script → breakdown → cast → keyframes → clips → voice → music → "
                                          "SFX → mix → render; prints progress and a JSON summary last.")
    p.add_argument("script", help="path of the script file (.fountain, .txt, .md, .fdx)")
    p.add_argument("--out", required=True, help="the MP4 to write")
    p.add_argument("--aspect", choices=ASPECT_RATIOS, default="16:9", help="frame shape (default 16:9)")
    p.add_argument("--language", choices=sorted(LANGUAGES), default="en", help="language (default en)")
    p.add_argument("--genre", default="drama", help="genre, which picks the music mood (default drama)")
    p.add_argument("--subtitles", choices=SUBTITLE_MODES, default="srt",
                   help="none; srt writes FILE.srt and FILE.vtt; burn also draws them in (default srt)")
    p.add_argument("--captions", choices=CAPTION_STYLES, default="box",
                   help="how burned subtitles look: box (each line in a box) or words (word by word, the "
                        "spoken word lit, for shorts and vertical films) (default box)")
    p.add_argument("--provider", default="local", help="provider for images, clips and voices (default local)")
    p.add_argument("--loudness", type=float, choices=(-14.0, -16.0, -23.0), default=-14.0,
                   help="integrated loudness target in LUFS (default -14)")
    p.add_argument("--fit", choices=FIT_MODES, default="letterbox",
                   help="how other-shaped media fills the frame (default letterbox)")
    p.add_argument("--short-side", type=int, choices=(240, 360, 480, 720, 1080), default=720,
                   help="short side of clips and film in pixels (default 720)")
    p.add_argument("--target-length", type=int, default=None, metavar="S",
                   help="film length the breakdown times shots to (default: 15 s per scene)")
    p.add_argument("--annotate", action="store_true",
                   help="keep each shot's slate and action line as a lower third (an annotated animatic)")
    p.set_defaults(func=handler)
