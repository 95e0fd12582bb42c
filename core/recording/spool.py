"""Crash-safe recording: frames are appended to a per-session spool (raw 16-bit mono PCM plus a
JSON sidecar) under ``<data dir>/spool/<project>/`` while the browser streams; the spool is
committed atomically as a take on stop, and one left behind by a dead page is offered for recovery.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import InvalidInput
from core.media.wav import resample
from core.models import MediaAsset
from core.recording.takes import MIN_TAKE_S, save_take, to_mono_float
from core.settings import get_settings
from core.media.files import atomic_write_bytes

STALE_S = 4.0  # a live recording writes several times a second



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
        self._lock()
        if not side.exists() or self._fh.tell() == 0:
            body = {"owner": owner, "key": key, "sample_rate": self.sample_rate, "project_id": project_id,
                    "started_at": time.time(), **meta}
            atomic_write_bytes(path=side, data=json.dumps(body).encode())
        else:  # resuming after a rerun: the sidecar's rate wins so the PCM stays consistent
            self.sample_rate = int(json.loads(side.read_text()).get("sample_rate", self.sample_rate))

    def _lock(self) -> None:
        # Never block a page forever: the previous run of this session released the lock before this
        # one started (Streamlit runs a session's script runs one after another), so give up after 2 s.
        for _ in range(40):
            try:
                fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                time.sleep(0.05)
        self._fh.close()
        raise InvalidInput("This recorder is already recording in another run; press STOP first.", field="audio")

    def append(self, samples: np.ndarray, sample_rate: int) -> None:
        """Append samples (int16 or float, mono or (n, ch)), resampled to the spool's rate."""
        mono = to_mono_float(samples)
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


def _foreign(project_id: int, current_owner: str) -> list[tuple[SpoolInfo, bool]]:
    """Spools of other sessions as (info, orphaned). A spool is orphaned when nobody holds its lock,
    or when nothing was written to it for STALE_S (the writer's page is gone, its loop not yet ended)."""
    out = []
    for pcm in sorted(_spool_dir(project_id).glob("*.pcm")):
        info = _read_info(pcm)
        if info is None or info.owner == current_owner:
            continue
        try:
            idle = time.time() - pcm.stat().st_mtime
        except OSError:
            continue
        out.append((info, not _locked(pcm) or idle > STALE_S))
    return out


def orphaned_spools(*, project_id: int, current_owner: str) -> list[SpoolInfo]:
    """Return spools left by other sessions that nobody is writing (e.g. after a page reload).

    Orphans holding less than MIN_TAKE_S of audio are deleted on the way: nothing to recover there.
    """
    out = []
    for info, orphaned in _foreign(project_id, current_owner):
        if orphaned and info.duration_s < MIN_TAKE_S:
            discard_spool(spool=info)
        elif orphaned:
            out.append(info)
    return out


def live_spools(*, project_id: int, current_owner: str) -> list[SpoolInfo]:
    """Return spools other sessions are writing right now (recordings in progress elsewhere)."""
    return [info for info, orphaned in _foreign(project_id, current_owner) if not orphaned]


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


