"""Storing a breakdown as editable Scene/Shot/Character rows, and the shot-card edits
(edit, add, delete, reorder, split, merge)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from anyascii import anyascii
from sqlmodel import delete, select

from core.accounts.activity import record
from core.db import session
from core.errors import InvalidInput, NotFound, ProviderError
from core.jobs.text import is_offline, run_text, text_models
from core.models import Character, Scene, Shot, TimelineItem
from core.projects import get_project
from core.scripts import latest_version
from core.story.breakdown import breakdown_script
from core.story.models import SHOT_TYPES, Breakdown

MIN_SHOT_S, MAX_SHOT_S = 0.5, 60.0


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def character_slug(name: str) -> str:
    """Stable character id from a name in any script: transliterated to ASCII (``anyascii``:
    "健二" → "jianer", "דוד" → "dvd"), lower-case, dashes; a name with nothing left (only symbols)
    gets ``c-`` and a short stable hash of the name. See :func:`unique_character_id` for ids
    that must not collide within a project."""
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-")[:48].strip("-")
    return slug or f"c-{_short_hash(name)}"


def _short_hash(name: str) -> str:
    return hashlib.sha256(_name_key(name).encode("utf-8", "surrogatepass")).hexdigest()[:8]


def unique_character_id(*, name: str, taken: dict[str, str]) -> str:
    """Return the id for ``name`` given the ids already ``taken`` in the project (id → name): its
    slug, or, when another name already holds that slug, the slug plus a short stable hash of the
    name. The same name (ignoring case and spacing) always gets its existing id."""
    for cid, other in taken.items():
        if _name_key(other) == _name_key(name):
            return cid
    slug = character_slug(name)
    if slug not in taken:
        return slug
    return f"{slug[:39]}-{_short_hash(name)}"


def character_id_for(*, project_id: int, name: str) -> str | None:
    """Return the id of the project's character called ``name`` (ignoring case and spacing), or None."""
    key = _name_key(name or "")
    with session() as s:
        rows = s.exec(select(Character).where(Character.project_id == project_id)).all()
    return next((c.character_id for c in rows if _name_key(c.name) == key), None) if key else None


@dataclass
class SceneCards:
    scene: Scene
    shots: list[Shot] = field(default_factory=list)


# The local parser's modes; every text model with a "breakdown" operation that is set up is a mode
# too, named "provider/model" (it runs as a job; see core.jobs.text).
LOCAL_MODES = ("auto", "fountain", "prose")


def breakdown_modes() -> list[str]:
    """Return the breakdown modes available now: the local parser's, then the set-up remote models'."""
    return [*LOCAL_MODES, *(f"{c.provider}/{c.model}" for c in text_models(operation="breakdown")
                            if not is_offline(c))]


def model_breakdown(*, text: str, target_length_s: int, name: str | None = None,
                    project_id: int | None = None) -> Breakdown:
    """Return a Breakdown made by a text model (``name``: "provider/model" or a provider; default:
    the first set up). Raises InvalidInput, MissingCredentials, ProviderError (also for an answer
    that does not fit the breakdown shape)."""
    cap, data = run_text(operation="breakdown", name=name, project_id=project_id,
                         params={"text": text, "target_length_s": int(target_length_s)})
    try:
        return Breakdown.model_validate({"title": data.get("title", ""), "mode": "fountain",
                                         "target_length_s": int(target_length_s), "scenes": data.get("scenes", []),
                                         "characters": data.get("characters", []),
                                         "notes": [f"Breakdown by {cap.title or cap.model}."]})
    except ValueError as exc:  # pydantic's ValidationError
        raise ProviderError(f"{cap.model}'s breakdown does not fit the breakdown shape: {exc}",
                            provider=cap.provider) from None


