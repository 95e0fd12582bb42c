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
from dataclasses import dataclass, field

from sqlmodel import select

from core.accounts.identity import acting_as, current_user
from core.accounts.service import require_current
from core.breakdowns import list_scene_cards
from core.db import session
from core.errors import StoryreelError
from core.generation.batch import BatchProgress, cancel_batch, run_batch
from core.thumbnails import THUMB_WIDTH, thumbnail
from core.models import ACTIVE_STATUSES, Job
from core.settings import get_settings

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
    run = _RUNS.get(_key(project_id))
    counts.batch_running = bool(run and run.thread.is_alive())
    counts.batch_note = run.note() if run else ""
    return scenes, counts


# --- a batch that runs beside the page ------------------------------------------------------------
@dataclass
class _BatchRun:
    thread: threading.Thread
    stop: threading.Event
    stages: list[BatchProgress] = field(default_factory=list)
    error: str = ""

    def note(self) -> str:
        """One line on how the batch went (or is going)."""
        if self.error:
            return f"Batch stopped: {self.error}"
        made = sum(p.done for p in self.stages)
        failed = sum(len(p.failed) for p in self.stages)
        state = "running" if self.thread.is_alive() else ("cancelled" if self.stop.is_set() else "done")
        return f"Batch {state}: {made} made" + (f", {failed} failed" if failed else "") + "."

    def failures(self) -> dict[int, str]:
        return {k: v for p in self.stages for k, v in p.failed.items()}


_RUNS: dict[tuple[str, int], _BatchRun] = {}
_LOCK = threading.Lock()


def _key(project_id: int) -> tuple[str, int]:
    # Project ids repeat across databases (tests, a switched DATABASE_URL): key by both.
    return str(get_settings().database_url or get_settings().data_dir), project_id


def start_batch(*, project_id: int) -> bool:
    """Start every missing keyframe, then every missing clip, in a background thread of this
    process (the jobs themselves run on the job runner); returns False when a batch of this project
    is already running. Progress is read with ``board``; ``stop_batch`` cancels it.
    The batch's jobs are the current user's (raises Forbidden when their role may not generate)."""
    require_current(action="generate", project_id=project_id)
    who = current_user()  # the thread starts with no context of its own: it acts for the user who started it
    with _LOCK:
        run = _RUNS.get(_key(project_id))
        if run and run.thread.is_alive():
            return False
        stop = threading.Event()
        run = _BatchRun(thread=threading.Thread(target=lambda: None), stop=stop)

        def _work() -> None:
            def _seen(progress: BatchProgress) -> None:
                if not any(p is progress for p in run.stages):
                    run.stages.append(progress)

            try:
                with acting_as(name=who):
                    run_batch(project_id=project_id, on_progress=_seen, should_stop=stop.is_set)
            except (StoryreelError, TimeoutError) as exc:
                run.error = str(getattr(exc, "message", exc))

        run.thread = threading.Thread(target=_work, name=f"batch-{project_id}", daemon=True)
        _RUNS[_key(project_id)] = run
        run.thread.start()
    return True


def stop_batch(*, project_id: int) -> int:
    """Stop this project's running batch (no next stage) and cancel its queued jobs; returns how
    many jobs were cancelled. Finished shots keep their results."""
    run = _RUNS.get(_key(project_id))
    if run is not None:
        run.stop.set()
    return cancel_batch(project_id=project_id)


def batch_failures(*, project_id: int) -> dict[int, str]:
    """Return {shot id: message} of the shots the last batch of this project could not make."""
    run = _RUNS.get(_key(project_id))
    return run.failures() if run else {}


def wait_batch(*, project_id: int, timeout_s: float = 600.0) -> bool:
    """Wait for this project's batch thread to end; returns True when it has (tests, the CLI)."""
    run = _RUNS.get(_key(project_id))
    if run is None:
        return True
    run.thread.join(timeout=timeout_s)
    return not run.thread.is_alive()
