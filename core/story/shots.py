"""Shot planning: from a scene's beats to a few typed shot proposals, then timing to a target.

Durations: dialogue at ~2.5 words per second, action at ~3 words per second (capped), then every
shot is scaled so the film lands near the target length, each shot clamped to 1.5–12 s. When a long
script meets a short target, shots within a scene are merged (fewer shots per scene) before any
shot would go below 1.5 s; scenes themselves are never dropped, so a script with more scenes than
the target can hold at 1.5 s per scene runs long, and a note says so.
"""
from __future__ import annotations

import re

from core.story.models import MAX_SHOT_S, MIN_SHOT_S, DialogueLine, ShotProposal
from core.story.prose import is_narration
from core.story.people import resolve_pronouns
from core.story.scenes import EDIT_KINDS, Beat, RawScene
from core.story.transitions import attach_edits

WORDS_PER_S_DIALOGUE = 2.5
WORDS_PER_S_ACTION = 3.0
MAX_SHOTS_PER_SCENE = 6

_OBJECT_WORDS = re.compile(
    r"\b(card|letter|phone|gun|pistol|watch|clock|photo|photograph|note|key|keys|ring|screen|sign|"
    r"envelope|map|book|knife|sword|bottle|glass|chain|combs?|coins?|money|briefcase|button|"
    r"document|file|picture|scope|hand|hands|reads|label|badge|dial)\b", re.I)
_MOTION_WORDS = re.compile(
    r"\b(runs?|walks?|enters?|exits?|drives?|crosses|races?|chases?|falls?|jumps?|climbs?|rushes|"
    r"speeds?|arrives?|leaves|storms?|approaches|flees|cruises|marches|dances?|fights?)\b", re.I)
_EMOTION_WORDS = re.compile(
    r"\b(tears?|cries|crying|sobs?|stares?|smiles?|trembles?|whispers?|eyes|gasps?|frowns?|"
    r"laughs?|furious|afraid|scared|love|hate|sorry|please|kiss|kisses|terrified|shock)\b", re.I)
_VISTA_WORDS = re.compile(
    r"\b(bridge|city|skyline|river|ocean|sea|mountains?|valley|desert|forest|field|sky|town|"
    r"highway|harbor|harbour|coast|horizon|landscape|street|village)\b", re.I)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")
_ALTERNATIVE = {
    "medium": "medium close-up", "medium close-up": "medium", "close-up": "medium close-up",
    "wide": "full", "full": "medium", "over-the-shoulder": "two-shot", "two-shot": "over-the-shoulder",
    "insert": "extreme close-up", "establishing": "wide", "extreme wide": "wide", "POV": "medium",
    "extreme close-up": "close-up",
}


_OFFSCREEN = ("V.O.", "O.S.", "O.C.", "VO", "OS")


def _words(text: str) -> int:
    return len(text.split())


def beat_duration(beat: Beat) -> float:
    """Return the raw seconds a beat needs on screen (dialogue by word rate, action capped)."""
    if beat.kind == "dialogue":
        return max(1.5, _words(beat.text) / WORDS_PER_S_DIALOGUE + 0.5)
    return min(8.0, max(2.0, _words(beat.text) / WORDS_PER_S_ACTION))


def one_line(text: str, limit: int = 140) -> str:
    """Return ``text`` on one line: as many whole sentences as fit in ``limit`` characters (at
    least the first, cut with … when it alone is longer). Later sentences often carry the shot's
    real action ("Wind howls. TOM holds up a bottle."), so they are kept while they fit."""
    flat = " ".join(text.split())
    if not flat:
        return ""
    sentences = _SENTENCE_RE.split(flat)
    line = sentences[0]
    if len(line) > limit:
        return line[:limit - 1].rsplit(" ", 1)[0] + "…"
    for sentence in sentences[1:]:
        if len(line) + 1 + len(sentence) > limit:
            break
        line = f"{line} {sentence}"
    return line


