"""Takes as MediaAssets: normalise audio to mono 16-bit WAV at 44.1/48 kHz, save, list, rename,
delete, and import uploaded files (checked by content, decoded with the bundled ffmpeg)."""
from __future__ import annotations

import io
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from sqlmodel import select

from core.db import session
from core.errors import InvalidInput, NotFound
from core.media.checks import check_media_bytes
from core.media.ffmpeg import ffmpeg_exe
from core.media.wav import resample, to_wav_bytes
from core.media_assets import create_asset, get_asset, list_assets
from core.models import MediaAsset, TimelineItem
from core.media.info import sniff_media_type
from core.storage import remove_media, scratch_dir

TAKE_PROVIDER, TAKE_OPERATION = "recording", "take"
KEPT_RATES = (44100, 48000)  # takes keep these rates; anything else is resampled to 48 kHz
MIN_TAKE_S = 0.2
MAX_TAKE_S = 600.0
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_LABEL_CHARS = 80
_UPLOAD_TYPES = {"audio/wav", "audio/mpeg", "audio/ogg", "audio/webm", "audio/mp4", "audio/flac",
                 "video/webm", "video/mp4", "video/quicktime"}  # video containers: audio track only


# ---------------------------------------------------------------- takes


def to_mono_float(audio: np.ndarray) -> np.ndarray:
    a = np.asarray(audio)
    if a.dtype.kind == "i":  # integer PCM → [-1, 1]
        a = a.astype(np.float64) / float(np.iinfo(a.dtype).max)
    elif a.dtype.kind == "u":
        a = (a.astype(np.float64) - 128.0) / 128.0
    else:
        a = a.astype(np.float64)
    if a.ndim == 2:  # (n, channels) as soundfile gives it
        a = a.mean(axis=1)
    if a.ndim != 1:
        raise InvalidInput("audio: expected mono or (samples, channels) audio", field="audio")
    return a


def _decode_wav_bytes(data: bytes) -> tuple[np.ndarray, int]:
    try:
        samples, sr = sf.read(io.BytesIO(data), dtype="float64", always_2d=True)
    except Exception as exc:
        raise InvalidInput("audio: the bytes are not a readable WAV file", field="audio") from exc
    return samples.mean(axis=1), int(sr)


def normalise_take(*, audio: bytes | np.ndarray, sample_rate: int | None) -> tuple[bytes, int, float, dict]:
    """Turn audio (WAV bytes or samples) into mono 16-bit WAV at 44.1 or 48 kHz.

    Returns (wav bytes, sample rate, duration in seconds, level stats ``{"rms_dbfs", "peak"}``).
    Raises InvalidInput(field="audio") for unreadable, empty, too short or too long audio.
    """
    if isinstance(audio, (bytes, bytearray)):
        samples, sr = _decode_wav_bytes(bytes(audio))
    else:
        if not sample_rate or sample_rate <= 0:
            raise InvalidInput("sample_rate: give the sample rate of the samples", field="sample_rate")
        samples, sr = to_mono_float(audio), int(sample_rate)
    if sr not in KEPT_RATES:
        samples, sr = resample(samples, sr, 48000), 48000
    duration = len(samples) / sr
    if duration < MIN_TAKE_S:
        raise InvalidInput(f"audio: the take is too short ({duration:.2f} s; at least {MIN_TAKE_S} s)", field="audio")
    if duration > MAX_TAKE_S:
        raise InvalidInput(f"audio: the take is too long ({duration:.0f} s; at most {MAX_TAKE_S:.0f} s)", field="audio")
    clipped = np.clip(samples, -1.0, 1.0)
    rms = float(np.sqrt(np.mean(clipped ** 2)))
    stats = {"rms_dbfs": round(20 * np.log10(max(rms, 1e-9)), 1), "peak": round(float(np.max(np.abs(clipped))), 4)}
    return to_wav_bytes(clipped, sr), sr, duration, stats


def save_take(*, project_id: int, audio: bytes | np.ndarray, sample_rate: int | None = None,
              character_id: str | None = None, shot_id: int | None = None, line_index: int | None = None,
              label: str = "", source: str = "microphone") -> MediaAsset:
    """Store a take as a mono WAV voice asset and return it.

    ``audio`` is WAV bytes or samples (int or float, mono or (n, channels)) at ``sample_rate``.
    Raises InvalidInput(field="audio") for unusable audio, InvalidInput(field="label") for a bad label.
    """
    wav, sr, duration, stats = normalise_take(audio=audio, sample_rate=sample_rate)
    label = _clean_label(label) if label else time.strftime("Take %H:%M:%S")
    return create_asset(
        type="voice", project_id=project_id, data=wav, mime="audio/wav", provider=TAKE_PROVIDER,
        model="", operation=TAKE_OPERATION, input_params={"source": source, "sample_rate": sr},
        character_id=character_id, shot_id=shot_id, duration_s=round(duration, 3), label=label,
        extra={"character_id": character_id, "shot_id": shot_id, "line_index": line_index, "label": label,
               "source": source, "sample_rate": sr, **stats},
    )


def _is_take(asset: MediaAsset) -> bool:
    return asset.provider == TAKE_PROVIDER and asset.operation == TAKE_OPERATION


