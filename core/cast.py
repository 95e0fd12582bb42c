"""World & Cast (issue 6 point 1): the project's art style and default models, and per character a
style card, style tokens, reference images and a voice — stored on the Character record and reused
by every shot (``core.generation.plan`` puts them into each model by role).
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from core.accounts.activity import record
from core.credentials import get_setting
from core.db import session
from core.breakdowns import LOCAL_MODES, breakdown_modes, model_breakdown
from core.providers import get_adapter
from core.providers.local.voices import LOCAL_VOICES
from core.breakdowns import breakdown_modes, list_characters, LOCAL_MODES, model_breakdown
from core.errors import InvalidInput, NotFound, ProviderError
from core.generation.voiceover import assign_cast_voices
from core.limits import MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS, check_text
from core.media.checks import check_media_bytes
from core.models import Character, Job, MediaAsset, Project
from core.story.people import FEMALE as _FEMALE
from core.story.people import MALE as _MALE
from core.generation.facade import generate_image, tts
from core.generation.shots import find_character
from core.media_assets import create_asset, get_asset
from core.projects import get_project, update_project
from core.registry import get_registry
from core.scripts import latest_version

_AGES = ("in their early twenties", "around thirty", "in their late thirties", "in their mid-forties",
         "in their fifties", "in their sixties")
_BUILDS = ("slight build", "wiry build", "athletic build", "stocky build", "tall and lanky", "broad-shouldered")
_HAIR = ("short black hair", "long auburn hair", "cropped grey hair", "curly brown hair", "a blonde bob",
         "a shaved head", "braided dark hair", "tousled red hair")
_CLOTHES = ("a navy peacoat", "a mustard raincoat", "a faded denim jacket", "a charcoal suit", "a green wool sweater",
            "a white linen shirt", "a burgundy leather jacket", "an olive field jacket")
_MARKS = ("a small scar over the left eyebrow", "round wire glasses", "a silver ring on the thumb",
          "freckles across the nose", "a red scarf", "a chipped front tooth", "a pocket watch on a chain",
          "ink-stained fingers")
_GENRE_MOOD = {"comedy": "an easy grin", "horror": "a wary, haunted look", "thriller": "a guarded stare",
               "romance": "a warm, open expression", "sci-fi": "a focused, curious gaze",
               "drama": "a thoughtful expression", "fantasy": "a weathered, determined look"}


def list_cast(*, project_id: int) -> list[Character]:
    """Return the project's characters (most lines first)."""

    return list_characters(project_id=project_id)


def get_character(*, project_id: int, character_id: str) -> Character:
    """Return a character by slug; raises NotFound."""

    return find_character(project_id=project_id, character_id=character_id)


CHARACTER_EDITABLE = {"name", "style_card", "style_tokens", "description", "voice_provider", "voice_id",
                      "reference_images"}


def update_character(*, project_id: int, character_id: str, **changes: Any) -> Character:
    """Change a character's name, style card, tokens, description, voice or reference images
    (media ids that must exist and be images); returns the character.

    Raises NotFound (character or reference media), InvalidInput naming a field that cannot be
    edited, an empty name or a reference that is not an image.
    """

    for key in changes:
        if key not in CHARACTER_EDITABLE:
            raise InvalidInput(f"Character field {key!r} cannot be edited.", field=key)
    if "name" in changes and not str(changes["name"]).strip():
        raise InvalidInput("A character needs a name.", field="name")
    for key, value in changes.items():
        if isinstance(value, str):
            check_text(value=value, field=key, max_chars=MAX_NAME_CHARS if key == "name" else MAX_SHORT_TEXT_CHARS)
    for media_id in changes.get("reference_images") or []:
        asset = get_asset(media_id=media_id)
        if asset.type != "image":
            raise InvalidInput(f"Reference {media_id!r} is {asset.type}, not an image.", field="reference_images")
    with session() as s:
        row = s.exec(select(Character).where(Character.project_id == project_id,
                                             Character.character_id == character_id)).first()
        if row is None:
            raise NotFound(f"No character {character_id!r} in project {project_id}.", field="character_id")
        changed = []
        for k, v in changes.items():
            if k == "reference_images":
                v = list(v)
            v = v.strip() if isinstance(v, str) else v
            if getattr(row, k) != v:
                changed.append(k)
            setattr(row, k, v)
        s.add(row)
        if changed:
            record(s, project_id=project_id, action="character", ref=character_id,
                   subject=f"{row.name}: changed {', '.join(changed)}")
    return row