class _Group:
    """Beats that will become one shot."""

    def __init__(self, beats: list[Beat]):
        self.beats = beats

    @property
    def duration(self) -> float:
        # Narration is read over its action: the reading time is the shot's time, not both.
        narrated = any(is_narration(b) for b in self.beats)
        return sum(beat_duration(b) for b in self.beats if not (narrated and b.kind == "action"))

    @property
    def kind(self) -> str:
        return "dialogue" if any(b.kind == "dialogue" and not is_narration(b) for b in self.beats) else "action"


def _group_beats(beats: list[Beat], exchange: int = 2) -> list[_Group]:
    """Return shot groups: each action paragraph alone (with the narration read over it); dialogue
    in exchanges of up to ``exchange`` blocks."""
    groups: list[_Group] = []
    for beat in beats:
        last = groups[-1] if groups else None
        if is_narration(beat) and last is not None and last.beats[-1].kind == "action":
            last.beats.append(beat)
            continue
        if (beat.kind == "dialogue" and not is_narration(beat) and last is not None and last.kind == "dialogue"
                and all(b.kind == "dialogue" for b in last.beats) and len(last.beats) < exchange):
            last.beats.append(beat)
        else:
            groups.append(_Group([beat]))
    return groups


def _merge_smallest(groups: list[_Group]) -> None:
    """Merge, in place, the adjacent pair of groups with the smallest combined duration."""
    best = min(range(len(groups) - 1), key=lambda i: groups[i].duration + groups[i + 1].duration)
    groups[best] = _Group(groups[best].beats + groups[best + 1].beats)
    del groups[best + 1]


def _mentions(text: str, names: list[str]) -> list[str]:
    found = []
    for name in names:
        if re.search(r"(?<![\w'])" + re.escape(name) + r"(?![\w'])", text, re.I):
            found.append(name)
    return found


def _shot_type(group: _Group, *, index: int, int_ext: str, first_scene: bool, exchange_no: int) -> str:
    text = " ".join(b.text for b in group.beats)
    speakers = list(dict.fromkeys(b.character for b in group.beats if b.kind == "dialogue"
                                  and not any(e in _OFFSCREEN for e in b.extensions)))
    if index == 0 and group.kind == "action":
        if "POV" in text:
            return "POV"
        if int_ext == "EXT" or first_scene:
            return "extreme wide" if _VISTA_WORDS.search(text) and int_ext == "EXT" else "establishing"
        return "wide"
    if group.kind == "dialogue":
        if len(speakers) >= 2:
            return "over-the-shoulder" if exchange_no % 2 == 0 else "two-shot"
        beat = next((b for b in group.beats if b.kind == "dialogue" and b.character in speakers),
                    next(b for b in group.beats if b.kind == "dialogue"))
        if any(e in ("V.O.", "O.S.", "O.C.") for e in beat.extensions):
            return "medium" if index else "wide"
        if beat.parenthetical or _EMOTION_WORDS.search(beat.text) or _words(beat.text) <= 6:
            return "close-up"
        return "medium close-up" if _words(beat.text) <= 25 else "medium"
    if "POV" in text:
        return "POV"
    if _OBJECT_WORDS.search(text) and _words(text) <= 40:
        return "insert"
    if _MOTION_WORDS.search(text):
        return "full" if _words(text) <= 30 else "wide"
    if _EMOTION_WORDS.search(text):
        return "close-up"
    return "medium"


