"""Script → breakdown: scenes, shot proposals timed to a target length, and the cast.

``breakdown_script`` is the one entry point the Script/Breakdown pages, the HTTP API and the CLI use.
"""
from __future__ import annotations

import math
import re

from core.errors import InvalidInput
from core.story.camera import camera_move_for
from core.story.people import about, guess_genders
from core.story.places import carry_times
from core.story.fountain import is_scene_heading, parse_fountain
from core.story.importer import check_script_text
from core.story.models import MAX_SHOT_S, MIN_SHOT_S, Breakdown, CharacterInfo, SceneBreakdown
from core.story.prose import parse_prose
from core.story.scenes import RawScene, parse_heading, scenes_from_screenplay
from core.story.shots import MAX_SHOTS_PER_SCENE, fit_to_target, one_line, plan_scene_shots

MODES = ("auto", "fountain", "prose")
MIN_TARGET_S, MAX_TARGET_S = 5, 3600
MIN_FILM_S, MAX_FILM_S = 15, 600
AVG_SHOT_FLOOR_S = 2.5  # below this average, a film of many shots reads as a slideshow


def detect_mode(text: str) -> str:
    """Return "fountain" when the text looks like a screenplay (headings or character cues with
    dialogue), else "prose" when it has paragraphs of quoted speech or narration, else "fountain"."""
    sp = parse_fountain(text)
    headings = sum(1 for e in sp.elements if e.kind == "scene_heading")
    cues = sum(1 for e in sp.elements if e.kind == "character")
    if headings or cues >= 2:
        return "fountain"
    long_paragraphs = sum(1 for e in sp.elements if e.kind == "action" and len(e.text.split()) >= 25)
    quotes = len(re.findall(r"[\"“”]", text))
    return "prose" if long_paragraphs >= 2 or quotes >= 4 else "fountain"


READ_WORDS_PER_S = 2.5  # a calm reading voice (150 words a minute), as the shot timing assumes
SECONDS_PER_SCENE = 15


def default_length_s(*, text: str) -> int:
    """Return the film length (seconds, 15–600) a script asks for when nobody sets one: a story in
    prose is read aloud whole (narration and speech), so its length is its reading time; a
    screenplay gets its dialogue's reading time, and at least 15 s per scene."""
    mode = detect_mode(text)
    if mode == "prose":
        _, scenes = parse_prose(text)
        words = sum(len(b.text.split()) for sc in scenes for b in sc.beats if b.kind == "dialogue")
        seconds = words / READ_WORDS_PER_S
    else:
        scenes = scenes_from_screenplay(parse_fountain(text))
        spoken = sum(len(b.text.split()) for sc in scenes for b in sc.beats if b.kind == "dialogue")
        seconds = max(SECONDS_PER_SCENE * max(1, sum(1 for sc in scenes if sc.from_heading)),
                      spoken / READ_WORDS_PER_S)
    return int(min(max(round(seconds), MIN_FILM_S), MAX_FILM_S))


def _scene_summary(scene: RawScene) -> str:
    action = next((b.text for b in scene.beats if b.kind == "action" and b.text.strip()), "")
    speakers = list(dict.fromkeys(b.character for b in scene.beats if b.kind == "dialogue"))
    parts = [one_line(action, 160)] if action else []
    if speakers:
        parts.append("Speaking: " + ", ".join(speakers[:6]) + ("…" if len(speakers) > 6 else "") + ".")
    return " ".join(parts) or one_line(scene.heading)


def _collect_characters(scenes: list[RawScene]) -> list[CharacterInfo]:
    """Return speaking characters in order of first line, names merged case-insensitively."""
    found: dict[str, CharacterInfo] = {}
    for index, scene in enumerate(scenes):
        for beat in scene.beats:
            if beat.kind != "dialogue" or not beat.character:
                continue
            key = beat.character.upper()
            info = found.get(key)
            if info is None:
                info = found[key] = CharacterInfo(name=beat.character, first_scene=index)
            info.dialogue_blocks += 1
    sentences = [s for sc in scenes for b in sc.beats if b.kind == "action"
                 for s in re.split(r"(?<=[.!?])\s+", " ".join(b.text.split())) if s]
    lowered = [s.lower() for s in sentences]
    found_names = [i.name for i in found.values()]
    for info in found.values():
        pattern = re.compile(r"(?<![\w'])" + re.escape(info.name) + r"(?![\w'])", re.I)
        needle = info.name.lower()
        # The substring test is a cheap filter; the regex then insists on whole words.
        hits = [s for s, low in zip(sentences, lowered) if needle in low and pattern.search(s)]
        # An introduction in capitals ("WILL BLOOM, AGE 3, listens…") describes best; put it first.
        hits.sort(key=lambda s: 0 if info.name.upper() in s and info.name.upper() != info.name.lower() else 1)
        told = [s for sc in scenes for s in sc.descriptions.get(info.name, [])]  # under another name
        hits = [about(h, info.name, list(found_names)) for h in hits]  # never another character's looks
        info.description = list(dict.fromkeys(one_line(h, 200) for h in told + hits))[:3]
    return list(found.values())


def _shot_quota(raw: list[float], budget: int, cap: int) -> list[int]:
    """Return shots allowed per scene: one each, the rest of ``budget`` shared by raw length
    (largest remainder), never more than ``cap`` per scene."""
    quota = [1] * len(raw)
    spare = budget - len(raw)
    total = sum(raw) or 1.0
    while spare > 0:
        wants = [(r / total * budget - q, i) for i, (r, q) in enumerate(zip(raw, quota)) if q < cap]
        if not wants:
            break
        _, best = max(wants)
        quota[best] += 1
        spare -= 1
    return quota


