"""Making the film's voices: the cast's voices chosen from what the script says of each character,
and the voice-over of every dialogue block (each character with their voice; radio, phone and
voice-over lines heard through their treatment). Music: ``core.generation.soundtrack``; effects:
``core.generation.effects``.

Every sound is a generation job through the registry (the project's voice provider by default),
so it is cached, recorded as a MediaAsset with its provider and parameters, and placed on the
timeline as a ``TimelineItem`` row (see ``core.timeline.store``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlmodel import select

from core.accounts.service import require_current
from core.breakdowns import get_shot, list_characters, list_shots
from core.db import session
from core.errors import InvalidCombination, InvalidInput, NotFound
from core.jobs.kinds import register_result
from core.models import Character, Job, MediaAsset, ScriptVersion
from core.media.wav import read_audio, to_wav_bytes
from core.media_assets import MADE_HERE, asset_path, create_asset, get_asset
from core.projects import get_project
from core.providers.local.treatments import apply_treatment, treatment_for
from core.story.casting import Person, description_from_text, read_person
from core.timeline.store import add_item, delete_items, list_items
from core.jobs.service import submit_job, wait_succeeded
from core.providers.local.voices import cast_voices, LOCAL_VOICES, NARRATOR_VOICE, voice_for_character
from core.registry import get_registry

Progress = Callable[[str], None]

VOICE_TIMEOUT_S = 600


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
    treatment: str | None = None  # "radio", "phone", "voice-over": how the line is heard

    @property
    def key(self) -> str:
        return f"{self.shot_id}:{self.line}"


def _default_voice(name: str) -> str:

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

    cast = list_characters(project_id=project_id)
    people = cast_people(project_id=project_id)
    keep = {c.name: c.voice_id for c in cast if c.voice_id}
    if any(c.name.upper() in NARRATOR_NAMES for c in cast):  # the narrator is heard too: keep clear of it
        keep.setdefault(next(c.name for c in cast if c.name.upper() in NARRATOR_NAMES), NARRATOR_VOICE)
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
                                    voiced=(shot.id, i, text) in voiced,
                                    treatment=treatment_for(parenthetical=d.get("parenthetical") or "",
                                                            extensions=list(d.get("extensions") or []))))
    return out


def _voice_request(*, project, line: DialogueLine, character: Character | None) -> dict:

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
                context={"purpose": VOICE_LINE, "line": line.line, "character": line.character, "text": line.text,
                         "voice_id": line.voice_id, "treatment": line.treatment})


VOICE_LINE = "voice_line"  # the purpose of a dialogue line's voice job (its result handler places it)


def enqueue_voiceover(*, project_id: int, keys: list[str] | None = None, only_missing: bool = False) -> list[Job]:
    """Queue the voice of the project's dialogue (every line, or the ``keys`` "shot_id:line" given)
    through the project's voice provider, each character with their voice, and return the Jobs at
    once. The worker that stores each result places it on its line (:func:`apply_voice_line`, a
    new timeline row replacing the line's voice) — no caller waits; a cached line is placed at once.

    Raises Forbidden (a role that may not generate, before anything changes), InvalidInput when
    there is nothing to voice, and as ``submit_job`` (nothing is queued
    for lines after the one that raised)."""
    require_current(action="generate", project_id=project_id)  # before the cast's voices are chosen
    project = get_project(project_id=project_id)
    assign_cast_voices(project_id=project_id)
    cast = {c.name.upper(): c for c in list_characters(project_id=project_id)}
    lines = [ln for ln in dialogue_lines(project_id=project_id)
             if (keys is None or ln.key in keys) and not (only_missing and ln.voiced)]
    if not lines:
        raise InvalidInput("There are no dialogue lines to voice.", field="lines")
    return [submit_job(**_voice_request(project=project, line=ln, character=cast.get(ln.character.upper())))
            for ln in lines]


def generate_voiceover(*, project_id: int, keys: list[str] | None = None, only_missing: bool = False,
                       on_progress: Progress | None = None) -> int:
    """Voice the project's dialogue and wait until every line is placed (CLI, film command, tests;
    pages use :func:`enqueue_voiceover`). Returns how many lines were voiced.

    Raises InvalidInput when there is nothing to voice, ProviderError when a line fails (lines done
    before it stay placed)."""
    jobs = enqueue_voiceover(project_id=project_id, keys=keys, only_missing=only_missing)
    wait_succeeded(jobs=jobs, what="voice line", on_progress=on_progress, timeout_per_job_s=VOICE_TIMEOUT_S)
    return len(jobs)


def apply_voice_line(*, job: Job, media_ids: list[str]) -> None:
    """The result handler of voice-line jobs (run by the worker that stored the voice, whichever
    door asked): put the voice on its dialogue line — heard through the line's treatment (radio,
    phone, voice-over) as a new asset whose parent is the spoken one — replacing the line's voice
    row. A line whose text changed since it was asked, or whose shot is gone, is left alone.
    Idempotent: a line already carrying this voice (or its treated copy) is not placed again."""
    ctx = (job.request or {}).get("context") or {}
    if job.shot_id is None or job.project_id is None or not media_ids or "line" not in ctx:
        return
    index = int(ctx["line"])
    try:
        shot = get_shot(shot_id=job.shot_id)
    except NotFound:
        return
    dialogue = shot.dialogue or []
    text = (dialogue[index].get("text") or "").strip() if index < len(dialogue) else ""
    if not text or text != (ctx.get("text") or text):
        return  # the line changed or went away meanwhile: its voice stays in the library
    asset = get_asset(media_id=media_ids[0])
    treatment = ctx.get("treatment")
    current = [r.media_id for r in list_items(project_id=job.project_id, track="voice")
               if r.shot_id == job.shot_id and (r.extra or {}).get("line") == index]
    if asset.media_id in current:
        return
    if treatment:
        treated = _treated_copy(asset, treatment)
        if treated is not None and treated.media_id in current:
            return
        line = DialogueLine(shot_id=job.shot_id, line=index, character=ctx.get("character") or "", text=text,
                            voice_id=ctx.get("voice_id") or "", voiced=True, treatment=treatment)
        asset = treated or _treated(project_id=job.project_id, line=line, asset=asset)
    delete_items(project_id=job.project_id, track="voice", shot_id=job.shot_id, line=index)
    add_item(project_id=job.project_id, track="voice", media_id=asset.media_id, shot_id=job.shot_id,
             text=text, duration_s=float(asset.duration_s or 0.0),
             extra={"line": index, "character": ctx.get("character") or "",
                    "words": list((asset.extra or {}).get("words") or []), "voice_id": ctx.get("voice_id") or "",
                    "treatment": treatment})


def _treated_copy(asset: MediaAsset, treatment: str) -> MediaAsset | None:
    """The copy of ``asset`` with this ``treatment`` a previous run of the handler made, if any."""
    with session() as s:
        return s.exec(select(MediaAsset).where(MediaAsset.parent_id == asset.media_id,
                                               MediaAsset.provider == MADE_HERE,
                                               MediaAsset.model == "treatment",
                                               MediaAsset.operation == treatment)).first()


register_result(purpose=VOICE_LINE, apply=apply_voice_line)


def _treated(*, project_id: int, line: DialogueLine, asset: MediaAsset) -> MediaAsset:
    """Return the line's voice as heard through its treatment (radio, phone, voice-over): a new
    voice asset, same length and word timings, with the spoken take as its parent."""
    samples, sr = read_audio(asset_path(media_id=asset.media_id), mono=True)
    out = apply_treatment(samples, sr, treatment=line.treatment, seed=line.shot_id * 16 + line.line)
    return create_asset(type="voice", project_id=project_id, data=to_wav_bytes(out, sr), mime="audio/wav",
                        provider=MADE_HERE, model="treatment", operation=line.treatment,
                        input_params={"treatment": line.treatment, "source_media_id": asset.media_id},
                        parent_id=asset.media_id, shot_id=line.shot_id, character_id=asset.character_id,
                        duration_s=asset.duration_s, label=f"{line.character} ({line.treatment})",
                        extra=dict(asset.extra or {}))
