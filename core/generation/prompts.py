"""Prompt builder: world style + scene details + camera/shot type + character style (DESIGN §5).

The result is structured (``PromptParts``) so that generation can fill any model's parameters by
role: every model gets ``prompt``; a model whose schema declares roles such as ``shot_type``,
``location`` or ``character_styles`` (the local provider does) gets those parts as well. The
built prompt is shown on the shot card and can be overridden per shot (``Shot.prompt``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.models import Character, Project, Scene, Shot
from core.story.people import crowd_in, subject_of
from core.story.places import is_interior, light_of, place_kind

# Preset name → the words image models respond to for that look.
ART_STYLES: dict[str, str] = {
    "3D cartoon": "3D cartoon, soft global illumination, rounded shapes, vibrant colours",
    "Anime": "anime, cel shading, clean line art, expressive eyes",
    "Watercolor": "watercolor painting, soft washes, paper texture, muted palette",
    "Film noir": "film noir, black and white, hard shadows, venetian-blind light, 1940s",
    "Photoreal": "photorealistic, natural light, 35mm film grain, shallow depth of field",
    "Claymation": "claymation, stop-motion clay figures, fingerprint texture, miniature sets",
}

def art_style_text(*, art_style: str) -> str:
    """Return the words for a preset name, or the free text itself."""
    return ART_STYLES.get(art_style, art_style).strip()


# How each shot type reads in a prompt: image models respond to photographic vocabulary.
SHOT_PHRASES = {
    "extreme wide": "extreme wide shot, tiny figures in a vast space",
    "wide": "wide shot showing the whole setting",
    "full": "full shot, figures head to toe",
    "medium": "medium shot, waist up",
    "medium close-up": "medium close-up, chest up",
    "close-up": "close-up on the face",
    "extreme close-up": "extreme close-up detail",
    "over-the-shoulder": "over-the-shoulder shot",
    "two-shot": "two-shot, both characters in frame",
    "POV": "point-of-view shot",
    "insert": "insert shot of an object",
    "establishing": "establishing shot of the location",
}
CAMERA_PHRASES = {
    "push_in": "slow push in", "pull_out": "slow pull out", "pan_left": "pan left", "pan_right": "pan right",
    "tilt_up": "tilt up", "tilt_down": "tilt down", "truck_left": "truck left", "truck_right": "truck right",
    "static": "static camera",
}


@dataclass
class PromptParts:
    """A built prompt plus the structured parts it was made from (filled into params by role)."""

    prompt: str
    parts: dict = field(default_factory=dict)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def character_line(c: Character, *, said: str = "") -> str:
    """``NAME: appearance`` from the whole style card (or, without one, the whole description),
    plus style tokens; a card that starts by repeating the name does not repeat it here. The card's
    own ";" become "," so a list of people ("A: …; B: …") still splits only between people.
    Description sentences the prompt already ``said`` (a description taken from the very action
    of the shot: "MAYA waits by door 1.") are left out rather than repeated."""
    look = c.style_card or c.description or ""
    look = re.sub(rf"^\s*{re.escape(c.name)}\b[\s,:;.-]*", "", " ".join(look.split()), flags=re.I)
    if said and not c.style_card:
        told = _plain(said)
        pieces = [re.sub(rf"^\s*{re.escape(c.name)}\b[\s,:;.-]*", "", x, flags=re.I) for x in re.split(r"\s*;\s*", look)]
        look = "; ".join(x for x in pieces if _plain(x) and _plain(x) not in told)
    look = re.sub(r"\s*;\s*", ", ", look)
    tokens = re.sub(r"\s*;\s*", ", ", (c.style_tokens or "").strip())
    text = ", ".join(x.strip(" .;,") for x in (look, tokens) if x.strip(" .;,"))
    return f"{c.name}: {text}" if text else c.name


def shot_characters(*, shot: Shot, cast: list[Character]) -> list[Character]:
    """The cast members who appear in a shot (by name, case-insensitive), in shot order."""
    by_name = {c.name.upper(): c for c in cast}
    return [by_name[n.upper()] for n in shot.characters if n.upper() in by_name]


def build_keyframe_prompt(*, project: Project, scene: Scene, shot: Shot, cast: list[Character]) -> PromptParts:
    """Return the keyframe prompt for a shot; ``shot.prompt`` (a user override) wins when set."""
    people = shot_characters(shot=shot, cast=cast)
    inside = {"INT": "interior", "EXT": "exterior", "I/E": "interior and exterior", "INT/EXT": "interior and exterior",
              "EST": "exterior"}.get((scene.int_ext or "").upper().rstrip("."), "")
    setting = ", ".join(x for x in (inside, (scene.location or scene.heading).lower()) if x).strip()
    pieces = [
        _style_phrase(project),
        SHOT_PHRASES.get(shot.shot_type, shot.shot_type),
        f"{setting}, {scene.time_of_day.lower()}" if scene.time_of_day else setting,
        shot.action.strip().rstrip("."),
        "; ".join(character_line(c, said=shot.action) for c in people),
        project.style_card.strip(),
    ]
    built = ". ".join(p.strip().rstrip(".;") for p in pieces if p.strip()) + "."
    kind = place_kind(scene.location or scene.heading, int_ext=scene.int_ext or "")
    parts = {
        "shot_type": shot.shot_type,
        "location": scene.location or scene.heading,
        "time_of_day": light_of(scene.time_of_day) or "day",
        "set": kind or "neutral",
        "interior": is_interior(kind, int_ext=scene.int_ext or ""),
        # What an empty shot or an insert is about ("The cat freezes" → cat; "picks up the phone").
        "subject": subject_of(shot.action) if not people or shot.shot_type == "insert" else "",
        "crowd": crowd_in(shot.action),
        "characters": [c.name for c in people],
        "character_styles": "; ".join(character_line(c, said=shot.action) for c in people),
        "caption": shot.action,
        "aspect_ratio": project.aspect_ratio,
    }
    return PromptParts(prompt=shot.prompt.strip() or built, parts=parts)


def build_video_prompt(*, project: Project, scene: Scene, shot: Shot, cast: list[Character]) -> PromptParts:
    """Return the image→video prompt: the keyframe prompt plus camera move and spoken lines."""
    base = build_keyframe_prompt(project=project, scene=scene, shot=shot, cast=cast)
    extra = [CAMERA_PHRASES.get(shot.camera_move, shot.camera_move)]
    lines = [f'{d.get("character", "")} says: "{d.get("text", "")}"' for d in (shot.dialogue or []) if d.get("text")]
    if lines:
        extra.append(" ".join(lines))
    prompt = base.prompt if shot.prompt.strip() else f"{base.prompt} {'. '.join(extra)}."
    parts = dict(base.parts, camera_move=shot.camera_move, duration=shot.duration_s)
    return PromptParts(prompt=prompt, parts=parts)


def _style_phrase(project: Project) -> str:
    """The art-style words every prompt starts with: a preset expands to its words (as for portraits)."""
    style = art_style_text(art_style=project.art_style or "")
    return f"{style} style" if style else ""


def portrait_prompt(*, project: Project, character: Character) -> str:
    """Return the prompt of a character portrait: art style, framing, appearance, tokens."""
    look = (character.style_card or character.description or character.name).strip()
    bits = [_style_phrase(project), "character reference portrait, medium close-up, neutral background",
            look, character.style_tokens.strip()]
    return ". ".join(b for b in bits if b) + "."