def plan_scene_shots(scene: RawScene, *, int_ext: str, first_scene: bool, known_names: list[str],
                     max_shots: int = MAX_SHOTS_PER_SCENE, exchange: int = 2,
                     genders: dict[str, str] | None = None) -> list[ShotProposal]:
    """Return up to ``max_shots`` proposals for one scene with raw (unscaled) durations.

    A shot's characters are its on-screen speakers, the characters its action names, and those
    its pronouns point to (``genders``: {NAME: "f"/"m"/""} helps she/he find the right one).
    A scene without beats gets one establishing/wide shot of its heading.
    """
    recent: list[str] = []
    every = [b for b in scene.beats if b.text.strip() or b.kind == "dialogue"]
    beats = [b for b in every if b.kind not in EDIT_KINDS]
    if not beats:
        beats = [Beat("action", scene.heading)]
        every = every + beats
    groups = _group_beats(beats, exchange)
    while len(groups) > max(1, max_shots):
        _merge_smallest(groups)
    shots: list[ShotProposal] = []
    exchange_no = 0
    for i, group in enumerate(groups):
        kind = _shot_type(group, index=i, int_ext=int_ext, first_scene=first_scene, exchange_no=exchange_no)
        if group.kind == "dialogue" and len({b.character for b in group.beats if b.kind == "dialogue"}) > 1:
            exchange_no += 1
        if shots and shots[-1].shot_type == kind:
            kind = _ALTERNATIVE.get(kind, "medium")
        dialogue = [DialogueLine(character=b.character, text=b.text, parenthetical=b.parenthetical,
                                 extensions=list(b.extensions))
                    for b in group.beats if b.kind == "dialogue"]
        speakers = list(dict.fromkeys(d.character for d in dialogue))
        # A voice from off screen or over the picture is heard, not seen: keep it out of the frame.
        on_screen = list(dict.fromkeys(b.character for b in group.beats if b.kind == "dialogue"
                                       and not any(e in _OFFSCREEN for e in b.extensions)))
        action_text = " ".join(b.text for b in group.beats if b.kind == "action")
        mentioned = _mentions(action_text, known_names)
        characters = list(dict.fromkeys(on_screen + mentioned))
        if action_text:  # "She sets a bowl in front of him." → the scene's LIN and DEV
            characters += [n for n in resolve_pronouns(text=action_text, recent=recent, genders=genders or {})
                           if n not in characters]
        # Only people seen on screen can be "she" or "they" later (a voice over is never drawn).
        recent = [n for n in recent if n not in characters] + characters
        if action_text:
            action = one_line(action_text)
        elif len(on_screen) > 1:
            action = f"{' and '.join(on_screen)} talk."
        elif on_screen and len(speakers) > 1:
            heard = [n for n in speakers if n not in on_screen]
            action = f"{on_screen[0]} speaks; {' and '.join(heard)} heard off screen."
        elif speakers:
            action = f"{speakers[0]} speaks."
        else:
            action = one_line(scene.heading)
        shots.append(ShotProposal(shot_type=kind, action=action, dialogue=dialogue,
                                  characters=characters, duration_s=round(group.duration, 2)))
    # Titles and transitions hang on the shots around them (by identity of each group's first beat).
    position = {id(b): i for i, b in enumerate(every)}
    attach_edits(beats=every, shots=shots, first_beat_of_shot=[position[id(g.beats[0])] for g in groups])
    return shots


def fit_to_target(durations: list[float], target_s: float) -> list[float]:
    """Return durations scaled so their sum is near ``target_s``, each clamped to 1.5–12 s.

    Finds by bisection the one scale factor ``k`` with ``sum(clamp(k * d)) == target`` (the clamped
    sum grows with ``k``), so proportions are kept wherever no clamp applies; the sum hits the target
    whenever ``n*1.5 <= target <= n*12``, otherwise every shot sits at the nearer bound.
    """
    if not durations:
        return []
    raw = [max(d, 0.01) for d in durations]

    def total(k: float) -> float:
        return sum(min(MAX_SHOT_S, max(MIN_SHOT_S, k * d)) for d in raw)

    lo, hi = 0.0, MAX_SHOT_S / min(raw) + 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if total(mid) < target_s:
            lo = mid
        else:
            hi = mid
    return [round(min(MAX_SHOT_S, max(MIN_SHOT_S, hi * d)), 2) for d in raw]
