"""Voice takes: recordings and uploads of a person speaking a line, stored as mono WAV assets.

A take is a MediaAsset of type ``voice`` with provider ``recording`` and operation ``take``; the
character, shot, dialogue line index and user label live in its columns and ``extra``. While the
browser streams, frames go to a *spool* (raw 16-bit mono PCM plus a JSON sidecar) under
``<data dir>/spool/<project>/`` so that a page reload loses at most the unfinished take: the spool
is committed atomically on stop, and a spool left behind by a dead session is offered for recovery.
"""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlmodel import select

from core.db import session
from core.errors import InvalidInput, NotFound
from core.local.ffmpeg_io import ffmpeg_exe
from core.local.wavio import resample, to_wav_bytes
from core.media_assets import create_asset, get_asset, list_assets
from core.models import MediaAsset, TimelineItem
from core.settings import get_settings

TAKE_PROVIDER, TAKE_OPERATION = "recording", "take"
KEPT_RATES = (44100, 48000)  # takes keep these rates; anything else is resampled to 48 kHz
MIN_TAKE_S = 0.2
MAX_TAKE_S = 600.0
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_LABEL_CHARS = 80
_UPLOAD_TYPES = {"audio/wav", "audio/mpeg", "audio/ogg", "audio/webm", "audio/mp4", "audio/flac",
                 "video/webm", "video/mp4", "video/quicktime"}  # video containers: audio track only


# ---------------------------------------------------------------- takes


def _to_mono_float(audio: np.ndarray) -> np.ndarray:
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
    import io

    import soundfile as sf

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
        samples, sr = _to_mono_float(audio), int(sample_rate)
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


def _get_take(media_id: str) -> MediaAsset:
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
        (get_settings().data_dir / rel).unlink(missing_ok=True)


def import_take(*, project_id: int, name: str, data: bytes, character_id: str | None = None,
                shot_id: int | None = None, line_index: int | None = None, label: str = "") -> MediaAsset:
    """Store an uploaded audio file (wav/mp3/ogg/webm/m4a/flac, checked by content) as a take.

    Compressed formats are decoded with the bundled ffmpeg. Returns the take.
    Raises InvalidInput(field="audio") for an empty, oversized or non-audio file.
    """
    from core.mediainfo import sniff_media_type

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
    label = label or Path(name).stem[:MAX_LABEL_CHARS] or "Uploaded take"
    if kind == "audio/wav":
        return save_take(project_id=project_id, audio=data, character_id=character_id, shot_id=shot_id,
                         line_index=line_index, label=label, source="upload")
    samples = _ffmpeg_decode(data, name)
    return save_take(project_id=project_id, audio=samples, sample_rate=48000, character_id=character_id,
                     shot_id=shot_id, line_index=line_index, label=label, source="upload")


def _ffmpeg_decode(data: bytes, name: str) -> np.ndarray:
    # Decode through a temp file: ffmpeg needs to seek in MP4/M4A containers, which a pipe can't do.
    from core.storage import scratch_dir

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


# ---------------------------------------------------------------- spool (crash-safe recording)


@dataclass(frozen=True)
class SpoolInfo:
    """A spool on disk: who wrote it, for what, and how much audio it holds."""

    path: Path  # the .pcm file; the sidecar is path.with_suffix(".json")
    owner: str
    key: str
    sample_rate: int
    duration_s: float
    meta: dict


def _spool_dir(project_id: int) -> Path:
    d = get_settings().data_dir / "spool" / str(int(project_id))
    d.mkdir(parents=True, exist_ok=True)
    return d


def _safe(part: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in part)[:64] or "x"


def spool_path(*, project_id: int, owner: str, key: str) -> Path:
    """Return the .pcm spool path of one recorder (``key``) in one browser session (``owner``)."""
    return _spool_dir(project_id) / f"{_safe(owner)}__{_safe(key)}.pcm"