def set_world(*, project_id: int, art_style: str | None = None, style_card: str | None = None,
              voice_provider: str | None = None, voice_model: str | None = None, image_provider: str | None = None,
              image_model: str | None = None, video_provider: str | None = None,
              video_model: str | None = None) -> Project:
    """Store the world look and default models on the project; returns it. Models are checked
    against the registry (UnsupportedCapability for an unknown one)."""

    changes = {k: v for k, v in dict(art_style=art_style, style_card=style_card, voice_provider=voice_provider,
                                     voice_model=voice_model, image_provider=image_provider, image_model=image_model,
                                     video_provider=video_provider, video_model=video_model).items() if v is not None}
    for prov, mod in (("voice_provider", "voice_model"), ("image_provider", "image_model"),
                      ("video_provider", "video_model")):
        if prov in changes or mod in changes:

            current = get_project(project_id=project_id)
            get_registry().get(provider=changes.get(prov, getattr(current, prov)),
                               model=changes.get(mod, getattr(current, mod)))
    return update_project(project_id=project_id, **changes)


# --- style cards --------------------------------------------------------------------------------
# What a description already says decides which stable choices are left out, so an invented
# trait never contradicts the script ("red coat" in the script → no invented jacket).
_SAYS_AGE = re.compile(r"\b(\d0s|\d{1,2}|\d+\s*(?:years?|yrs?)|old|young|teen\w*|child|kid|elderly|middle-aged|"
                       r"twenties|thirties|forties|fifties|sixties|seventies|eighties|girl|boy|baby|toddler|"
                       r"grandmother|grandfather|granny|grandpa|aged?)\b", re.I)
_SAYS_BUILD = re.compile(r"\b(tall|short|slight|wiry|athletic|stocky|lanky|broad|heavy|thin|skinny|muscular|petite)\b", re.I)
_SAYS_HAIR = re.compile(r"\b(hair|haired|bald|shaved|braid\w*|ponytail|bob|curls?|beard|bun|afro|dreadlocks|head)\b", re.I)
_SAYS_CLOTHES = re.compile(r"\b(coat|jacket|dress|shirt|hoodie|suit|sweater|uniform|gown|robe|raincoat|peacoat|blazer|"
                           r"vest|overalls|jeans|cloak|apron|waistcoat|cardigan|parka|overcoat|trench\w*|tunic|"
                           r"kimono|sari|scrubs|t-shirt|tee|jumper|blouse|skirt)\b", re.I)
_SAYS_MARK = re.compile(r"\b(scar\w*|glasses|spectacles|beard|moustache|mustache|tattoo\w*|freckles|eyepatch|"
                        r"scarf|earrings?|piercing\w*|hat|cap|beanie)\b", re.I)


def _appearance_hint(name: str, description: str) -> str:
    """What the script says the character looks like: every parenthetical right after the name
    ("MAYA (30s, red coat) climbs" → "30s, red coat") and every apposition ("MAYA, a tall woman in a
    red coat, climbs" → "a tall woman in a red coat") across the description's hints; without
    either, the first hint with a leading repeat of the name removed. One line, at most 240 chars."""
    flat = " ".join(description.split())
    n = re.escape(name)
    found = re.findall(rf"\b{n}\b\s*\(([^)]{{1,160}})\)", flat, flags=re.I)
    found += re.findall(rf"\b{n}\b\s*,\s*((?:an?|the|age|aged|\d)[^,;.]{{1,120}}),", flat, flags=re.I)
    if found:
        return ", ".join(dict.fromkeys(x.strip(" .;,") for x in found))[:240]
    first = " ".join(description.split(";")[0].split())
    first = re.sub(rf"^{n}\b[\s,:-]*", "", first, flags=re.I).strip(" .;,")
    return first[:160]


def _gender_words(name: str, description: str, hint: str) -> str:
    """"woman"/"man" (girl/boy for children) when the description's pronouns and nouns say which
    and the hint does not say it already; "" otherwise."""
    if _FEMALE.search(hint) or _MALE.search(hint):
        return ""
    f, m = len(_FEMALE.findall(description)), len(_MALE.findall(description))
    if f == m:
        return ""
    age = re.search(r"\b(\d{1,2})\b", hint)
    young = age is not None and int(age.group(1)) < 13
    return ("girl" if young else "woman") if f > m else ("boy" if young else "man")


