"""The film's soundtrack besides its voices: the music (one bed, or a bed per scene in the mood its
words call for, joined with crossfades; or an upload) and the effects the action calls for (scene
ambiences looped under whole scenes, spot effects at their word in their shot).

Every sound is a generation job through the registry (the local music and SFX engines by default),
placed on the timeline as ``TimelineItem`` rows (see ``core.timeline.store``).
"""
from __future__ import annotations

import re

import numpy as np

from core.breakdowns import get_shot, list_scene_cards, list_shots
from core.errors import InvalidInput
from core.generation.voiceover import Progress, run_generations
from core.media.checks import check_media_bytes
from core.media.wav import read_audio, to_wav_bytes
from core.media_assets import asset_path, create_asset
from core.models import MediaAsset, Shot
from core.projects import get_project, update_project
from core.registry import get_registry
from core.timeline.store import (
    AMBIENT, MAX_SFX_PER_SHOT, add_item, delete_items, find_sfx, list_items, project_timeline, removed_sfx,
)

# Genre → the mood of its bed (local/music moods); the user can pick another on the Edit page.
GENRE_MOOD = {
    "drama": "sad", "comedy": "playful", "thriller": "tense", "sci-fi": "mysterious", "fantasy": "epic",
    "horror": "tense", "romance": "romantic", "mystery": "mysterious", "documentary": "calm",
    "adventure": "epic", "action": "epic", "family": "playful",
}
MUSIC_MOODS = ("calm", "tense", "upbeat", "sad", "epic", "mysterious", "romantic", "playful")
MUSIC_GAIN_DB = -12.0  # measured: at -8 dB a music-only stretch ran louder than the dialogue after normalisation

# --- music ---------------------------------------------------------------------------------------
def mood_for(*, genre: str) -> str:
    """Return the bed mood that suits a genre (calm for unknown genres)."""
    return GENRE_MOOD.get((genre or "").strip().lower(), "calm")


# Words of a scene that set its music's mood (whole words; the most hits wins, else the genre's).
SCENE_MOODS: dict[str, tuple[str, ...]] = {
    "tense": ("chase", "chases", "gun", "guns", "fight", "fights", "danger", "threat", "scream", "screams", "blood",
              "knife", "police", "escape", "escapes", "fear", "panic", "alarm", "storm", "thunder", "slams",
              "slammed", "attack", "run", "runs", "hide", "hides", "trapped", "explosion", "siren", "hammers", "sinking",
              "mayday", "emergency", "blares"),
    "sad": ("funeral", "grave", "tears", "cry", "cries", "crying", "goodbye", "loss", "died", "dead", "death",
            "alone", "grief", "mourns", "sobs", "hospital", "empty", "lost"),
    "romantic": ("kiss", "kisses", "love", "embrace", "embraces", "wedding", "date", "candle", "candles",
                 "sweetheart", "darling", "dance", "dances"),
    "playful": ("laugh", "laughs", "joke", "jokes", "party", "giggle", "giggles", "silly", "prank", "grins",
                "wink", "winks", "rival", "food-truck", "truck"),
    "mysterious": ("shadow", "shadows", "strange", "stranger", "secret", "secrets", "whisper", "whispers", "fog",
                   "mist", "dark", "clock", "clocks", "key", "hidden", "lantern", "lanterns", "ghost", "mystery"),
    "epic": ("battle", "victory", "army", "summit", "triumph", "soaring", "kingdom", "dragon", "charge"),
    "calm": ("dawn", "garden", "morning", "breakfast", "quiet", "peaceful", "tea", "sunlight", "meadow", "rests"),
    "upbeat": ("celebrate", "celebrates", "sunny", "cheers", "festival", "market", "music"),
}
CROSSFADE_S = 2.0


