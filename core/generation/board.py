"""The storyboard board: every shot of the film as a small card (thumbnail, "Shot 1.2", type,
duration, status, who is in it), the state of a running batch, and a batch that runs without
holding the page.

Everything here is computed from the database when asked (shots, their chosen media, the jobs in
flight), so a page that draws it every second shows results as they land — whichever process or
door made them. The job engine's workers put finished shot jobs on their shots (result handlers), so
cards never wait for a whole batch to end.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlmodel import select

from core.accounts.service import require_current
from core.breakdowns import list_scene_cards
from core.db import session
from core.generation.batch import BatchProgress, batch_progress, cancel_batch
from core.generation.batch import start_batch as queue_batch
from core.thumbnails import THUMB_WIDTH, thumbnail
from core.models import ACTIVE_STATUSES, Job

CARD_THUMB_WIDTH = THUMB_WIDTH  # board cards are narrow; a small JPEG (the media pickers' too) is all they need

STATUS_LABELS = {"planned": "Planned", "keyframe": "Keyframe", "clip": "Clip", "failed": "Failed"}


@dataclass(frozen=True)
class ShotCard:
    """What a board card shows for one shot."""

    shot_id: int
    label: str  # "1.2": scene.shot
    shot_type: str
    duration_s: float
    status: str  # human: Planned, Keyframe, Clip, Failed, Generating…
    characters: tuple[str, ...]
    thumb: str | None  # path of a small JPEG, or None
    has_keyframe: bool
    has_clip: bool
    busy: bool  # a job for this shot is queued or running
    keyframe_id: str | None = None  # the media in use, so a view can tell when they change
    clip_id: str | None = None


@dataclass(frozen=True)
class SceneBoard:
    scene_id: int
    number: int
    heading: str
    cards: tuple[ShotCard, ...]


@dataclass
class BoardCounts:
    """Counts for the page header and the batch panel, all from the data now."""

    shots: int = 0
    keyframes: int = 0
    clips: int = 0
    failed: int = 0
    active_jobs: int = 0
    batch_running: bool = False
    batch_note: str = ""
    batch_failed: dict = field(default_factory=dict)  # {shot id: message} of the newest batch's failed shots

    @property
    def keyframes_missing(self) -> int:
        return self.shots - self.keyframes

    @property
    def clips_missing(self) -> int:
        return self.shots - self.clips


def _active_jobs(project_id: int) -> list[Job]:
    with session() as s:
        return list(s.exec(select(Job).where(Job.project_id == project_id, Job.status.in_(ACTIVE_STATUSES))).all())


def board(*, project_id: int, thumbs: bool = True) -> tuple[list[SceneBoard], BoardCounts]:
    """Return the film's board (scenes in order, each with its shot cards) and its counts.

    Thumbnails are made on first use (``thumbs`` False leaves them out, for counting only)."""
    active = _active_jobs(project_id)
    busy = {j.shot_id for j in active if j.shot_id is not None}
    counts = BoardCounts(active_jobs=len(active))
    scenes = []
    for n, card in enumerate(list_scene_cards(project_id=project_id), 1):
        cards = []
        for m, shot in enumerate(card.shots, 1):
            picture = shot.keyframe_media_id or shot.clip_media_id
            status = "Generating…" if shot.id in busy else STATUS_LABELS.get(shot.status, shot.status.capitalize())
            cards.append(ShotCard(
                shot_id=shot.id, label=f"{n}.{m}", shot_type=shot.shot_type, duration_s=float(shot.duration_s),
                status=status, characters=tuple(shot.characters or ()),
                thumb=str(p) if thumbs and picture and (p := thumbnail(media_id=picture, width=CARD_THUMB_WIDTH)) else None,
                has_keyframe=bool(shot.keyframe_media_id), has_clip=bool(shot.clip_media_id), busy=shot.id in busy,
                keyframe_id=shot.keyframe_media_id, clip_id=shot.clip_media_id))
            counts.shots += 1
            counts.keyframes += bool(shot.keyframe_media_id or shot.clip_media_id)
            counts.clips += bool(shot.clip_media_id)
            counts.failed += shot.status == "failed"
        scenes.append(SceneBoard(scene_id=card.scene.id, number=n, heading=card.scene.heading, cards=tuple(cards)))
    progress = batch_progress(project_id=project_id)
    counts.batch_running = bool(progress and progress.active)
    counts.batch_note = _note(progress)
    counts.batch_failed = dict(progress.failed) if progress else {}
    return scenes, counts


_LOCK = threading.Lock()


# --- the batch: queued jobs the workers carry on (no thread of the page's process) ---------------------
def _note(progress: BatchProgress | None) -> str:
    """One line on how the project's newest batch went (or is going); "" when it never ran one."""
    if progress is None:
        return ""
    state = "running" if progress.active else ("cancelled" if progress.cancelled else "done")
    failed = len(progress.failed)
    return f"Batch {state}: {progress.done} made" + (f", {failed} failed" if failed else "") + "."


def start_batch(*, project_id: int) -> bool:
    """Queue every missing keyframe (each queues its shot's clip when it lands) and every missing
    clip, and return at once: the workers carry the batch on whether or not a page stays open, and a
    restart of this process loses nothing. Returns False when a batch of this project is still
    running. Progress is read with ``board``; ``stop_batch`` cancels it. The batch's jobs are the
    current user's (raises Forbidden when their role may not generate)."""
    require_current(action="generate", project_id=project_id)
    with _LOCK:  # two clicks of one process never queue two batches
        running = batch_progress(project_id=project_id)
        if running is not None and running.active:
            return False
        queue_batch(project_id=project_id)
    return True


def stop_batch(*, project_id: int) -> int:
    """Cancel this project's unfinished batch jobs (no clip is chained after a cancelled keyframe);
    returns how many were cancelled. Finished shots keep their results."""
    return cancel_batch(project_id=project_id)


def wait_batch(*, project_id: int, timeout_s: float = 600.0) -> bool:
    """Wait until this project's newest batch has no unfinished job (clips chained by its keyframes
    included); returns True when it has ended (tests, the CLI)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        progress = batch_progress(project_id=project_id)
        if progress is None or not progress.active:
            return True
        time.sleep(0.2)
    return False