def local_style_card(*, name: str, description: str = "", genre: str = "drama") -> str:
    """Return an appearance card made offline: what the script says of the character first (all of
    it: age, gender, hair, skin, clothes, marks), then stable choices (same name → same card) for
    age, build, hair, clothing and a mark only where the script is silent on each, plus a
    genre-fitting expression. Nothing invented contradicts the script."""
    rng = random.Random(int.from_bytes(hashlib.sha256(" ".join(name.lower().split()).encode()).digest()[:8], "big"))
    picks = {k: rng.choice(v) for k, v in (("age", _AGES), ("build", _BUILDS), ("hair", _HAIR),
                                           ("clothes", _CLOTHES), ("mark", _MARKS))}
    hint = _appearance_hint(name, description)
    bits = [name.title()]
    if hint:
        bits.append(hint)
    gender = _gender_words(name, description, hint)
    if gender:
        bits.append(gender)
    for key, says in (("age", _SAYS_AGE), ("build", _SAYS_BUILD), ("hair", _SAYS_HAIR)):
        if not says.search(hint):
            bits.append(picks[key])
    if not _SAYS_CLOTHES.search(hint):
        bits.append(f"wears {picks['clothes']}")
    if not _SAYS_MARK.search(hint):
        bits.append(picks["mark"])
    bits.append(_GENRE_MOOD.get(genre.lower(), "a thoughtful expression"))
    return "; ".join(bits)


def _model_descriptions(project_id: int) -> dict[str, str]:
    """Return {NAME: description} from a text model's breakdown of the newest script (one call per
    cast), or {} when no such model is set up or the project has no script."""
    version = latest_version(project_id=project_id)
    if version is None or not [m for m in breakdown_modes() if m not in LOCAL_MODES]:
        return {}
    bd = model_breakdown(text=version.text, target_length_s=get_project(project_id=project_id).target_length_s,
                         project_id=project_id)
    return {info.name.upper(): "; ".join(info.description or []) for info in bd.characters}


def generate_style_cards(*, project_id: int, overwrite: bool = False) -> dict[str, str]:
    """Write a style card for every character (only empty ones unless ``overwrite``); returns
    {character_id: card}. When a text model is set up, its reading of the script gives the
    description hints; without one (or when it fails) the breakdown's own hints are used."""

    project = get_project(project_id=project_id)
    try:
        hints = _model_descriptions(project_id)
    except ProviderError:  # the offline card is always available
        hints = {}
    cards: dict[str, str] = {}
    for c in list_cast(project_id=project_id):
        if c.style_card and not overwrite:
            continue
        card = local_style_card(name=c.name, description=hints.get(c.name.upper()) or c.description, genre=project.genre)
        update_character(project_id=project_id, character_id=c.character_id, style_card=card)
        cards[c.character_id] = card
    return cards


# --- reference images ---------------------------------------------------------------------------
def add_reference_upload(*, project_id: int, character_id: str, data: bytes, filename: str = "") -> MediaAsset:
    """Store an uploaded picture as an image asset and add it to the character's references;
    returns the asset. Raises InvalidInput (not a decodable image, over the pixel limit), NotFound."""

    checked = check_media_bytes(data=data, expect="image", field="reference_images")
    character = get_character(project_id=project_id, character_id=character_id)
    asset = create_asset(type="image", project_id=project_id, data=data, mime=checked.mime, operation="upload",
                         character_id=character_id, label=f"{character.name} reference", **checked.asset_fields())
    pick_reference(project_id=project_id, character_id=character_id, media_id=asset.media_id)
    return asset


def pick_reference(*, project_id: int, character_id: str, media_id: str) -> Character:
    """Add an image asset (an upload or a chosen portrait candidate) to the character's references."""

    if get_asset(media_id=media_id).type != "image":
        raise InvalidInput("a reference must be an image", field="media_id")
    c = get_character(project_id=project_id, character_id=character_id)
    refs = [r for r in c.reference_images if r != media_id] + [media_id]
    return update_character(project_id=project_id, character_id=character_id, reference_images=refs)


def remove_reference(*, project_id: int, character_id: str, media_id: str) -> Character:
    """Drop one reference image from a character (the asset stays in the library)."""
    c = get_character(project_id=project_id, character_id=character_id)
    return update_character(project_id=project_id, character_id=character_id,
                            reference_images=[r for r in c.reference_images if r != media_id])