def run_breakdown(*, project_id: int, mode: str = "auto") -> list[SceneCards]:
    """Break the project's newest script into scenes, shots and characters and store them.

    Replaces the project's scenes and shots (generated media stays in the library); characters are
    merged by id so edits to existing ones (style card, voice, references) are kept.
    ``mode`` is a local parser mode or a text model of :func:`breakdown_modes` ("google/…").
    Returns the stored scene cards. Raises InvalidInput when the project has no script, and
    MissingCredentials/ProviderError from a remote engine (nothing is replaced then).
    """

    project = get_project(project_id=project_id)
    version = latest_version(project_id=project_id)
    if version is None:
        raise InvalidInput("There is no script yet: write, paste or import one on the Script step.", field="script")
    if mode not in LOCAL_MODES:
        bd = model_breakdown(text=version.text, target_length_s=project.target_length_s, name=mode,
                             project_id=project_id)
    else:
        bd = breakdown_script(text=version.text, target_length_s=project.target_length_s, mode=mode)
    with session() as s:
        old = s.exec(select(Shot).where(Shot.project_id == project_id)).all()
        _drop_sounds(s, [shot.id for shot in old])
        for shot in old:
            s.delete(shot)
        for scene in s.exec(select(Scene).where(Scene.project_id == project_id)).all():
            s.delete(scene)
        s.flush()
        record(s, project_id=project_id, action="breakdown", ref=version.id,
               subject=f"broke script v{version.number} down ({mode}): {len(bd.scenes)} scenes, "
                       f"{sum(len(sc.shots) for sc in bd.scenes)} shots")
        for i, sc in enumerate(bd.scenes):
            scene = Scene(project_id=project_id, order=i, heading=sc.heading, location=sc.location or "",
                          time_of_day=sc.time_of_day or "", int_ext=sc.int_ext or "", summary=sc.summary or "")
            s.add(scene)
            s.flush()
            for j, sh in enumerate(sc.shots):
                s.add(Shot(project_id=project_id, scene_id=scene.id, order=j, shot_type=sh.shot_type,
                           action=sh.action, duration_s=float(sh.duration_s),
                           dialogue=[d.model_dump() for d in sh.dialogue], characters=list(sh.characters),
                           camera_move=getattr(sh, "camera_move", None) or "push_in", params=_edit_params(sh)))
        existing = {c.character_id: c for c in s.exec(select(Character).where(Character.project_id == project_id)).all()}
        taken = {cid: c.name for cid, c in existing.items()}
        for info in bd.characters:
            cid = unique_character_id(name=info.name, taken=taken)
            taken[cid] = info.name
            row = existing.get(cid)
            if row is None:
                row = Character(project_id=project_id, character_id=cid, name=info.name,
                                description="; ".join(info.description or [])[:500])
            row.dialogue_blocks = int(getattr(info, "dialogue_blocks", 0) or 0)
            s.add(row)
    return list_scene_cards(project_id=project_id)


def _edit_params(proposal) -> dict:
    """Shot.params["edit"]: the titles and transitions the script writes around a shot (only what
    differs from a plain cut), read by the timeline."""
    edit = {k: getattr(proposal, k, None) for k in ("transition_in", "transition_out", "titles_before",
                                                       "titles_after")}
    edit = {k: v for k, v in edit.items() if v and v != "cut"}
    return {"edit": edit} if edit else {}


def list_scene_cards(*, project_id: int) -> list[SceneCards]:
    """Return scenes in order, each with its shots in order."""
    with session() as s:
        scenes = s.exec(select(Scene).where(Scene.project_id == project_id).order_by(Scene.order)).all()
        shots = s.exec(select(Shot).where(Shot.project_id == project_id).order_by(Shot.order)).all()
    cards = {sc.id: SceneCards(scene=sc) for sc in scenes}
    for shot in shots:
        if shot.scene_id in cards:
            cards[shot.scene_id].shots.append(shot)
    return list(cards.values())


def list_shots(*, project_id: int) -> list[Shot]:
    """Return every shot of the project in film order."""
    return [shot for card in list_scene_cards(project_id=project_id) for shot in card.shots]


def shot_labels(*, project_id: int) -> dict[int, str]:
    """Return {shot id: "scene.shot"} (both from 1, e.g. "1.2"): the one shot numbering every page,
    message and list uses."""
    return {shot.id: f"{n}.{m}" for n, card in enumerate(list_scene_cards(project_id=project_id), 1)
            for m, shot in enumerate(card.shots, 1)}


def list_characters(*, project_id: int) -> list[Character]:
    with session() as s:
        return list(s.exec(select(Character).where(Character.project_id == project_id)
                           .order_by(Character.dialogue_blocks.desc(), Character.name)).all())


def _shot_in(s, shot_id: int) -> Shot:
    """The shot ``shot_id`` read through session ``s``; raises NotFound."""
    shot = s.get(Shot, shot_id)
    if shot is None:
        raise NotFound(f"No shot with id {shot_id}.", field="shot_id")
    return shot


def get_shot(*, shot_id: int) -> Shot:
    with session() as s:
        return _shot_in(s, shot_id)


EDITABLE = {"shot_type", "action", "dialogue", "characters", "duration_s", "camera_move", "prompt",
            "provider", "model", "params", "use_last_frame", "end_frame_media_id",
            "keyframe_media_id", "clip_media_id", "status"}