def scene_mood(*, text: str, genre: str) -> str:
    """Return the music mood a scene's words call for ("the stranger whispers in the fog" →
    mysterious) when at least two of its words agree, else the genre's mood."""
    words = re.findall(r"[a-z][a-z'-]*", (text or "").lower())
    counts = {m: sum(words.count(w) for w in vocab) for m, vocab in SCENE_MOODS.items()}
    best = max(counts.values())
    base = mood_for(genre=genre)
    if best < 2 or counts.get(base, 0) == best:  # one stray word ("dawn" in a thriller) is not a mood
        return base
    return max(counts, key=lambda m: (counts[m], m == base))


def _scene_spans(project_id: int) -> list[tuple[float, float, str]]:
    """(start, end, scene text) of each scene on the film's timeline."""
    tl = project_timeline(project_id=project_id, subtitles=False).timeline
    where = {v.shot_id: (v.start_s, v.end_s) for v in tl.video}
    spans = []
    for card in list_scene_cards(project_id=project_id):
        placed = [where[str(sh.id)] for sh in card.shots if str(sh.id) in where]
        if placed:
            text = " ".join([card.scene.heading or "", card.scene.summary or ""]
                            + [sh.action or "" for sh in card.shots]
                            + [d.get("text", "") for sh in card.shots for d in (sh.dialogue or [])])
            spans.append((min(a for a, _ in placed), max(b for _, b in placed), text))
    return spans


def choose_music(*, project_id: int, mood: str | None = None, gain_db: float = MUSIC_GAIN_DB,
                 seed: int = 0, duration_s: float | None = None) -> MediaAsset:
    """Put music under the film and return its asset. With a ``mood`` one bed in that mood; without
    one each scene gets the mood its words call for (else the genre's) and the beds are joined
    with 2 s crossfades at the scene changes (the asset's ``extra["scenes"]`` lists them).
    Raises InvalidInput for an unknown mood."""
    project = get_project(project_id=project_id)
    if mood is not None and mood not in MUSIC_MOODS:
        raise InvalidInput(f"Mood must be one of {', '.join(MUSIC_MOODS)}.", field="mood")
    length = duration_s or sum(s.duration_s for s in list_shots(project_id=project_id)) + 4.0
    try:
        spans = [] if mood else _scene_spans(project_id)
    except InvalidInput:  # nothing placed yet: one bed for the genre
        spans = []
    moods = [scene_mood(text=t, genre=project.genre) for _, _, t in spans]
    if mood or len(set(moods)) <= 1:
        mood = mood or (moods[0] if moods else mood_for(genre=project.genre))
        [asset] = run_generations(requests=[_bed_request(project, mood, length, seed)], what="music bed")
        _set_music(project_id=project_id, asset=asset, gain_db=gain_db, extra={"mood": mood, "source": "generated"})
        return asset
    ends = [b for _, b, _ in spans]
    ends[-1] = max(ends[-1] + 4.0, length)
    starts = [0.0] + ends[:-1]
    beds = run_generations(requests=[_bed_request(project, m, (b - a) + CROSSFADE_S, seed + i)
                                     for i, (m, a, b) in enumerate(zip(moods, starts, ends))], what="music bed")
    score, sr = _join_beds([asset_path(media_id=b.media_id) for b in beds], starts, ends)
    scenes = [{"start_s": round(a, 2), "end_s": round(b, 2), "mood": m} for m, a, b in zip(moods, starts, ends)]
    main = max(scenes, key=lambda x: x["end_s"] - x["start_s"])["mood"]
    asset = create_asset(type="music", project_id=project_id, data=to_wav_bytes(score, sr), mime="audio/wav",
                         provider="local", model="music", operation="score",
                         input_params={"genre": project.genre, "mood": main, "moods": moods, "seed": int(seed)},
                         duration_s=len(score) / sr, label="Score: " + " → ".join(dict.fromkeys(moods)),
                         extra={"scenes": scenes, "beds": [b.media_id for b in beds]})
    _set_music(project_id=project_id, asset=asset, gain_db=gain_db,
               extra={"mood": main, "moods": moods, "scenes": scenes, "source": "generated"})
    return asset


