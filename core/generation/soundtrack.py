"""The film's music: one bed, or a bed per scene in the mood its words call for, joined with
crossfades; or an upload. Effects: ``core.generation.effects``.

Every bed is a generation job through the registry (the local music engine by default) whose result
handler, run by the worker, puts the music under the film as a ``TimelineItem`` row (see
``core.timeline.store``): pages and the API queue and return; the CLI and the film command wait.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.accounts.service import require_current
from core.breakdowns import list_scene_cards, list_shots
from core.errors import InvalidInput, NotFound, ProviderError
from core.jobs.kinds import register_result
from core.jobs.service import list_jobs, submit_job, wait_succeeded
from core.media.checks import check_media_bytes
from core.media.wav import read_audio, to_wav_bytes
from core.media_assets import MADE_HERE, asset_path, create_asset, get_asset
from core.models import ACTIVE_STATUSES, CANCELLED, FAILED, UNKNOWN_OUTCOME, Job, MediaAsset, TimelineItem
from core.projects import get_project, update_settings
from core.timeline.store import add_item, delete_items, list_items, project_timeline

# Genre → the mood of its bed (local/music moods); the user can pick another on the Edit page.
GENRE_MOOD = {
    "drama": "sad", "comedy": "playful", "thriller": "tense", "sci-fi": "mysterious", "fantasy": "epic",
    "horror": "tense", "romance": "romantic", "mystery": "mysterious", "documentary": "calm",
    "adventure": "epic", "action": "epic", "family": "playful",
}
MUSIC_MOODS = ("calm", "tense", "upbeat", "sad", "epic", "mysterious", "romantic", "playful")
MUSIC_GAIN_DB = -12.0  # measured: at -8 dB a music-only stretch ran louder than the dialogue after normalisation

# --- music ---------------------------------------------------------------------------------------
def mood_for(*, genre: str) -> str:
    """Return the bed mood that suits a genre (calm for unknown genres)."""
    return GENRE_MOOD.get((genre or "").strip().lower(), "calm")


# Words of a scene that set its music's mood (whole words; the most hits wins, else the genre's).
SCENE_MOODS: dict[str, tuple[str, ...]] = {
    "tense": ("chase", "chases", "gun", "guns", "fight", "fights", "danger", "threat", "scream", "screams", "blood",
              "knife", "police", "escape", "escapes", "fear", "panic", "alarm", "storm", "thunder", "slams",
              "slammed", "attack", "run", "runs", "hide", "hides", "trapped", "explosion", "siren", "hammers", "sinking",
              "mayday", "emergency", "blares"),
    "sad": ("funeral", "grave", "tears", "cry", "cries", "crying", "goodbye", "loss", "died", "dead", "death",
            "alone", "grief", "mourns", "sobs", "hospital", "empty", "lost"),
    "romantic": ("kiss", "kisses", "love", "embrace", "embraces", "wedding", "date", "candle", "candles",
                 "sweetheart", "darling", "dance", "dances"),
    "playful": ("laugh", "laughs", "joke", "jokes", "party", "giggle", "giggles", "silly", "prank", "grins",
                "wink", "winks", "rival", "food-truck", "truck"),
    "mysterious": ("shadow", "shadows", "strange", "stranger", "secret", "secrets", "whisper", "whispers", "fog",
                   "mist", "dark", "clock", "clocks", "key", "hidden", "lantern", "lanterns", "ghost", "mystery"),
    "epic": ("battle", "victory", "army", "summit", "triumph", "soaring", "kingdom", "dragon", "charge"),
    "calm": ("dawn", "garden", "morning", "breakfast", "quiet", "peaceful", "tea", "sunlight", "meadow", "rests"),
    "upbeat": ("celebrate", "celebrates", "sunny", "cheers", "festival", "market", "music"),
}
CROSSFADE_S = 2.0


def scene_mood(*, text: str, genre: str) -> str:
    """Return the music mood a scene's words call for ("the stranger whispers in the fog" →
    mysterious) when at least two of its words agree, else the genre's mood."""
    words = re.findall(r"[a-z][a-z'-]*", (text or "").lower())
    counts = {m: sum(words.count(w) for w in vocab) for m, vocab in SCENE_MOODS.items()}
    best = max(counts.values())
    base = mood_for(genre=genre)
    if best < 2 or counts.get(base, 0) == best:  # one stray word ("dawn" in a thriller) is not a mood
        return base
    return max(counts, key=lambda m: (counts[m], m == base))


