"""The local provider (DESIGN §7): the offline engines of ``core.providers.local`` (and the story tools)
wrapped as an adapter. Synchronous: ``submit`` does the work and returns the outputs, so the job
runner never polls it. Free, no keys, no network.

Which engine serves a capability follows from its media type and operation; widths and heights
come from ``aspect_ratio`` + ``resolution`` (short side), or from the input image when the
capability has no aspect ratio (lip sync).
"""
from __future__ import annotations

import importlib
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, ClassVar

from core.errors import UnsupportedCapability
from core.providers.base import SUCCEEDED, Output, PollResult, ProviderRequest, Reconciled, SubmitResult
from core.providers.local.voices import LOCAL_VOICES
from core.settings import get_settings
from core.storage import scratch_dir

PROVIDER = "local"
DEFAULT_SHORT_SIDE = 720


def frame_size(*, aspect_ratio: str | None, resolution: str | None, source: tuple[int, int] | None = None) -> tuple[int, int]:
    """Return (width, height), both even: the short side from ``resolution`` ("720p" → 720), the shape
    from ``aspect_ratio`` ("16:9"), else from ``source`` (an input image's size), else 16:9."""
    m = re.match(r"(\d+)", resolution or "")
    short = int(m.group(1)) if m else DEFAULT_SHORT_SIDE
    if aspect_ratio:
        a, b = (float(x) for x in aspect_ratio.split(":"))
    elif source:
        a, b = float(source[0]), float(source[1])
    else:
        a, b = 16.0, 9.0
    if a >= b:
        w, h = short * a / b, short
    else:
        w, h = short, short * b / a
    return int(round(w / 2)) * 2, int(round(h / 2)) * 2


def _engine(module: str, name: str) -> Callable:
    return getattr(importlib.import_module(module), name)


def _path(files: dict, name: str) -> Path | None:
    f = files.get(name)
    return Path(f.path) if f is not None else None


def _out(suffix: str) -> Path:
    fd, name = tempfile.mkstemp(dir=scratch_dir(name="tmp"), prefix="local-", suffix=suffix)
    import os

    os.close(fd)
    return Path(name)


def _image_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        return im.size


# --- engines (one function per capability kind) --------------------------------------------------
def _keyframe(p: dict, files: dict) -> list[Output]:
    w, h = frame_size(aspect_ratio=p.get("aspect_ratio"), resolution=p.get("resolution"))
    refs = files.get("reference_images") or []
    png = _engine("core.providers.local.keyframe", "draw_keyframe")(
        prompt=p.get("prompt", ""), shot_type=p.get("shot_type", "medium"), location=p.get("location", ""),
        time_of_day=p.get("time_of_day", "day"), characters=list(p.get("characters") or []),
        character_styles=p.get("character_styles", ""), caption=p.get("caption", ""), width=w, height=h,
        seed=int(p.get("seed") or 0), reference_images=[Path(f.path) for f in refs], set_name=p.get("set", ""),
        interior=p.get("interior"), subject=p.get("subject", ""), crowd=bool(p.get("crowd", False)))
    return [Output(mime="image/png", data=png)]


def _animate(p: dict, files: dict) -> list[Output]:
    w, h = frame_size(aspect_ratio=p.get("aspect_ratio"), resolution=p.get("resolution"),
                      source=_image_size(_path(files, "image")))
    out = _out(".mp4")
    _engine("core.providers.local.animate", "animate_keyframe")(
        image=_path(files, "image"), last_frame=_path(files, "last_frame"),
        camera_move=p.get("camera_move", "push_in"), duration_s=float(p.get("duration", 4)),
        fps=int(p.get("fps", 24)), width=w, height=h, seed=int(p.get("seed") or 0), out_path=out,
        keep_caption=bool(p.get("keep_caption", False)), slate=str(p.get("slate") or ""),
        speech=[Path(f.path) for f in files.get("speech") or []], speaking=str(p.get("speaking") or ""))
    return [Output(mime="video/mp4", url=f"file://{out}")]


def _tts(p: dict, files: dict) -> list[Output]:
    result = _engine("core.providers.local.tts", "synthesize")(
        text=p["text"], voice=p.get("voice", ""), pitch_shift=p.get("pitch_shift", 0),
        length_scale=p.get("length_scale", 1.0))
    words = [{"word": w.word, "start_s": w.start_s, "end_s": w.end_s} for w in result.words]
    return [Output(mime="audio/wav", data=result.wav_bytes,
                   extra={"words": words, "sample_rate": result.sample_rate, "engine": result.engine,
                          "text": p["text"]})]


def _v2v(p: dict, files: dict) -> list[Output]:
    wav = _engine("core.providers.local.v2v", "convert_voice")(
        audio=_path(files, "audio"), voice=p.get("voice", ""), pitch_shift=p.get("pitch_shift"),
        formant_shift=p.get("formant_shift"))
    return [Output(mime="audio/wav", data=wav)]


def _lipsync_image(p: dict, files: dict) -> list[Output]:
    image = _path(files, "image")
    w, h = frame_size(aspect_ratio=p.get("aspect_ratio"), resolution=p.get("resolution"), source=_image_size(image))
    out = _out(".mp4")
    _engine("core.providers.local.lipsync", "talking_portrait")(image=image, audio=_path(files, "audio"),
                                                       fps=int(p.get("fps", 24)), width=w, height=h, out_path=out)
    return [Output(mime="video/mp4", url=f"file://{out}")]