def _bed_request(project, mood: str, length: float, seed: int) -> dict:
    settings = project.settings or {}
    return dict(provider=settings.get("music_provider", "local"), model=settings.get("music_model", "music"),
                project_id=project.id, params={"genre": project.genre, "mood": mood,
                                               "duration": round(min(max(length, 5.0), 600.0), 1), "seed": int(seed)})


def _join_beds(paths: list, starts: list[float], ends: list[float]) -> tuple[np.ndarray, int]:
    """One stereo track: bed i from starts[i] to ends[i], crossfading into the next over 2 s."""
    beds = [read_audio(p, mono=False) for p in paths]
    sr = beds[0][1]
    total = int(round(ends[-1] * sr))
    out = np.zeros((total, 2))
    fade = int(CROSSFADE_S * sr)
    for i, ((x, rate), a, b) in enumerate(zip(beds, starts, ends)):
        x = x if x.ndim == 2 else np.repeat(x[:, None], 2, axis=1)
        i0 = int(round(a * sr))
        n = min(len(x), total - i0, int(round((b - a) * sr)) + (fade if i < len(beds) - 1 else 0))
        env = np.ones(n)
        if i > 0:
            env[:min(fade, n)] = np.linspace(0, 1, min(fade, n))
        if i < len(beds) - 1 and n > fade:
            env[-fade:] = np.linspace(1, 0, fade)
        out[i0:i0 + n] += x[:n, :2] * env[:, None]
    return out * 0.9 / max(float(np.abs(out).max()), 1e-9), sr


def upload_music(*, project_id: int, name: str, data: bytes, gain_db: float = MUSIC_GAIN_DB) -> MediaAsset:
    """Store an uploaded track (WAV, FLAC, OGG or MP3) as the film's music; returns its asset.
    Raises InvalidInput when the file is not decodable audio (``core.media.checks``), InsufficientStorage."""
    checked = check_media_bytes(data=data, expect="audio", field="music")
    asset = create_asset(type="music", project_id=project_id, data=data, mime=checked.mime, provider="upload",
                         operation="upload", label=name, **checked.asset_fields())
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
AMBIENCE_GAIN_DB = -15.0
AMBIENCE_LOOP_S = 30.0  # one file per scene ambience, looped under longer scenes
SPOT_GAIN_DB = -6.0


def _sfx_shape(effect: str, shot: Shot) -> tuple[float, float, float]:
    """Return (duration, offset, gain dB): ambiences fill the shot quietly, spot effects are short."""
    if effect in AMBIENT:
        return round(min(max(shot.duration_s, 1.0), 30.0), 2), 0.0, -12.0
    return (2.4 if effect in ("footsteps", "thunder", "phone", "sea") else 1.2), 0.3, SPOT_GAIN_DB


def _sfx_model(project_id: int) -> tuple[str, str]:
    settings = get_project(project_id=project_id).settings or {}
    return settings.get("sfx_provider", "local"), settings.get("sfx_model", "sfx")


def sfx_choices(*, project_id: int) -> list[str]:
    """Return the effects the project's SFX model can make (its ``effect`` field's allowed values)."""
    provider, model = _sfx_model(project_id)
    spec = get_registry().get(provider=provider, model=model).field("effect")
    return list(spec.enum or []) if spec else []


def _make_sfx(*, project_id: int, shot_id: int, effect: str, duration: float, seed: int) -> MediaAsset:
    provider, model = _sfx_model(project_id)
    [asset] = run_generations(requests=[dict(
        provider=provider, model=model,
        project_id=project_id, shot_id=shot_id, params={"effect": effect, "duration": duration, "seed": int(seed)})],
        what="sound effect")
    return asset