def _scene_spans(project_id: int) -> list[tuple[float, float, str]]:
    """(start, end, scene text) of each scene on the film's timeline."""
    tl = project_timeline(project_id=project_id, subtitles=False).timeline
    where = {v.shot_id: (v.start_s, v.end_s) for v in tl.video}
    spans = []
    for card in list_scene_cards(project_id=project_id):
        placed = [where[str(sh.id)] for sh in card.shots if str(sh.id) in where]
        if placed:
            text = " ".join([card.scene.heading or "", card.scene.summary or ""]
                            + [sh.action or "" for sh in card.shots]
                            + [d.get("text", "") for sh in card.shots for d in (sh.dialogue or [])])
            spans.append((min(a for a, _ in placed), max(b for _, b in placed), text))
    return spans


MUSIC_BED = "music_bed"  # the purpose of a music job: a bed, or one scene's bed of a score (its handler places it)
MUSIC_REQUEST = "music_request"  # project setting: the music last asked for ({"request": token, "mood", "pieces"})
SOUND_TIMEOUT_S = 600


def _music_plan(project, *, mood: str | None, seed: int, duration_s: float | None) -> list[dict]:
    """The beds the film's music needs, in order: [{"mood", "start_s", "end_s", "length", "seed"}] —
    one for a ``mood`` (or a film whose scenes share one), else one per scene, each 2 s longer than
    its scene for the crossfade into the next."""
    length = duration_s or sum(s.duration_s for s in list_shots(project_id=project.id)) + 4.0
    try:
        spans = [] if mood else _scene_spans(project.id)
    except InvalidInput:  # nothing placed yet: one bed for the genre
        spans = []
    moods = [scene_mood(text=t, genre=project.genre) for _, _, t in spans]
    if mood or len(set(moods)) <= 1:
        mood = mood or (moods[0] if moods else mood_for(genre=project.genre))
        return [{"mood": mood, "start_s": 0.0, "end_s": length, "length": length, "seed": int(seed)}]
    ends = [b for _, b, _ in spans]
    ends[-1] = max(ends[-1] + 4.0, length)
    starts = [0.0] + ends[:-1]
    return [{"mood": m, "start_s": a, "end_s": b, "length": (b - a) + CROSSFADE_S, "seed": int(seed) + i}
            for i, (m, a, b) in enumerate(zip(moods, starts, ends))]


def enqueue_music(*, project_id: int, mood: str | None = None, gain_db: float = MUSIC_GAIN_DB,
                  seed: int = 0, duration_s: float | None = None) -> Job:
    """Queue music for the film and return the job of its first bed at once (pages, API). With a
    ``mood`` one bed in that mood; without one each scene gets the mood its words call for (else the
    genre's), one bed after another — each bed's result handler queues the next, the last one joins
    them with 2 s crossfades at the scene changes. The worker puts the music under the film
    (:func:`apply_music_bed`); a cached bed is placed at once. Music asked again, or a track
    uploaded, before it is ready wins: the older music then stays in the library only.

    Raises InvalidInput for an unknown mood, Forbidden (a role that may not generate), and as
    ``submit_job``."""
    project = get_project(project_id=project_id)
    if mood is not None and mood not in MUSIC_MOODS:
        raise InvalidInput(f"Mood must be one of {', '.join(MUSIC_MOODS)}.", field="mood")
    require_current(action="generate", project_id=project_id)  # before the request is noted
    plan = _music_plan(project, mood=mood, seed=seed, duration_s=duration_s)
    token = uuid.uuid4().hex
    previous = (project.settings or {}).get(MUSIC_REQUEST)
    _note_request(project_id, {"request": token, "mood": mood or "", "pieces": len(plan)})
    try:
        return _submit_bed(project, plan=plan, piece=0, beds=[], token=token, gain_db=gain_db)
    except Exception:  # nothing was queued: the music asked before stays the one awaited
        _note_request(project_id, previous)
        raise


def _note_request(project_id: int, request: dict | None) -> None:
    update_settings(project_id=project_id, edit=lambda settings: settings.update({MUSIC_REQUEST: request}))


def _submit_bed(project, *, plan: list[dict], piece: int, beds: list[str], token: str, gain_db: float) -> Job:
    bed = plan[piece]
    settings = project.settings or {}
    return submit_job(provider=settings.get("music_provider", "local"), model=settings.get("music_model", "music"),
                      project_id=project.id,
                      params={"genre": project.genre, "mood": bed["mood"],
                              "duration": round(min(max(bed["length"], 5.0), 600.0), 1), "seed": int(bed["seed"])},
                      context={"purpose": MUSIC_BED, "request": token, "piece": piece, "plan": plan, "beds": beds,
                               "gain_db": gain_db})