def _lipsync_video(p: dict, files: dict) -> list[Output]:
    out = _out(".mp4")
    _engine("core.providers.local.lipsync", "relipsync_video")(video=_path(files, "video"), audio=_path(files, "audio"),
                                                      out_path=out)
    return [Output(mime="video/mp4", url=f"file://{out}")]


def _music(p: dict, files: dict) -> list[Output]:
    wav = _engine("core.providers.local.music", "music_bed")(
        genre=p.get("genre", ""), mood=p.get("mood", "calm"), duration_s=float(p.get("duration", 60)),
        tempo=p.get("tempo"), seed=int(p.get("seed") or 0))
    return [Output(mime="audio/wav", data=wav)]


def _sfx(p: dict, files: dict) -> list[Output]:
    wav = _engine("core.providers.local.sfx", "sound_effect")(name=p["effect"], duration_s=float(p.get("duration", 3)),
                                                    seed=int(p.get("seed") or 0))
    return [Output(mime="audio/wav", data=wav)]


def _script(p: dict, files: dict) -> list[Output]:
    written = _engine("core.story.writer", "write_script")(
        genre=p.get("genre", "drama"), language=p.get("language", "en"),
        target_length_s=int(p.get("target_length_s", 60)), logline=p.get("logline", ""), seed=p.get("seed"))
    data = {k: getattr(written, k) for k in ("title", "logline", "summary", "fountain")}
    return [Output(mime="application/json", data=json.dumps(data, ensure_ascii=False).encode())]


def _breakdown(p: dict, files: dict) -> list[Output]:
    bd = _engine("core.story.breakdown", "breakdown_script")(text=p["text"],
                                                             target_length_s=int(p.get("target_length_s", 120)))
    return [Output(mime="application/json", data=json.dumps(bd.to_api_json(), ensure_ascii=False).encode())]


# (media_type, operation) → engine
ENGINES: dict[tuple[str, str], Callable[[dict, dict], list[Output]]] = {
    ("image", "generate"): _keyframe,
    ("video", "generate"): _animate,
    ("voice", "tts"): _tts,
    ("voice", "v2v"): _v2v,
    ("lipsync", "lipsync_image"): _lipsync_image,
    ("lipsync", "lipsync_video"): _lipsync_video,
    ("music", "music"): _music,
    ("sfx", "sfx"): _sfx,
    ("text", "script"): _script,
    ("text", "breakdown"): _breakdown,
}


class LocalAdapter:
    """Adapter over the in-process engines (see module docstring)."""

    name: ClassVar[str] = PROVIDER
    version: ClassVar[str] = "local-1"
    credential_settings: ClassVar[tuple[str, ...]] = ()
    in_process: ClassVar[bool] = True  # the runner gives it a CPU-sized pool

    def required_settings(self, *, cap: Any) -> tuple[str, ...]:
        return ()

    def list_voices(self) -> list[dict]:
        """Return the offline voices as ``{voice_id, name}`` dicts (what voice pickers list)."""
        return [{"voice_id": v.id, "name": v.label} for v in LOCAL_VOICES.values()]

    def build_request(self, *, cap: Any, params: dict, inputs: dict[str, Any]) -> ProviderRequest:
        """Return the request naming the engine key; raises UnsupportedCapability for an unknown kind."""
        key = (cap.media_type, cap.operation)
        if key not in ENGINES:
            raise UnsupportedCapability(f"the local provider has no engine for {cap.media_type}/{cap.operation}",
                                        field="model")
        return ProviderRequest(provider=PROVIDER, model=cap.model, operation=cap.operation,
                               body={"engine": list(key), "params": dict(params)}, files=dict(inputs))

    def submit(self, *, request: ProviderRequest) -> SubmitResult:
        """Run the engine now; returns the outputs (``status`` succeeded). Engine errors propagate
        (InvalidInput, RenderError)."""
        engine = ENGINES[tuple(request.body["engine"])]
        latency = get_settings().storyreel_local_latency_s
        if latency > 0:
            time.sleep(latency)
        return SubmitResult(operation_id=None, status=SUCCEEDED, outputs=engine(request.body["params"], request.files))

    def poll(self, *, request: ProviderRequest, operation_id: str) -> PollResult:
        raise UnsupportedCapability("local jobs finish on submission; there is nothing to poll", field="job")

    def parse_result(self, *, payload: dict) -> PollResult:
        return PollResult(status=SUCCEEDED, outputs=[Output(**o) for o in payload.get("outputs", [])])

    def download(self, *, output: Output) -> bytes:
        """Return an output's bytes (inline or from the local file it was written to)."""
        if output.data is not None:
            return output.data
        return Path(output.url[len("file://"):]).read_bytes()

    def cancel(self, *, request: ProviderRequest, operation_id: str) -> None:
        """Nothing to cancel: local work finishes during submission."""

    def reconcile(self, *, request: ProviderRequest, submitted_at: Any, taken_ids: set[str]) -> Reconciled:
        """Local work interrupted by a crash died with its process and costs nothing: run it again."""
        return Reconciled(outcome="absent", message="local work is free and died with its process")


ADAPTER = LocalAdapter()
