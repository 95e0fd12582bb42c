"""Making the film's sounds: voice-over per dialogue block (each character with their voice),
the music bed (chosen from genre and mood, or uploaded) and effects attached to shots.

Every sound is a generation job through the registry (the project's voice provider, the local
music and SFX engines by default), so it is cached, recorded as a MediaAsset with its provider
and parameters, and placed on the timeline as a ``TimelineItem`` row (see ``core.timeline.store``).
"""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Callable

from sqlmodel import select

from core.breakdowns import list_characters, list_shots
from core.db import session
from core.errors import InvalidCombination, InvalidInput, ProviderError
from core.models import Character, MediaAsset, ScriptVersion, Shot
from core.projects import get_project, update_project
from core.story.casting import Person, description_from_text, read_person
from core.timeline.store import (
    AMBIENT, add_item, delete_items, detect_sfx, list_items, removed_sfx,
)

Progress = Callable[[str], None]

# Genre → the mood of its bed (local/music moods); the user can pick another on the Edit page.
GENRE_MOOD = {
    "drama": "sad", "comedy": "playful", "thriller": "tense", "sci-fi": "mysterious", "fantasy": "epic",
    "horror": "tense", "romance": "romantic", "mystery": "mysterious", "documentary": "calm",
    "adventure": "epic", "action": "epic", "family": "playful",
}
MUSIC_MOODS = ("calm", "tense", "upbeat", "sad", "epic", "mysterious", "romantic", "playful")
MUSIC_GAIN_DB = -12.0  # measured: at -8 dB a music-only stretch ran louder than the dialogue after normalisation
VOICE_TIMEOUT_S = 600


# --- running generations -------------------------------------------------------------------------
def run_generations(*, requests: list[dict], on_progress: Progress | None = None,
                    what: str = "sound") -> list[MediaAsset]:
    """Submit every request (keyword arguments of ``core.jobs.service.submit_job``), wait for all, and
    return their result assets in order. Raises ProviderError naming the first failed job."""
    from core.jobs.service import submit_job, wait_for
    from core.media_assets import get_asset

    jobs = [submit_job(**r) for r in requests]
    out = []
    for n, job in enumerate(jobs, 1):
        done = wait_for(job_id=job.id, timeout_s=VOICE_TIMEOUT_S)
        if done.status != "succeeded" or not done.result_media_id:
            raise ProviderError(f"{what} {n} of {len(jobs)} failed: {done.error or done.status}",
                                provider=done.provider, retryable=done.error_retryable)
        out.append(get_asset(media_id=done.result_media_id))
        if on_progress:
            on_progress(f"{what} {n}/{len(jobs)} ready")
    return out


# --- voice ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DialogueLine:
    """One dialogue block of a shot, with the voice it will be read in and whether it is voiced."""

    shot_id: int
    line: int  # index in the shot's dialogue
    character: str
    text: str
    voice_id: str
    voiced: bool

    @property
    def key(self) -> str:
        return f"{self.shot_id}:{self.line}"


def _default_voice(name: str) -> str:
    from core.providers.local.voices import voice_for_character

    return voice_for_character(name=name or "narrator")


NARRATOR_NAMES = {"NARRATOR", "NARRADORA", "NARRADOR", "NARRATEUR", "NARRATRICE", "ERZÄHLER", "ERZÄHLERIN"}


def _script_text(project_id: int) -> str:
    """The newest script version's text ("" without one): pronouns in it tell who is who."""
    with session() as s:
        row = s.exec(select(ScriptVersion).where(ScriptVersion.project_id == project_id)
                     .order_by(ScriptVersion.number.desc())).first()
    return row.text if row else ""


def cast_people(*, project_id: int) -> dict[str, Person]:
    """Return {character name: Person} — gender and age class read from each character's
    description, the pronouns after their name in the script and their first name."""
    text = _script_text(project_id)
    return {c.name: read_person(name=c.name, description=c.description or description_from_text(name=c.name, text=text),
                                text=text)
            for c in list_characters(project_id=project_id)}


def assign_cast_voices(*, project_id: int) -> dict[str, str]:
    """Give every character without a voice one that fits their gender and age as the script
    tells them (see ``core.story.casting``), distinct from the rest of the cast (another class,
    or ≥ 2 semitones apart); a narrator gets the narrator voice. Voices already chosen stay.
    Returns {name: voice id} for the whole cast."""
    from core.providers.local.voices import LOCAL_VOICES, NARRATOR_VOICE, cast_voices

    cast = list_characters(project_id=project_id)
    people = cast_people(project_id=project_id)
    keep = {c.name: c.voice_id for c in cast if c.voice_id}
    todo = [c for c in cast if not c.voice_id and c.name.upper() not in NARRATOR_NAMES]
    chosen = cast_voices(people=[(c.name, people[c.name].gender, people[c.name].age_class) for c in todo],
                         keep={n: v for n, v in keep.items() if v in LOCAL_VOICES})
    out = {}
    with session() as s:
        for c in cast:
            row = s.get(Character, c.id)
            if not row.voice_id:
                row.voice_provider = row.voice_provider or "local"
                row.voice_id = NARRATOR_VOICE if c.name.upper() in NARRATOR_NAMES else chosen[c.name]
                s.add(row)
            out[c.name] = row.voice_id
    return out


