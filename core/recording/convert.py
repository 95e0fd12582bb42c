"""Voice→voice for takes: the best route installed (``core.generation.v2v`` — ElevenLabs with the
character's voice_id when keyed, local otherwise; else the local engine directly), with the
result linked to its take by ``parent_id``."""
from __future__ import annotations

from core.errors import InvalidInput, NotFound, ProviderError, UnsupportedCapability
from core.media_assets import create_asset, get_asset, update_asset
from core.models import MediaAsset
from core.recording.takes import MAX_LABEL_CHARS, get_take
from core.settings import get_settings



def _character(project_id: int, character_id: str):
    from core.breakdowns import list_characters

    for c in list_characters(project_id=project_id):
        if c.character_id == character_id:
            return c
    raise NotFound(f"No character {character_id!r} in this project.", field="character_id")


ELEVENLABS_STS_MODEL = "eleven_multilingual_sts_v2"


def _local_voice(character) -> str:
    from core.local.voices import LOCAL_VOICES, voice_for_character

    if character.voice_id and character.voice_id in LOCAL_VOICES:
        return character.voice_id
    return voice_for_character(name=character.name)


def conversion_route(*, character) -> tuple[str, str]:
    """Return (provider, model) for converting to this character's voice: ElevenLabs
    speech-to-speech when ELEVENLABS_API_KEY is set and the character has an ElevenLabs voice_id
    (the target voice), else the local pitch/formant conversion."""
    key = get_settings().elevenlabs_api_key
    if key and key.get_secret_value() and character.voice_provider == "elevenlabs" and character.voice_id:
        return "elevenlabs", ELEVENLABS_STS_MODEL
    return "local", "v2v"


def _convert(take: MediaAsset, character, project_id: int) -> tuple[MediaAsset, str]:
    """Run voice→voice by the best route installed; returns (result asset, route description)."""
    provider, model = conversion_route(character=character)
    try:
        from core.generation import v2v
    except ImportError:
        v2v = None
    if v2v is not None:
        # The local schema has no default voice, so name the character's local profile explicitly.
        voice_id = _local_voice(character) if provider == "local" else None
        job = v2v(provider=provider, model=model, audio_path=take.media_id, voice_id=voice_id,
                  character_id=character.character_id, project_id=project_id)
        return _job_result(job), f"core.generation.v2v {provider}/{model}"
    if provider != "local":
        raise UnsupportedCapability("ElevenLabs voice conversion needs core.generation.", field="voice")
    try:
        from core.local.v2v import convert_voice
    except ImportError:
        raise UnsupportedCapability("Voice conversion is not available in this installation.",
                                    field="voice") from None
    voice = _local_voice(character)
    wav = convert_voice(audio=get_settings().data_dir / take.file_path, voice=voice)
    asset = create_asset(type="voice", project_id=project_id, data=wav, mime="audio/wav", provider="local",
                         model="v2v", operation="v2v", input_params={"voice": voice},
                         duration_s=take.duration_s)
    return asset, "core.local.v2v"


def _job_result(job) -> MediaAsset:
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
    take = get_take(media_id=media_id)
    character_id = character_id or take.character_id
    if not character_id:
        raise InvalidInput("Choose the character whose voice this take should get.", field="character_id")
    character = _character(project_id, character_id)
    result, route = _convert(take, character, project_id)
    extra = {**(result.extra or {}), "from_take": take.media_id, "line_index": (take.extra or {}).get("line_index"),
             "route": route}
    return update_asset(media_id=result.media_id, parent_id=take.media_id, character_id=character_id,
                        shot_id=take.shot_id, extra=extra,
                        label=f"{take.label} → {character.name}"[:MAX_LABEL_CHARS + 40])
