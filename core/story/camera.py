"""Camera moves chosen per shot from its type and its action, so a film is not one slow push-in.

Static for conversation and details, push in on emotion and close-ups, pull out on reveals and
endings, pans across vistas, tilts on tall things and climbing, tracking (truck) with people on
the move. The moves are the shot-card names the clip engines take (``CAMERA_MOVES``).
"""
from __future__ import annotations

import re

from core.media.camera import CAMERA_MOVES  # noqa: F401  (the one vocabulary; re-read by callers of this module)

_TALL = re.compile(r"\b(climbs?|climbing|ladder|stairs|staircase|tower|towers|crane|cranes|lighthouse|"
                   r"skyscraper|looks? up|gazes? up|rises|rising|tall|spire|cliff|mast|steeple)\b", re.I)
_DOWN = re.compile(r"\b(falls?|drops?|sinks?|descends?|looks? down|below|lands?|collapses?|kneels?)\b", re.I)
_MOVING = re.compile(r"\b(runs?|running|walks?|walking|races?|chases?|drives?|driving|rides?|hurries|"
                     r"rushes|crosses|strides?|marches|paces|wanders|sprints?|follows?|flees|cycles)\b", re.I)
_REVEAL = re.compile(r"\b(reveals?|alone|empty|finished|silence|last|finally|stands? finished|"
                     r"goes? out|fades?|disappears?|vanish\w*|behind (him|her|them))\b", re.I)
_EMOTION = re.compile(r"\b(tears?|cries|sobs?|stares?|realis\w+|realiz\w+|freezes?|gasps?|trembl\w+|"
                      r"whispers?|face falls|shock\w*|afraid|terrified|horror)\b", re.I)
_LEFTWARD = re.compile(r"\b(left|west|back)\b", re.I)


def camera_move_for(*, shot_type: str, action: str, index: int, last: bool = False,
                    dialogue: bool = False) -> str:
    """Return the camera move for a shot.

    ``index`` is the shot's place in the film (alternates pan and track directions so two
    neighbouring moves do not repeat); ``last`` marks the film's final shot (it pulls out);
    ``dialogue`` is True when the shot carries spoken lines (the camera holds still for them,
    except for a slow push on an emotional close-up).
    """
    text = action or ""
    st = (shot_type or "").lower()
    if last and st not in ("insert", "extreme close-up"):
        return "pull_out"
    if st in ("establishing", "extreme wide"):
        if _TALL.search(text):
            return "tilt_up"
        return "pan_right" if index % 2 == 0 else "pan_left"
    if _MOVING.search(text) and st in ("wide", "full", "medium", "two-shot", "pov"):
        left = _LEFTWARD.search(text) is not None
        return "truck_left" if left or (index % 2 and not dialogue) else "truck_right"
    if _TALL.search(text) and st in ("wide", "full", "medium", "pov"):
        return "tilt_up"
    if _DOWN.search(text) and st in ("wide", "full", "medium", "insert"):
        return "tilt_down"
    if _REVEAL.search(text) and st in ("wide", "full", "medium", "two-shot"):
        return "pull_out"
    if st in ("close-up", "extreme close-up", "medium close-up") and (_EMOTION.search(text) or not dialogue):
        return "push_in"
    if st == "insert":
        return "push_in" if index % 2 else "static"
    if dialogue or st in ("over-the-shoulder", "two-shot", "medium close-up"):
        return "static"
    if st == "pov":
        return "pan_left" if index % 2 else "pan_right"
    return "push_in" if index % 3 else "static"