class SpoolWriter:
    """Appends mono 16-bit PCM to a spool while holding an exclusive lock on it (so a live recording
    is never mistaken for an orphan). Use as a context manager; each ``append`` is flushed to disk."""

    def __init__(self, *, project_id: int, owner: str, key: str, sample_rate: int, **meta: object):
        self.path = spool_path(project_id=project_id, owner=owner, key=key)
        self.sample_rate = int(sample_rate)
        side = self.path.with_suffix(".json")
        self._fh = open(self.path, "ab")
        fcntl.flock(self._fh, fcntl.LOCK_EX)
        if not side.exists() or self._fh.tell() == 0:
            body = {"owner": owner, "key": key, "sample_rate": self.sample_rate, "project_id": project_id,
                    "started_at": time.time(), **meta}
            from core.storage import atomic_write_bytes

            atomic_write_bytes(path=side, data=json.dumps(body).encode())
        else:  # resuming after a rerun: the sidecar's rate wins so the PCM stays consistent
            self.sample_rate = int(json.loads(side.read_text()).get("sample_rate", self.sample_rate))

    def append(self, samples: np.ndarray, sample_rate: int) -> None:
        """Append samples (int16 or float, mono or (n, ch)), resampled to the spool's rate."""
        mono = _to_mono_float(samples)
        if int(sample_rate) != self.sample_rate:
            mono = resample(mono, int(sample_rate), self.sample_rate)
        pcm = np.round(np.clip(mono, -1, 1) * 32767).astype("<i2")
        self._fh.write(pcm.tobytes())
        self._fh.flush()

    @property
    def duration_s(self) -> float:
        return self._fh.tell() / 2 / self.sample_rate

    def close(self) -> None:
        if not self._fh.closed:
            os.fsync(self._fh.fileno())
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()

    def __enter__(self) -> "SpoolWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_info(pcm: Path) -> SpoolInfo | None:
    side = pcm.with_suffix(".json")
    try:
        meta = json.loads(side.read_text())
        size = pcm.stat().st_size
    except (OSError, ValueError):
        return None
    sr = int(meta.get("sample_rate") or 48000)
    return SpoolInfo(path=pcm, owner=str(meta.get("owner", "")), key=str(meta.get("key", "")), sample_rate=sr,
                     duration_s=size / 2 / sr, meta=meta)


def _locked(pcm: Path) -> bool:
    try:
        with open(pcm, "rb") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError:
        return False
    return False


def own_spool(*, project_id: int, owner: str, key: str) -> SpoolInfo | None:
    """Return this session's spool for a recorder, or None when there is none."""
    pcm = spool_path(project_id=project_id, owner=owner, key=key)
    return _read_info(pcm) if pcm.exists() else None


def orphaned_spools(*, project_id: int, current_owner: str) -> list[SpoolInfo]:
    """Return spools left by other sessions that nobody is writing (e.g. after a page reload)."""
    out = []
    for pcm in sorted(_spool_dir(project_id).glob("*.pcm")):
        info = _read_info(pcm)
        if info is None or info.owner == current_owner or _locked(pcm):
            continue
        out.append(info)
    return out


def commit_spool(*, project_id: int, spool: SpoolInfo, label: str = "") -> MediaAsset | None:
    """Turn a spool into a take atomically and remove it; returns the take, or None when another
    session claimed it first or it holds too little audio (then it is discarded).

    The spool is first renamed to a claim name, so two sessions can never commit it twice.
    Raises InvalidInput only for unusable audio of sufficient length (the spool is then kept).
    """
    claimed = spool.path.with_suffix(".claimed")
    try:
        os.rename(spool.path, claimed)
    except FileNotFoundError:
        return None
    side = spool.path.with_suffix(".json")
    pcm = np.frombuffer(claimed.read_bytes(), dtype="<i2")
    if len(pcm) / spool.sample_rate < MIN_TAKE_S:
        claimed.unlink(missing_ok=True)
        side.unlink(missing_ok=True)
        return None
    m = spool.meta
    try:
        take = save_take(project_id=project_id, audio=pcm, sample_rate=spool.sample_rate,
                         character_id=m.get("character_id"), shot_id=m.get("shot_id"),
                         line_index=m.get("line_index"), label=label or m.get("label") or "",
                         source=m.get("source", "microphone"))
    except BaseException:
        os.rename(claimed, spool.path)  # put it back: nothing recorded is lost on failure
        raise
    claimed.unlink(missing_ok=True)
    side.unlink(missing_ok=True)
    return take