def list_takes(*, project_id: int, character_id: str | None = None, shot_id: int | None = None,
               line_index: int | None = None) -> list[MediaAsset]:
    """Return the project's takes, newest first, filtered by character, shot and line when given."""
    takes = [a for a in list_assets(project_id=project_id, type="voice", shot_id=shot_id) if _is_take(a)]
    if character_id is not None:
        takes = [a for a in takes if a.character_id == character_id]
    if line_index is not None:
        takes = [a for a in takes if (a.extra or {}).get("line_index") == line_index]
    return takes


def list_versions_of(*, media_id: str) -> list[MediaAsset]:
    """Return the assets made from a take (voice conversions), newest first."""
    with session() as s:
        q = select(MediaAsset).where(MediaAsset.parent_id == media_id).order_by(MediaAsset.timestamp.desc())
        return list(s.exec(q).all())


def get_take(*, media_id: str) -> MediaAsset:
    """Return the take with this id; raises NotFound, or InvalidInput when the media is no take."""
    asset = get_asset(media_id=media_id)
    if not _is_take(asset):
        raise InvalidInput(f"media {media_id!r} is not a recorded or uploaded take", field="media_id")
    return asset


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise InvalidInput("label: a take needs a name", field="label")
    if len(label) > MAX_LABEL_CHARS:
        raise InvalidInput(f"label: at most {MAX_LABEL_CHARS} characters", field="label")
    return label


def rename_take(*, media_id: str, label: str) -> MediaAsset:
    """Give a take a new name; returns it. Raises NotFound, InvalidInput(field="label"/"media_id")."""
    label = _clean_label(label)
    with session() as s:
        asset = s.get(MediaAsset, media_id)
        if asset is None or not _is_take(asset):
            raise NotFound(f"No take with id {media_id!r}.", field="media_id")
        asset.label = label
        asset.extra = {**(asset.extra or {}), "label": label}  # new dict: JSON columns track assignment
        s.add(asset)
    return asset


def delete_take(*, media_id: str) -> None:
    """Delete a take's record, and its file unless another asset shares it (content-addressed).

    Conversions made from it stay (their ``parent_id`` keeps the id). Raises NotFound, and
    InvalidInput(field="media_id") when the take is placed on the timeline.
    """
    with session() as s:
        asset = s.get(MediaAsset, media_id)
        if asset is None or not _is_take(asset):
            raise NotFound(f"No take with id {media_id!r}.", field="media_id")
        if s.exec(select(TimelineItem).where(TimelineItem.media_id == media_id)).first() is not None:
            raise InvalidInput("This take is on the timeline; remove it there first.", field="media_id")
        rel = asset.file_path
        s.delete(asset)
        s.flush()
        shared = s.exec(select(MediaAsset).where(MediaAsset.file_path == rel)).first() is not None
    if not shared:
        remove_media(rel=rel)


def import_take(*, project_id: int, name: str, data: bytes, character_id: str | None = None,
                shot_id: int | None = None, line_index: int | None = None, label: str = "") -> MediaAsset:
    """Store an uploaded audio file (wav/mp3/ogg/webm/m4a/flac, checked by content) as a take.

    Compressed formats are decoded with the bundled ffmpeg. Returns the take.
    Raises InvalidInput(field="audio") for an empty, oversized or non-audio file.
    """

    if not data:
        raise InvalidInput(f"audio: {name} is empty", field="audio")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"audio: {name} is {len(data) / 1e6:.0f} MB; takes are limited to "
                           f"{MAX_UPLOAD_BYTES // 2**20} MB", field="audio")
    kind = sniff_media_type(data=data)
    if kind not in _UPLOAD_TYPES:
        what = f"its content is {kind}" if kind else "its content is not a known audio format"
        raise InvalidInput(f"audio: {name} is not an audio file ({what}); upload WAV, MP3, OGG, WebM, M4A "
                           "or FLAC", field="audio")
    check_media_bytes(data=data, expect="audio", field="audio")  # decodable, within the limits
    label = label or Path(name).stem[:MAX_LABEL_CHARS] or "Uploaded take"
    if kind == "audio/wav":
        return save_take(project_id=project_id, audio=data, character_id=character_id, shot_id=shot_id,
                         line_index=line_index, label=label, source="upload")
    samples = _ffmpeg_decode(data, name)
    return save_take(project_id=project_id, audio=samples, sample_rate=48000, character_id=character_id,
                     shot_id=shot_id, line_index=line_index, label=label, source="upload")


def _ffmpeg_decode(data: bytes, name: str) -> np.ndarray:
    # Decode through a temp file: ffmpeg needs to seek in MP4/M4A containers, which a pipe can't do.

    fd, tmp = tempfile.mkstemp(dir=scratch_dir(), prefix="upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", tmp, "-vn",
                               "-ac", "1", "-ar", "48000", "-f", "s16le", "-acodec", "pcm_s16le", "-"],
                              capture_output=True)
    finally:
        Path(tmp).unlink(missing_ok=True)
    if proc.returncode != 0 or not proc.stdout:
        raise InvalidInput(f"audio: {name} could not be decoded as audio", field="audio")
    return np.frombuffer(proc.stdout[: len(proc.stdout) // 2 * 2], dtype="<i2")


