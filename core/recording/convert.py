"""Voice→voice for takes: the best route installed (``core.generation.facade.v2v`` — ElevenLabs with the
character's voice_id when keyed, local otherwise; else the local engine directly), with the
result linked to its take by ``parent_id``."""
from __future__ import annotations

from core.errors import InvalidInput, NotFound
from core.media_assets import get_asset, update_asset
from core.models import Job, MediaAsset
from core.recording.takes import MAX_LABEL_CHARS, get_take
from core.breakdowns import list_characters
from core.generation.facade import v2v
from core.jobs.kinds import register_result
from core.jobs.service import require_succeeded, wait_for
from core.providers import is_configured
from core.registry import get_registry

CONVERT_TIMEOUT_S = 300



def _character(project_id: int, character_id: str):

    for c in list_characters(project_id=project_id):
        if c.character_id == character_id:
            return c
    raise NotFound(f"No character {character_id!r} in this project.", field="character_id")


def conversion_route(*, character) -> tuple[str, str]:
    """Return (provider, model) for converting to this character's voice: a voice→voice model of the
    provider the character's voice belongs to (e.g. ElevenLabs speech-to-speech with their voice_id
    as target) when that provider's keys are set; else the local pitch/formant conversion."""

    if character.voice_id:
        # Later model generations sort last by id (…_multilingual_sts_v2 after …_english_sts_v2);
        # any of a provider's models converts to the same voice_id.
        caps = sorted(get_registry().list(operation="v2v", provider=character.voice_provider),
                      key=lambda c: c.model, reverse=True)
        for cap in caps:
            if is_configured(cap=cap):
                return cap.provider, cap.model
    return "local", "v2v"


TAKE_CONVERSION = "take_conversion"  # the purpose of a take's voice→voice job (its handler links the result)
LINE_CONVERSION = "line_conversion"  # the same, placed on the take's dialogue line too (core.recording.line_takes)


def enqueue_conversion(*, project_id: int, media_id: str, character_id: str | None = None,
                       place: bool = False) -> Job:
    """Queue the conversion of a take to a character's voice (the take's own character unless
    ``character_id``) and return its Job at once. The worker that stores the result links it to the
    take (:func:`link_conversion`) and, with ``place``, puts it on the take's dialogue line
    (``core.recording.line_takes``) — whichever door asked; the take itself is kept.

    Raises NotFound, InvalidInput(field="character_id") when no character is known, and as
    ``core.generation.facade.v2v``."""
    take = get_take(media_id=media_id)
    character_id = character_id or take.character_id
    if not character_id:
        raise InvalidInput("Choose the character whose voice this take should get.", field="character_id")
    character = _character(project_id, character_id)
    provider, model = conversion_route(character=character)
    return v2v(provider=provider, model=model, audio_path=take.media_id, character_id=character.character_id,
               project_id=project_id,
               context={"purpose": LINE_CONVERSION if place else TAKE_CONVERSION, "take_id": take.media_id,
                        "character_id": character_id, "character": character.name,
                        "route": f"core.generation.facade.v2v {provider}/{model}"})


def link_conversion(*, job: Job, media_id: str) -> MediaAsset:
    """Link a finished conversion to its take (parent, character, shot, line, label); returns the
    asset. Idempotent (a worker that dies after it runs it again to the same result)."""
    ctx = (job.request or {}).get("context") or {}
    take = get_take(media_id=ctx["take_id"])
    result = get_asset(media_id=media_id)
    extra = {**(result.extra or {}), "from_take": take.media_id, "line_index": (take.extra or {}).get("line_index"),
             "route": ctx.get("route", "")}
    return update_asset(media_id=result.media_id, parent_id=take.media_id, character_id=ctx.get("character_id"),
                        shot_id=take.shot_id, extra=extra,
                        label=f"{take.label} → {ctx.get('character') or ctx.get('character_id')}"[:MAX_LABEL_CHARS + 40])


def finished_conversion(*, job: Job, timeout_s: float = CONVERT_TIMEOUT_S) -> MediaAsset:
    """Wait for a conversion job (CLI, tests; pages never wait) and return its linked asset.
    Raises ProviderError when it failed, TimeoutError."""
    if job.status != "succeeded":
        job = wait_for(job_id=job.id, timeout_s=timeout_s)
    [job] = require_succeeded(jobs=[job], what="conversion")
    return get_asset(media_id=job.result_media_id)


def convert_take(*, project_id: int, media_id: str, character_id: str | None = None) -> MediaAsset:
    """Convert a take to a character's voice and wait for it (CLI, tests); returns the new voice
    asset, linked to the take by ``parent_id``. The take itself is kept.

    Raises NotFound, InvalidInput(field="character_id") when no character is known,
    ProviderError when it fails."""
    return finished_conversion(job=enqueue_conversion(project_id=project_id, media_id=media_id,
                                                      character_id=character_id))


def _apply_conversion(*, job: Job, media_ids: list[str]) -> None:
    if media_ids:
        link_conversion(job=job, media_id=media_ids[0])


register_result(purpose=TAKE_CONVERSION, apply=_apply_conversion)