def add_sfx(*, project_id: int, shot_id: int, effect: str, seed: int = 0, auto: bool = False,
            offset_s: float | None = None) -> MediaAsset:
    """Make one effect for a shot and attach it (at ``offset_s`` into the shot, default 0.3 s);
    returns its asset. Raises InvalidCombination for an effect the SFX model does not know."""

    shot = get_shot(shot_id=shot_id)
    duration, offset, gain = _sfx_shape(effect, shot)
    asset = _make_sfx(project_id=project_id, shot_id=shot_id, effect=effect, duration=duration, seed=seed)
    add_item(project_id=project_id, track="sfx", media_id=asset.media_id, shot_id=shot_id, gain_db=gain,
             duration_s=float(asset.duration_s or duration),
             extra={"effect": effect, "offset_s": offset if offset_s is None else offset_s, "auto": auto})
    return asset


def _scene_ambience(card) -> list[str]:
    """The ambiences a scene calls for, from its heading, summary and every shot's action: rain
    on the window in the first shot still falls in the last one."""
    text = " ".join([card.scene.heading or "", card.scene.summary or ""] + [sh.action or "" for sh in card.shots])
    return [name for name, _ in find_sfx(text=text) if name in AMBIENT][:3]


def attach_sfx(*, project_id: int, on_progress: Progress | None = None) -> int:
    """Attach the sound the action calls for: each scene's ambiences (rain, crowd, sea, wind…) run
    under the whole scene as one continuous loop; spot effects (a door, an impact, footsteps) sit
    in their shot at the point of the action where their word is, each made with its own seed so
    no two sound alike. Skips effects already there or removed by the user; returns how many
    effect rows were added."""
    have = {(r.shot_id, r.extra.get("effect")) for r in list_items(project_id=project_id, track="sfx")}
    removed = removed_sfx(project_id=project_id)
    added = 0
    for card in list_scene_cards(project_id=project_id):
        shots = [sh for sh in card.shots if sh.duration_s]
        if not shots:
            continue
        for effect in _scene_ambience(card):
            todo = [sh for sh in shots if (sh.id, effect) not in have and f"{sh.id}:{effect}" not in removed]
            if not todo:
                continue
            length = min(max(sum(sh.duration_s for sh in shots), 1.0), AMBIENCE_LOOP_S)
            asset = _make_sfx(project_id=project_id, shot_id=shots[0].id, effect=effect, duration=round(length, 2),
                              seed=card.scene.id or 0)
            at = 0.0
            for i, sh in enumerate(shots):
                if sh in todo:
                    add_item(project_id=project_id, track="sfx", media_id=asset.media_id, shot_id=sh.id,
                             gain_db=AMBIENCE_GAIN_DB, duration_s=float(sh.duration_s),
                             extra={"effect": effect, "offset_s": 0.0, "auto": True, "ambience": True, "loop": True,
                                    "trim_in_s": round(at % float(asset.duration_s or length), 3),
                                    "fade_in_s": 0.8 if i == 0 else 0.0, "fade_out_s": 0.8 if i == len(shots) - 1 else 0.0})
                    added += 1
                at += float(sh.duration_s)
            if on_progress:
                on_progress(f"ambience '{effect}' under scene {card.scene.order + 1}")
        ambient_here = set(_scene_ambience(card))
        for sh in shots:
            spots = [(e, w) for e, w in find_sfx(text=sh.action or "") if e not in AMBIENT and e not in ambient_here]
            for n, (effect, where) in enumerate(spots[:MAX_SFX_PER_SHOT]):
                if (sh.id, effect) in have or f"{sh.id}:{effect}" in removed:
                    continue
                offset = round(min(0.3 + where * sh.duration_s * 0.8, max(sh.duration_s - 1.0, 0.3)), 2)
                add_sfx(project_id=project_id, shot_id=sh.id, effect=effect, seed=(sh.id or 0) * 16 + n, auto=True,
                        offset_s=offset)
                added += 1
                if on_progress:
                    on_progress(f"effect '{effect}' on shot {sh.id}")
    settings = dict(get_project(project_id=project_id).settings or {})
    settings["sfx_auto_done"] = True
    update_project(project_id=project_id, settings=settings)
    return added