def dialogue_lines(*, project_id: int) -> list[DialogueLine]:
    """Return every dialogue block of the project in film order, with its voice and voiced state."""
    cast = {c.name.upper(): c for c in list_characters(project_id=project_id)}
    voiced = {(r.shot_id, r.extra.get("line"), r.text.strip()) for r in list_items(project_id=project_id, track="voice")}
    out = []
    for shot in list_shots(project_id=project_id):
        for i, d in enumerate(shot.dialogue or []):
            text = (d.get("text") or "").strip()
            if not text:
                continue
            name = d.get("character") or ""
            char = cast.get(name.upper())
            voice = (char.voice_id if char and char.voice_id else "") or _default_voice(name)
            out.append(DialogueLine(shot_id=shot.id, line=i, character=name, text=text, voice_id=voice,
                                    voiced=(shot.id, i, text) in voiced))
    return out


def _voice_request(*, project, line: DialogueLine, character: Character | None) -> dict:
    from core.registry import get_registry

    provider = (character.voice_provider if character and character.voice_provider else "") or project.voice_provider
    cap = get_registry().get(provider=provider, model=project.voice_model)
    params = {cap.field_for_role("text") or "text": line.text}
    voice_field = cap.field_for_role("voice") or ("voice" if cap.field("voice") else None)
    if voice_field:
        params[voice_field] = line.voice_id
        try:  # a voice id this model does not know falls back to the model's default voice
            cap.validate(params)
        except (InvalidCombination, InvalidInput):
            params.pop(voice_field)
    return dict(provider=cap.provider, model=cap.model, params=params, operation=cap.operation,
                project_id=project.id, shot_id=line.shot_id,
                character_id=character.character_id if character else None,
                context={"line": line.line, "character": line.character})


def generate_voiceover(*, project_id: int, keys: list[str] | None = None, only_missing: bool = False,
                       on_progress: Progress | None = None) -> int:
    """Voice the project's dialogue (every line, or the ``keys`` "shot_id:line" given) through the
    project's voice provider, each character with their voice, and place each line in its shot.

    Returns how many lines were voiced. Raises InvalidInput when there is nothing to voice,
    ProviderError when a line fails (lines done before it stay placed).
    """
    project = get_project(project_id=project_id)
    assign_cast_voices(project_id=project_id)
    cast = {c.name.upper(): c for c in list_characters(project_id=project_id)}
    lines = [ln for ln in dialogue_lines(project_id=project_id)
             if (keys is None or ln.key in keys) and not (only_missing and ln.voiced)]
    if not lines:
        raise InvalidInput("There are no dialogue lines to voice.", field="lines")
    requests = [_voice_request(project=project, line=ln, character=cast.get(ln.character.upper())) for ln in lines]
    assets = run_generations(requests=requests, on_progress=on_progress, what="voice line")
    for ln, asset in zip(lines, assets):
        delete_items(project_id=project_id, track="voice", shot_id=ln.shot_id, line=ln.line)
        words = list((asset.extra or {}).get("words") or [])
        add_item(project_id=project_id, track="voice", media_id=asset.media_id, shot_id=ln.shot_id,
                 text=ln.text, duration_s=float(asset.duration_s or 0.0),
                 extra={"line": ln.line, "character": ln.character, "words": words, "voice_id": ln.voice_id})
    return len(lines)


# --- music ---------------------------------------------------------------------------------------
def mood_for(*, genre: str) -> str:
    """Return the bed mood that suits a genre (calm for unknown genres)."""
    return GENRE_MOOD.get((genre or "").strip().lower(), "calm")