def portrait_candidates(*, project_id: int, character_id: str, provider: str, model: str,
                        count: int = 2, params: dict | None = None) -> list[Job]:
    """Submit ``count`` portrait candidates on an image model (different seeds) and return the Jobs;
    the user keeps one with :func:`pick_reference`."""

    if not 1 <= count <= 4:
        raise InvalidInput("count must be between 1 and 4", field="count")
    cap = get_registry().get(provider=provider, model=model)
    seed_param = cap.field_for_role("seed")
    jobs = []
    for i in range(count):
        p = dict(params or {})
        if seed_param:
            p[seed_param] = random.randrange(1, 2**31 - 1)
        aspect = cap.field_for_role("aspect_ratio")
        if aspect and cap.field(aspect) and "1:1" in (cap.field(aspect).enum or []):
            p.setdefault(aspect, "1:1")
        jobs.append(generate_image(provider=provider, model=model, params=p, project_id=project_id,
                                   character_id=character_id, force=True))
    return jobs


# --- voices -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VoiceChoice:
    provider: str
    voice_id: str
    label: str


def _voice_providers() -> list[str]:
    """Providers with a text-to-speech model whose adapter can list voices (the offline one first)."""
    names = {cap.provider for cap in get_registry().list(media_type="voice", operation="tts")}
    with_lists = [p for p in names if hasattr(get_adapter(p), "list_voices")]
    return sorted(with_lists, key=lambda p: (not getattr(get_adapter(p), "in_process", False), p))


def voice_choices(*, provider: str) -> list[VoiceChoice]:
    """Return the voices of ``provider`` (its adapter's ``list_voices``). Raises InvalidInput for a
    provider without a voice list or without its settings (naming them), ProviderError when the
    list cannot be fetched."""
    if provider not in _voice_providers():
        raise InvalidInput(f"{provider} has no voice list", field="voice_provider")
    adapter = get_adapter(provider)
    missing = [s for s in getattr(adapter, "credential_settings", ()) if not get_setting(setting=s)]
    if missing:
        raise InvalidInput(f"{provider} voices need {', '.join(missing)}", field="voice_provider")
    return [VoiceChoice(provider, v["voice_id"], v["name"]) for v in adapter.list_voices()]


def voice_label(*, voice_id: str) -> str:
    """Return how a voice is named on screen: an offline voice by its name ("Warm — relaxed light
    tenor"), another provider's voice by its id (naming those takes the provider's list), and
    "not set" for none."""
    if not voice_id:
        return "not set"
    local = LOCAL_VOICES.get(voice_id)
    return local.label if local else voice_id


def available_voice_providers() -> list[str]:
    """Return the providers whose voice list can be shown now (local always first)."""
    return [p for p in _voice_providers()
            if all(get_setting(setting=s) for s in getattr(get_adapter(p), "credential_settings", ()))]


def ensure_voices(*, project_id: int) -> dict[str, str]:
    """Give every character without a voice a local voice that fits their gender and age as the
    script tells them, distinct from the rest of the cast; returns {character_id: voice} of those
    given one now (see ``core.generation.voiceover.assign_cast_voices``)."""
    before = {c.character_id: c.voice_id for c in list_cast(project_id=project_id)}
    assign_cast_voices(project_id=project_id)
    return {c.character_id: c.voice_id for c in list_cast(project_id=project_id)
            if not before.get(c.character_id) and c.voice_id}


def preview_line(*, character: Character) -> str:
    """Return the line a voice preview speaks: the character's first line, else a greeting."""
    return f"Hello, I'm {character.name.title()}. This is how I sound."


def preview_voice(*, project_id: int, character_id: str, text: str | None = None) -> Job:
    """Submit a spoken preview in the character's voice (the project's voice model when it belongs
    to the character's voice provider, else that provider's first TTS model); returns the Job."""

    project = get_project(project_id=project_id)
    c = get_character(project_id=project_id, character_id=character_id)
    provider = c.voice_provider or project.voice_provider
    model = {project.voice_provider: project.voice_model}.get(provider)
    if model is None:
        caps = get_registry().list(provider=provider, operation="tts")
        if not caps:
            raise InvalidInput(f"{provider} has no text-to-voice model", field="voice_provider")
        model = caps[0].model
    return tts(provider=provider, model=model, text=text or preview_line(character=c), character_id=character_id,
               project_id=project_id)