def update_shot(*, shot_id: int, **changes) -> Shot:
    """Change a shot card's fields; returns the shot. Raises InvalidInput naming a bad field."""

    for key in changes:
        if key not in EDITABLE:
            raise InvalidInput(f"Shot field {key!r} cannot be edited.", field=key)
    if "shot_type" in changes and changes["shot_type"] not in SHOT_TYPES:
        raise InvalidInput(f"Shot type must be one of: {', '.join(SHOT_TYPES)}.", field="shot_type")
    if "duration_s" in changes:
        d = float(changes["duration_s"])
        if not (MIN_SHOT_S <= d <= MAX_SHOT_S):
            raise InvalidInput(f"Shot duration must be between {MIN_SHOT_S} and {MAX_SHOT_S} s.", field="duration_s")
    with session() as s:
        shot = _shot_in(s, shot_id)
        changed = [k for k, v in changes.items() if getattr(shot, k) != v]
        for k, v in changes.items():
            setattr(shot, k, v)
        s.add(shot)
        _record_shot_change(s, shot=shot, changed=changed)
    return shot


VERSION_FIELDS = {"keyframe_media_id": "keyframe", "clip_media_id": "clip", "end_frame_media_id": "end frame"}


def _record_shot_change(s, *, shot: Shot, changed: list[str]) -> None:
    """Activity entries for a shot change: one per new version (keyframe, clip, end frame) and one for
    the card's other edits (its status alone is the job engine's bookkeeping, not a change)."""
    for key in changed:
        if key in VERSION_FIELDS:
            media_id = getattr(shot, key)
            record(s, project_id=shot.project_id, action="version", ref=media_id or shot.id,
                   subject=f"shot {shot.id}: {VERSION_FIELDS[key]} " + (f"set to {media_id[:8]}" if media_id else "removed"))
    edits = [k for k in changed if k not in VERSION_FIELDS and k != "status"]
    if edits:
        record(s, project_id=shot.project_id, action="shot", subject=f"shot {shot.id}: changed {', '.join(edits)}",
               ref=shot.id)


def _renumber(s, scene_id: int, ordered: list[Shot]) -> None:
    for i, shot in enumerate(ordered):
        shot.order = i
        shot.scene_id = scene_id
        s.add(shot)


def _scene_shots(s, scene_id: int) -> list[Shot]:
    return list(s.exec(select(Shot).where(Shot.scene_id == scene_id).order_by(Shot.order)).all())


def add_shot(*, scene_id: int, after_shot_id: int | None = None, shot_type: str = "medium",
             action: str = "", duration_s: float = 3.0) -> Shot:
    """Insert a new shot in a scene (after a given shot, else at the end); returns it."""
    with session() as s:
        scene = s.get(Scene, scene_id)
        if scene is None:
            raise NotFound(f"No scene with id {scene_id}.", field="scene_id")
        shots = _scene_shots(s, scene_id)
        new = Shot(project_id=scene.project_id, scene_id=scene_id, order=0, shot_type=shot_type,
                   action=action, duration_s=duration_s)
        s.add(new)
        s.flush()
        idx = next((i + 1 for i, sh in enumerate(shots) if sh.id == after_shot_id), len(shots))
        shots.insert(idx, new)
        _renumber(s, scene_id, shots)
    return new


def _drop_sounds(s, shot_ids: list[int]) -> None:
    """Take the voice lines and effects of shots that go away off the timeline (their media stays in
    the library; the film's music, which belongs to no shot, stays)."""
    if shot_ids:
        s.exec(delete(TimelineItem).where(TimelineItem.shot_id.in_(shot_ids)))


def _shift(extra: dict, *, line: int = 0, offset_s: float = 0.0) -> dict:
    """A sound row's extra with its dialogue line index and its offset in the shot (when it has one) moved."""
    out = dict(extra)
    if "line" in out:
        out["line"] = int(out["line"]) + line
    if out.get("offset_s") is not None:
        out["offset_s"] = round(max(float(out["offset_s"]) + offset_s, 0.0), 3)
    return out


def delete_shot(*, shot_id: int) -> None:
    """Delete a shot card and its voice lines and effects on the timeline (its media stays in the library)."""
    with session() as s:
        shot = _shot_in(s, shot_id)
        scene_id = shot.scene_id
        _drop_sounds(s, [shot.id])
        s.delete(shot)
        s.flush()
        _renumber(s, scene_id, _scene_shots(s, scene_id))


def move_shot(*, shot_id: int, delta: int) -> None:
    """Move a shot up (delta < 0) or down within its scene."""
    with session() as s:
        shot = _shot_in(s, shot_id)
        shots = _scene_shots(s, shot.scene_id)
        i = next(i for i, sh in enumerate(shots) if sh.id == shot_id)
        j = max(0, min(len(shots) - 1, i + delta))
        shots.insert(j, shots.pop(i))
        _renumber(s, shot.scene_id, shots)