def discard_spool(*, spool: SpoolInfo) -> None:
    """Delete a spool and its sidecar."""
    spool.path.unlink(missing_ok=True)
    spool.path.with_suffix(".json").unlink(missing_ok=True)


# ---------------------------------------------------------------- voice conversion


def _character(project_id: int, character_id: str):
    from core.breakdowns import list_characters

    for c in list_characters(project_id=project_id):
        if c.character_id == character_id:
            return c
    raise NotFound(f"No character {character_id!r} in this project.", field="character_id")


def _local_voice(character) -> str:
    try:
        from core.local.voices import LOCAL_VOICES, voice_for_character
    except ImportError:
        return character.voice_id or character.character_id
    if character.voice_id and character.voice_id in LOCAL_VOICES:
        return character.voice_id
    return voice_for_character(name=character.name)


def _convert(take: MediaAsset, character, project_id: int) -> tuple[MediaAsset, str]:
    """Run voice→voice by the best route present; returns (result asset, route name)."""
    path = get_settings().data_dir / take.file_path
    try:
        from core.generation import v2v  # ElevenLabs with the character's voice_id when keyed, else local
    except ImportError:
        v2v = None
    if v2v is not None:
        job = v2v(provider=None, model=None, audio_path=path, character_id=character.character_id,
                  project_id=project_id)
        return _job_result(job), "core.generation.v2v"
    from core.errors import UnsupportedCapability

    try:
        from core.jobs import submit_job

        job = submit_job(provider="local", model="local/v2v", params={"voice": _local_voice(character)},
                         inputs={"audio": take.media_id}, project_id=project_id,
                         character_id=character.character_id, shot_id=take.shot_id)
        return _job_result(job), "core.jobs local/v2v"
    except (ImportError, UnsupportedCapability):
        pass
    try:
        from core.local.v2v import convert_voice
    except ImportError:
        raise UnsupportedCapability("Voice conversion is not available in this installation.",
                                    field="voice") from None
    voice = _local_voice(character)
    wav = convert_voice(audio=path, voice=voice)
    asset = create_asset(type="voice", project_id=project_id, data=wav, mime="audio/wav", provider="local",
                         model="local/v2v", operation="v2v", input_params={"voice": voice},
                         duration_s=take.duration_s)
    return asset, "core.local.v2v"


def _job_result(job) -> MediaAsset:
    from core.errors import ProviderError
    from core.jobs import wait_for

    if job.status != "succeeded":
        job = wait_for(job_id=job.id, timeout_s=300)
    if job.status != "succeeded" or not job.result_media_id:
        raise ProviderError(job.error or f"conversion {job.status}", provider=job.provider)
    return get_asset(media_id=job.result_media_id)


def convert_take(*, project_id: int, media_id: str, character_id: str | None = None) -> MediaAsset:
    """Convert a take to a character's voice (the take's own character unless ``character_id``);
    returns the new voice asset, linked to the take by ``parent_id``. The take itself is kept.

    Raises NotFound, InvalidInput(field="character_id") when no character is known,
    UnsupportedCapability when no conversion is installed, ProviderError when it fails.
    """
    take = _get_take(media_id)
    character_id = character_id or take.character_id
    if not character_id:
        raise InvalidInput("Choose the character whose voice this take should get.", field="character_id")
    character = _character(project_id, character_id)
    result, route = _convert(take, character, project_id)
    extra = {**(result.extra or {}), "from_take": take.media_id, "line_index": (take.extra or {}).get("line_index"),
             "route": route}
    from core.media_assets import update_asset

    return update_asset(media_id=result.media_id, parent_id=take.media_id, character_id=character_id,
                        shot_id=take.shot_id, extra=extra,
                        label=f"{take.label} → {character.name}"[:MAX_LABEL_CHARS + 40])