def _placed(project_id: int, token: str) -> TimelineItem | None:
    """The music row the request ``token`` put under the film, if any."""
    return next((r for r in list_items(project_id=project_id, track="music")
                 if (r.extra or {}).get("request") == token), None)


def apply_music_bed(*, job: Job, media_ids: list[str]) -> None:
    """The result handler of music jobs (run by the worker that stored the bed, whichever door
    asked): a score's bed queues the next scene's; the last (or only) bed puts the music under the
    film, replacing the music there. Music asked again or uploaded since is left alone (the bed
    stays in the library). Idempotent: music this request placed already is not placed again."""
    ctx = (job.request or {}).get("context") or {}
    token, plan, piece = ctx.get("request"), ctx.get("plan") or [], int(ctx.get("piece", 0))
    if job.project_id is None or not media_ids or not token or not plan:
        return
    try:
        project = get_project(project_id=job.project_id)
    except NotFound:
        return
    if ((project.settings or {}).get(MUSIC_REQUEST) or {}).get("request") != token:
        return  # asked again, or a track uploaded, meanwhile
    beds = [*ctx.get("beds", []), media_ids[0]]
    gain_db = float(ctx.get("gain_db", MUSIC_GAIN_DB))
    if piece + 1 < len(plan):  # the next scene's bed (joins its own job if this one runs again)
        _submit_bed(project, plan=plan, piece=piece + 1, beds=beds, token=token, gain_db=gain_db)
        return
    if _placed(project.id, token) is not None:
        return
    if len(plan) == 1:
        asset, extra = get_asset(media_id=media_ids[0]), {"mood": plan[0]["mood"], "source": "generated"}
    else:
        asset, extra = _score(project, plan=plan, beds=beds)
    _set_music(project_id=project.id, asset=asset, gain_db=gain_db, extra={**extra, "request": token})


register_result(purpose=MUSIC_BED, apply=apply_music_bed)


def _score(project, *, plan: list[dict], beds: list[str]) -> tuple[MediaAsset, dict]:
    """One track of the scenes' beds joined with crossfades, as a new music asset, and its row's extra."""
    starts, ends, moods = [b["start_s"] for b in plan], [b["end_s"] for b in plan], [b["mood"] for b in plan]
    score, sr = _join_beds([asset_path(media_id=b) for b in beds], starts, ends)
    scenes = [{"start_s": round(a, 2), "end_s": round(b, 2), "mood": m} for m, a, b in zip(moods, starts, ends)]
    main = max(scenes, key=lambda x: x["end_s"] - x["start_s"])["mood"]
    asset = create_asset(type="music", project_id=project.id, data=to_wav_bytes(score, sr), mime="audio/wav",
                         provider=MADE_HERE, model="music", operation="score",
                         input_params={"genre": project.genre, "mood": main, "moods": moods,
                                       "seed": int(plan[0]["seed"])},
                         duration_s=len(score) / sr, label="Score: " + " → ".join(dict.fromkeys(moods)),
                         extra={"scenes": scenes, "beds": beds})
    return asset, {"mood": main, "moods": moods, "scenes": scenes, "source": "generated"}


def request_jobs(*, project_id: int, token: str) -> list[Job]:
    """Return the project's jobs asked with context ``request`` = ``token`` (joined ones included), newest first."""
    def _mine(job: Job) -> bool:
        contexts = [(job.request or {}).get("context") or {}]
        contexts += [j.get("context") or {} for j in (job.request or {}).get("joined") or []]
        return any(c.get("request") == token for c in contexts)
    return [j for j in list_jobs(project_id=project_id, limit=500) if _mine(j)]


@dataclass(frozen=True)
class SoundWork:
    """What a page says about sound being made: ``making`` ("" when nothing is), ``error`` ("" when none)."""

    making: str = ""
    error: str = ""


def job_problem(job: Job) -> str:
    """Return why a finished sound job gave nothing ("" when it did not fail): its error, or why its
    result was not placed."""
    if job.status in (FAILED, UNKNOWN_OUTCOME):
        return job.error or "the provider failed"
    if job.status == CANCELLED:
        return "cancelled"
    return (job.request or {}).get("apply_error") or ""