def _relax_headings(text: str) -> str:
    """Return ``text`` with a blank line inserted after every heading-like line that lacks one."""
    lines = text.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if is_scene_heading(line) and line.strip() == line.strip().upper() and nxt.strip():
            out.append("")
    return "\n".join(out)


def breakdown_script(*, text: str, target_length_s: int = 120, mode: str = "auto") -> Breakdown:
    """Break a script down into scenes, timed shot proposals and characters.

    ``mode`` is "auto" (detects screenplay vs prose), "fountain" or "prose".

    Returns:
        Breakdown whose shot durations add up to about ``target_length_s``.
    Raises:
        InvalidInput(field="script"): empty or oversized text.
        InvalidInput(field="target_length_s" | "mode"): out-of-range target or unknown mode.
    """
    text = check_script_text(text=text)
    if mode not in MODES:
        raise InvalidInput(f"mode must be one of {', '.join(MODES)}; got {mode!r}.", field="mode")
    if not isinstance(target_length_s, (int, float)) or not MIN_TARGET_S <= target_length_s <= MAX_TARGET_S:
        raise InvalidInput(f"target_length_s must be between {MIN_TARGET_S} and {MAX_TARGET_S} seconds; "
                           f"got {target_length_s!r}.", field="target_length_s")
    if mode == "auto":
        mode = detect_mode(text)
    notes: list[str] = []
    if mode == "fountain":
        sp = parse_fountain(text)
        title = sp.title
        raw_scenes = scenes_from_screenplay(sp)
        if not any(s.from_heading for s in raw_scenes):
            # Many hand-typed scripts put action right under "INT. KITCHEN - NIGHT" with no blank
            # line, which Fountain reads as action. When the strict reading finds no heading at
            # all, accept such lines as headings rather than collapse the film into one scene.
            relaxed = _relax_headings(text)
            if relaxed != text:
                sp = parse_fountain(relaxed)
                raw_scenes = scenes_from_screenplay(sp)
                if any(s.from_heading for s in raw_scenes):
                    notes.append("Scene headings had no blank line after them; they were read as headings anyway.")
        if not any(s.from_heading for s in raw_scenes):
            notes.append("No scene headings found: the script is treated as one scene.")
    else:
        title, raw_scenes = parse_prose(text)
        notes.append(f"Prose mode: {len(raw_scenes)} scenes cut at paragraph breaks with place/time cues.")
    if not raw_scenes:
        raw_scenes = [RawScene(heading=title.upper() or "SCENE 1", from_heading=False)]
    characters = _collect_characters(raw_scenes)
    names = sorted((c.name for c in characters), key=len, reverse=True)

    genders = guess_genders(paragraphs=[b.text for sc in raw_scenes for b in sc.beats if b.kind == "action"],
                            names=[c.name for c in characters])
    headings = [parse_heading(raw.heading) if raw.from_heading else ("", "", "") for raw in raw_scenes]
    times = carry_times([h[2] for h in headings])  # CONTINUOUS / LATER / no time: the previous scene's

    def plan(quota: list[int], exchange: int = 2) -> list[SceneBreakdown]:
        out = []
        for i, (raw, q) in enumerate(zip(raw_scenes, quota)):
            int_ext, location, _written = headings[i]
            time = times[i]
            shots = plan_scene_shots(raw, int_ext=int_ext, first_scene=(i == 0), known_names=names, max_shots=q,
                                     exchange=exchange, genders=genders)
            out.append(SceneBreakdown(heading=raw.heading, location=location or raw.heading.title(),
                                      time_of_day=time, int_ext=int_ext, summary=_scene_summary(raw),
                                      shots=shots, from_heading=raw.from_heading))
        return out

    scenes = plan([MAX_SHOTS_PER_SCENE] * len(raw_scenes))
    budget = max(len(scenes), math.floor(target_length_s / AVG_SHOT_FLOOR_S))
    if sum(len(s.shots) for s in scenes) > budget:
        scenes = plan(_shot_quota([s.duration_s for s in scenes], budget, MAX_SHOTS_PER_SCENE))
        notes.append(f"Target {target_length_s} s holds about {budget} shots of ≥{AVG_SHOT_FLOOR_S:g} s on "
                     f"average, so shots were merged: fewer shots per scene, every scene kept.")
    elif sum(len(s.shots) for s in scenes) * MAX_SHOT_S < target_length_s:
        # A long target for a short script: one dialogue block per shot and more shots per scene
        # (coverage), so no shot has to exceed 12 s.
        scenes = plan([2 * MAX_SHOTS_PER_SCENE] * len(raw_scenes), exchange=1)
    shots = [sh for sc in scenes for sh in sc.shots]
    for shot, seconds in zip(shots, fit_to_target([sh.duration_s for sh in shots], target_length_s)):
        shot.duration_s = seconds
    for n, shot in enumerate(shots):
        shot.camera_move = camera_move_for(shot_type=shot.shot_type, action=shot.action, index=n,
                                           last=n == len(shots) - 1, dialogue=bool(shot.dialogue))
    total = sum(sh.duration_s for sh in shots)
    if len(shots) * MIN_SHOT_S > target_length_s:
        notes.append(f"{len(scenes)} scenes need at least {len(shots) * MIN_SHOT_S:g} s at {MIN_SHOT_S:g} s "
                     f"per shot; the film runs {total:.0f} s instead of {target_length_s} s. Shorten the "
                     f"script or raise the target length.")
    elif total < target_length_s * 0.9:
        notes.append(f"The script's {len(shots)} shots reach only {total:.0f} s at 12 s per shot; "
                     f"add material or lower the target length.")
    return Breakdown(title=title, mode=mode, target_length_s=int(target_length_s), scenes=scenes,
                     characters=characters, notes=notes)