def move_shot_to(*, shot_id: int, index: int) -> list[Shot]:
    """Move a shot to position ``index`` (from 0) in film order; returns the shots in their new
    order. A shot moved next to another scene's shots joins that scene (the scene of the shot now
    before it, or after it when it becomes the first). Raises NotFound for an unknown shot."""
    with session() as s:
        moving = _shot_in(s, shot_id)
        scenes = s.exec(select(Scene).where(Scene.project_id == moving.project_id).order_by(Scene.order)).all()
        flat = [sh for sc in scenes for sh in _scene_shots(s, sc.id)]
        flat = [sh for sh in flat if sh.id != shot_id]
        index = max(0, min(len(flat), int(index)))
        flat.insert(index, moving)
        neighbour = flat[index - 1] if index > 0 else (flat[1] if len(flat) > 1 else moving)
        moving.scene_id = neighbour.scene_id
        for sc in scenes:
            _renumber(s, sc.id, [sh for sh in flat if sh.scene_id == sc.id])
        order = [sh.id for sh in flat]
    return [get_shot(shot_id=i) for i in order]


def split_shot(*, shot_id: int) -> Shot:
    """Split a shot in two halves (duration halved, dialogue divided, the voiced lines of the second
    half going with it); returns the new second half."""
    with session() as s:
        shot = _shot_in(s, shot_id)
        half = max(MIN_SHOT_S, round(shot.duration_s / 2, 2))
        dialogue = list(shot.dialogue or [])
        cut = (len(dialogue) + 1) // 2
        second = Shot(project_id=shot.project_id, scene_id=shot.scene_id, order=shot.order + 1,
                      shot_type=shot.shot_type, action=shot.action, duration_s=half,
                      dialogue=dialogue[cut:], characters=list(shot.characters), camera_move=shot.camera_move)
        shot.duration_s = half
        shot.dialogue = dialogue[:cut]
        s.add(shot)
        s.add(second)
        s.flush()
        for row in s.exec(select(TimelineItem).where(TimelineItem.shot_id == shot.id,
                                                     TimelineItem.track == "voice")).all():
            if int((row.extra or {}).get("line", 0)) >= cut:
                row.shot_id, row.extra = second.id, _shift(row.extra or {}, line=-cut, offset_s=-half)
                s.add(row)
        shots = [sh for sh in _scene_shots(s, shot.scene_id) if sh.id != second.id]
        idx = next(i for i, sh in enumerate(shots) if sh.id == shot.id)
        shots.insert(idx + 1, second)
        _renumber(s, shot.scene_id, shots)
    return second


def merge_with_next(*, shot_id: int) -> Shot:
    """Merge a shot with the next one in its scene (its voiced lines and effects following this shot's);
    returns the merged shot. Raises InvalidInput at the end of a scene."""
    with session() as s:
        shot = _shot_in(s, shot_id)
        shots = _scene_shots(s, shot.scene_id)
        i = next(i for i, sh in enumerate(shots) if sh.id == shot_id)
        if i + 1 >= len(shots):
            raise InvalidInput("This is the last shot of its scene; there is nothing to merge it with.", field="shot_id")
        nxt = shots[i + 1]
        # The next shot's voiced lines and effects come along, after this shot's own.
        lines, start = len(shot.dialogue or []), shot.duration_s
        have = {(r.track, (r.extra or {}).get("effect")) for r in
                s.exec(select(TimelineItem).where(TimelineItem.shot_id == shot.id)).all()}
        for row in s.exec(select(TimelineItem).where(TimelineItem.shot_id == nxt.id)).all():
            extra = dict(row.extra or {})
            if extra.get("loop") and (row.track, extra.get("effect")) in have:
                s.delete(row)  # the scene's ambience already runs under this shot
                continue
            if row.track == "sfx":
                extra.setdefault("offset_s", 0.0)  # an effect without one starts with its shot
            row.shot_id = shot.id
            row.extra = _shift(extra, line=lines if row.track == "voice" else 0,
                               offset_s=0.0 if extra.get("loop") else start)
            s.add(row)
        shot.duration_s = min(MAX_SHOT_S, shot.duration_s + nxt.duration_s)
        shot.dialogue = list(shot.dialogue or []) + list(nxt.dialogue or [])
        shot.characters = list(dict.fromkeys(list(shot.characters) + list(nxt.characters)))
        if nxt.action and nxt.action not in shot.action:
            shot.action = f"{shot.action} {nxt.action}".strip()
        s.add(shot)
        s.delete(nxt)
        s.flush()
        _renumber(s, shot.scene_id, _scene_shots(s, shot.scene_id))
    return shot


def total_duration(*, project_id: int) -> float:
    return round(sum(sh.duration_s for sh in list_shots(project_id=project_id)), 2)


def previous_shot(*, shot: Shot) -> Shot | None:
    """Return the shot before ``shot`` in film order, or None for the first shot."""
    shots = list_shots(project_id=shot.project_id)
    idx = next((i for i, s in enumerate(shots) if s.id == shot.id), 0)
    return shots[idx - 1] if idx > 0 else None