def choose_music(*, project_id: int, mood: str | None = None, gain_db: float = MUSIC_GAIN_DB,
                 seed: int = 0, duration_s: float | None = None) -> MediaAsset:
    """Make a local music bed for the project's genre and ``mood`` (default: from the genre) and
    put it under the film; returns its asset. Raises InvalidInput for an unknown mood."""
    project = get_project(project_id=project_id)
    mood = mood or mood_for(genre=project.genre)
    if mood not in MUSIC_MOODS:
        raise InvalidInput(f"Mood must be one of {', '.join(MUSIC_MOODS)}.", field="mood")
    length = duration_s or sum(s.duration_s for s in list_shots(project_id=project_id)) + 4.0
    provider = (project.settings or {}).get("music_provider", "local")
    model = (project.settings or {}).get("music_model", "music")
    [asset] = run_generations(requests=[dict(
        provider=provider, model=model, project_id=project_id,
        params={"genre": project.genre, "mood": mood, "duration": round(min(max(length, 5.0), 600.0), 1),
                "seed": int(seed)})], what="music bed")
    _set_music(project_id=project_id, asset=asset, gain_db=gain_db, extra={"mood": mood, "source": "generated"})
    return asset


def upload_music(*, project_id: int, name: str, data: bytes, gain_db: float = MUSIC_GAIN_DB) -> MediaAsset:
    """Store an uploaded track (WAV, FLAC, OGG or MP3) as the film's music; returns its asset.
    Raises InvalidInput when the file is not readable audio."""
    import io

    import soundfile as sf

    from core.media_assets import create_asset

    try:
        info = sf.info(io.BytesIO(data))
    except Exception as exc:  # libsndfile raises several error types for unreadable data
        raise InvalidInput(f"{name} is not an audio file this studio can read (WAV, FLAC, OGG, MP3).",
                           field="music") from exc
    mime = mimetypes.guess_type(name)[0] or "audio/wav"
    asset = create_asset(type="music", project_id=project_id, data=data, mime=mime, provider="upload",
                         operation="upload", label=name, duration_s=info.frames / float(info.samplerate))
    _set_music(project_id=project_id, asset=asset, gain_db=gain_db, extra={"source": "upload", "label": name})
    return asset


def _set_music(*, project_id: int, asset: MediaAsset, gain_db: float, extra: dict) -> None:
    delete_items(project_id=project_id, track="music")
    add_item(project_id=project_id, track="music", media_id=asset.media_id, gain_db=gain_db,
             duration_s=float(asset.duration_s or 0.0), extra=extra)
    settings = dict(get_project(project_id=project_id).settings or {})
    settings["music"] = {"media_id": asset.media_id, **extra}
    update_project(project_id=project_id, settings=settings)


# --- effects -------------------------------------------------------------------------------------
def _sfx_shape(effect: str, shot: Shot) -> tuple[float, float, float]:
    """Return (duration, offset, gain dB): ambiences fill the shot quietly, spot effects are short."""
    if effect in AMBIENT:
        return round(min(max(shot.duration_s, 1.0), 30.0), 2), 0.0, -12.0
    return (2.4 if effect in ("footsteps", "thunder") else 1.2), 0.3, -6.0


def add_sfx(*, project_id: int, shot_id: int, effect: str, seed: int = 0, auto: bool = False) -> MediaAsset:
    """Make one effect for a shot and attach it; returns its asset. Raises InvalidCombination for
    an effect the SFX model does not know."""
    from core.breakdowns import get_shot

    shot = get_shot(shot_id=shot_id)
    duration, offset, gain = _sfx_shape(effect, shot)
    settings = get_project(project_id=project_id).settings or {}
    [asset] = run_generations(requests=[dict(
        provider=settings.get("sfx_provider", "local"), model=settings.get("sfx_model", "sfx"),
        project_id=project_id, shot_id=shot_id, params={"effect": effect, "duration": duration, "seed": int(seed)})],
        what="sound effect")
    add_item(project_id=project_id, track="sfx", media_id=asset.media_id, shot_id=shot_id, gain_db=gain,
             duration_s=float(asset.duration_s or duration), extra={"effect": effect, "offset_s": offset, "auto": auto})
    return asset


def attach_sfx(*, project_id: int, on_progress: Progress | None = None) -> int:
    """Attach effects to every shot whose action mentions them (see ``detect_sfx``), skipping
    ones already there or removed by the user; returns how many were added."""
    have = {(r.shot_id, r.extra.get("effect")) for r in list_items(project_id=project_id, track="sfx")}
    removed = removed_sfx(project_id=project_id)
    added = 0
    for shot in list_shots(project_id=project_id):
        for effect in detect_sfx(action=shot.action):
            if (shot.id, effect) in have or f"{shot.id}:{effect}" in removed:
                continue
            add_sfx(project_id=project_id, shot_id=shot.id, effect=effect, seed=shot.id or 0, auto=True)
            added += 1
            if on_progress:
                on_progress(f"effect '{effect}' on shot {shot.id}")
    settings = dict(get_project(project_id=project_id).settings or {})
    settings["sfx_auto_done"] = True
    update_project(project_id=project_id, settings=settings)
    return added
