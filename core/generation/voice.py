"""Voices and lip sync with characters (seed §8/§9, DESIGN §5): the character's voice_id fills the
model's ``voice`` role for TTS and is the target of voice-to-voice; lip sync uses the speaking
character's reference image; a re-lip-synced shot clip is saved as a new version of the shot."""
from __future__ import annotations

from typing import Any

from core.errors import InvalidInput
from core.generation.plan import split_params, strip_media_prefix
from core.jobs.service import submit_job
from core.models import Character, Job
from core.registry import Capability, get_registry, present
from core.generation.shots import find_character
from core.media_assets import get_asset
from core.providers.local.voices import LOCAL_VOICES, voice_for_character


def _character(project_id: int | None, character_id: str | None) -> Character | None:
    if not character_id:
        return None

    return find_character(project_id=project_id, character_id=character_id)


def character_voice(*, cap: Capability, character: Character) -> str | None:
    """Return the voice a character speaks with on ``cap``: their chosen voice when it belongs to
    this provider; otherwise, when the model speaks the local voice catalogue (its voice default is
    one of it), the character's stable local voice; else None (the model's default applies)."""
    # A voice id belongs to one provider's catalogue: look it up by provider, no branching on names.
    own = {character.voice_provider: character.voice_id}.get(cap.provider)
    if own:
        return own

    name = cap.field_for_role("voice")
    spec = cap.field(name) if name else None
    if spec is not None and spec.default in LOCAL_VOICES:
        if character.voice_id in LOCAL_VOICES:
            return character.voice_id
        return voice_for_character(name=character.name)
    return None


def _fill_voice(cap: Capability, params: dict, voice_id: str | None, character: Character | None) -> None:
    name = cap.require_role("voice")
    if present(params.get(name)):
        return
    voice = voice_id or (character_voice(cap=cap, character=character) if character is not None else None)
    if voice:
        params[name] = voice


def tts(*, provider: str, model: str, text: str, voice_id: str | None = None, character_id: str | None = None,
        params: dict[str, Any] | None = None, project_id: int | None = None, shot_id: int | None = None) -> Job:
    """Submit text→voice and return its Job; the asset carries word timings (``extra["words"]``).

    The voice is ``voice_id``, else the character's (see :func:`character_voice`).
    Raises NotFound (character), InvalidInput (empty text), UnsupportedCapability,
    InvalidCombination, MissingCredentials.
    """
    if not (text or "").strip():
        raise InvalidInput("text: there is nothing to say", field="text")
    cap = get_registry().get(provider=provider, model=model, operation="tts")
    character = _character(project_id, character_id)
    plain, inputs = split_params(cap=cap, params=params or {})
    plain[cap.require_role("text")] = text
    _fill_voice(cap, plain, voice_id, character)
    if character is not None and project_id is None:
        project_id = character.project_id
    return submit_job(provider=cap.provider, model=cap.model, operation=cap.operation, params=plain, inputs=inputs,
                      project_id=project_id, shot_id=shot_id, character_id=character_id,
                      context={"purpose": "tts", "text": text})


def v2v(*, provider: str, model: str, audio_path: Any, voice_id: str | None = None, character_id: str | None = None,
        params: dict[str, Any] | None = None, project_id: int | None = None, context: dict | None = None) -> Job:
    """Submit voice→voice (the recording in ``audio_path`` — a path or media id — spoken in the
    target voice: ``voice_id`` or the character's) and return its Job. The original stays as it is.
    ``context`` (a ``purpose`` and what its result handler needs) says where the result goes.

    Raises NotFound, InvalidInput, UnsupportedCapability, InvalidCombination, MissingCredentials.
    """
    cap = get_registry().get(provider=provider, model=model, operation="v2v")
    character = _character(project_id, character_id)
    plain, inputs = split_params(cap=cap, params=params or {})
    inputs[cap.require_role("audio")] = strip_media_prefix(str(audio_path))
    _fill_voice(cap, plain, voice_id, character)
    if character is not None and project_id is None:
        project_id = character.project_id
    return submit_job(provider=cap.provider, model=cap.model, operation=cap.operation, params=plain, inputs=inputs,
                      project_id=project_id, character_id=character_id, context={"purpose": "v2v", **(context or {})})


def lipsync_image(*, provider: str, model: str, audio_media_id: str, image_media_id: str | None = None,
                  character_id: str | None = None, params: dict[str, Any] | None = None,
                  project_id: int | None = None) -> Job:
    """Submit a talking portrait (image + audio → video) and return its Job. Without
    ``image_media_id`` the speaking character's first reference image is used.

    Raises InvalidInput (no image: the character has no reference image), NotFound,
    UnsupportedCapability, InvalidCombination, MissingCredentials.
    """
    cap = get_registry().get(provider=provider, model=model, operation="lipsync_image")
    character = _character(project_id, character_id)
    image = strip_media_prefix(image_media_id) if image_media_id else None
    if image is None and character is not None and character.reference_images:
        image = character.reference_images[0]
    if image is None:
        who = f"{character.name} has no reference image yet" if character is not None else "no image or character given"
        raise InvalidInput(f"image: a talking portrait needs a face — {who}", field="image_media_id")
    plain, inputs = split_params(cap=cap, params=params or {})
    inputs[cap.require_role("image")] = image
    inputs[cap.require_role("audio")] = strip_media_prefix(audio_media_id)
    if character is not None and project_id is None:
        project_id = character.project_id
    return submit_job(provider=cap.provider, model=cap.model, operation=cap.operation, params=plain, inputs=inputs,
                      project_id=project_id, character_id=character_id, context={"purpose": "talking_portrait"})


def lipsync_video(*, provider: str, model: str, video_media_id: str, audio_media_id: str,
                  params: dict[str, Any] | None = None, shot_id: int | None = None,
                  project_id: int | None = None) -> Job:
    """Submit a re-lip-sync of a clip to an audio line and return its Job. The result becomes a new
    version of the shot (``parent_id`` = the clip it came from) and the shot's clip when done; the
    shot is the clip's own shot unless ``shot_id`` says otherwise.

    Raises NotFound, UnsupportedCapability, InvalidCombination, MissingCredentials.
    """

    cap = get_registry().get(provider=provider, model=model, operation="lipsync_video")
    video = get_asset(media_id=strip_media_prefix(video_media_id))
    shot_id = shot_id if shot_id is not None else video.shot_id
    plain, inputs = split_params(cap=cap, params=params or {})
    inputs[cap.require_role("video")] = video.media_id
    inputs[cap.require_role("audio")] = strip_media_prefix(audio_media_id)
    return submit_job(provider=cap.provider, model=cap.model, operation=cap.operation, params=plain, inputs=inputs,
                      project_id=project_id if project_id is not None else video.project_id, shot_id=shot_id,
                      character_id=video.character_id,
                      context={"purpose": "lipsync", "apply": True, "parent": video.media_id})