def music_status(*, project_id: int) -> SoundWork:
    """Return what the music last asked for is doing: being made (which bed), or why it failed."""
    asked = (get_project(project_id=project_id).settings or {}).get(MUSIC_REQUEST) or {}
    token = asked.get("request")
    if not token or _placed(project_id, token) is not None:
        return SoundWork()
    jobs = request_jobs(project_id=project_id, token=token)
    for job in jobs:
        problem = job_problem(job)
        if problem:
            return SoundWork(error=problem)
    active = [j for j in jobs if j.status in ACTIVE_STATUSES]
    if not active:
        return SoundWork()
    pieces = int(asked.get("pieces") or 1)
    if pieces == 1:
        return SoundWork(making=f"a {asked.get('mood') or 'music'} bed")
    piece = int(((active[0].request or {}).get("context") or {}).get("piece", 0))
    return SoundWork(making=f"the score: scene {piece + 1} of {pieces}")


def choose_music(*, project_id: int, mood: str | None = None, gain_db: float = MUSIC_GAIN_DB,
                 seed: int = 0, duration_s: float | None = None,
                 on_progress: Callable[[str], None] | None = None) -> MediaAsset:
    """Put music under the film as :func:`enqueue_music` does and wait until it is there (CLI, film
    command, tests — pages use :func:`enqueue_music`); returns its asset (a score's asset has
    ``extra["scenes"]``). Raises InvalidInput for an unknown mood, ProviderError when a bed failed
    or the music could not be placed."""
    first = enqueue_music(project_id=project_id, mood=mood, gain_db=gain_db, seed=seed, duration_s=duration_s)
    # The request just noted, not the job's: a bed that joined identical work in flight carries the older token.
    token = (get_project(project_id=project_id).settings or {})[MUSIC_REQUEST]["request"]
    waited: set[str] = set()
    while True:  # a score's beds are queued one after another by their handlers
        pending = [j for j in request_jobs(project_id=project_id, token=token) if j.id not in waited]
        if not pending:
            break
        wait_succeeded(jobs=pending, what="music bed", on_progress=on_progress, timeout_per_job_s=SOUND_TIMEOUT_S)
        waited |= {j.id for j in pending}
    row = _placed(project_id, token)
    if row is None:
        problems = [job_problem(j) for j in request_jobs(project_id=project_id, token=token)]
        why = next((p for p in problems if p), "music was asked again or uploaded meanwhile")
        raise ProviderError(f"The music was not placed: {why}", provider=first.provider)
    return get_asset(media_id=row.media_id)


def _join_beds(paths: list, starts: list[float], ends: list[float]) -> tuple[np.ndarray, int]:
    """One stereo track: bed i from starts[i] to ends[i], crossfading into the next over 2 s."""
    beds = [read_audio(p, mono=False) for p in paths]
    sr = beds[0][1]
    total = int(round(ends[-1] * sr))
    out = np.zeros((total, 2))
    fade = int(CROSSFADE_S * sr)
    for i, ((x, rate), a, b) in enumerate(zip(beds, starts, ends)):
        x = x if x.ndim == 2 else np.repeat(x[:, None], 2, axis=1)
        i0 = int(round(a * sr))
        n = min(len(x), total - i0, int(round((b - a) * sr)) + (fade if i < len(beds) - 1 else 0))
        env = np.ones(n)
        if i > 0:
            env[:min(fade, n)] = np.linspace(0, 1, min(fade, n))
        if i < len(beds) - 1 and n > fade:
            env[-fade:] = np.linspace(1, 0, fade)
        out[i0:i0 + n] += x[:n, :2] * env[:, None]
    return out * 0.9 / max(float(np.abs(out).max()), 1e-9), sr


def upload_music(*, project_id: int, name: str, data: bytes, gain_db: float = MUSIC_GAIN_DB) -> MediaAsset:
    """Store an uploaded track (WAV, FLAC, OGG or MP3) as the film's music; returns its asset.
    Raises InvalidInput when the file is not decodable audio (``core.media.checks``), InsufficientStorage."""
    checked = check_media_bytes(data=data, expect="audio", field="music")
    asset = create_asset(type="music", project_id=project_id, data=data, mime=checked.mime, provider="upload",
                         operation="upload", label=name, **checked.asset_fields())
    _set_music(project_id=project_id, asset=asset, gain_db=gain_db, extra={"source": "upload", "label": name})
    _note_request(project_id, None)  # a bed still being made no longer replaces this track
    return asset


def _set_music(*, project_id: int, asset: MediaAsset, gain_db: float, extra: dict) -> None:
    delete_items(project_id=project_id, track="music")
    add_item(project_id=project_id, track="music", media_id=asset.media_id, gain_db=gain_db,
             duration_s=float(asset.duration_s or 0.0), extra=extra)
    update_settings(project_id=project_id,
                    edit=lambda settings: settings.update(music={"media_id": asset.media_id, **extra}))


