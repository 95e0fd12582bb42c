"""The one vocabulary of camera moves, shared by the shot cards, the renderer and the local animator.

A move is data: zoom at the start and at the end of the shot, the view window's centre at the
start and at the end (in units of the free margin around the window: ±1 touches the image edge),
and a keystone for pans (the far side of a turning camera compresses slightly). Names from older
timelines and caches (``zoom_in``, ``pan_up``, ``none`` …) are read through ``ALIASES``.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.errors import InvalidInput


@dataclass(frozen=True)
class Move:
    """One camera move over a still: zoom and window centre at start and end, keystone at the end."""

    zoom_start: float
    zoom_end: float
    centre_start: tuple[float, float]
    centre_end: tuple[float, float]
    keystone: float = 0.0
    label: str = ""


MOVES: dict[str, Move] = {
    "push_in": Move(1.0, 1.22, (0.0, 0.0), (0.0, 0.0), label="Push in"),
    "pull_out": Move(1.22, 1.0, (0.0, 0.0), (0.0, 0.0), label="Pull out"),
    "pan_left": Move(1.16, 1.16, (1.0, 0.0), (-1.0, 0.0), 0.05, label="Pan left"),
    "pan_right": Move(1.16, 1.16, (-1.0, 0.0), (1.0, 0.0), -0.05, label="Pan right"),
    "tilt_up": Move(1.16, 1.16, (0.0, 1.0), (0.0, -1.0), label="Tilt up"),
    "tilt_down": Move(1.16, 1.16, (0.0, -1.0), (0.0, 1.0), label="Tilt down"),
    "truck_left": Move(1.2, 1.2, (0.9, 0.0), (-0.9, 0.0), label="Track left"),
    "truck_right": Move(1.2, 1.2, (-0.9, 0.0), (0.9, 0.0), label="Track right"),
    "static": Move(1.0, 1.0, (0.0, 0.0), (0.0, 0.0), label="Static"),
}
CAMERA_MOVES: tuple[str, ...] = tuple(MOVES)
ALIASES = {"zoom_in": "push_in", "zoom_out": "pull_out", "pan_up": "tilt_up", "pan_down": "tilt_down",
           "none": "static", "track_left": "truck_left", "track_right": "truck_right"}


def move_name(name: str, *, field: str = "camera_move") -> str:
    """Return the vocabulary name for ``name`` (aliases resolved); raises InvalidInput for an unknown move."""
    resolved = ALIASES.get(name, name)
    if resolved not in MOVES:
        raise InvalidInput(f"{field} must be one of {', '.join(CAMERA_MOVES)}, got {name!r}", field=field)
    return resolved


def move_label(name: str) -> str:
    """Return the human label of a move ("Push in"), or the name itself when unknown."""
    move = MOVES.get(ALIASES.get(name, name))
    return move.label if move else name


def max_zoom(name: str) -> float:
    """Return the largest zoom a move reaches (how much detail its still must keep)."""
    m = MOVES[move_name(name)]
    return max(m.zoom_start, m.zoom_end)


def ease(t: float) -> float:
    """Smoothstep of ``t`` clamped to [0, 1]: moves start and end gently."""
    t = min(max(t, 0.0), 1.0)
    return t * t * (3 - 2 * t)


def move_at(name: str, t: float) -> tuple[float, tuple[float, float], float]:
    """Return (zoom, window centre in margin units, keystone) of move ``name`` at progress ``t``."""
    m = MOVES[move_name(name)]
    e = ease(t)
    centre = (m.centre_start[0] + (m.centre_end[0] - m.centre_start[0]) * e,
              m.centre_start[1] + (m.centre_end[1] - m.centre_start[1]) * e)
    return m.zoom_start + (m.zoom_end - m.zoom_start) * e, centre, m.keystone * e


def view_at(name: str, t: float, width: float, height: float) -> tuple[float, float, float]:
    """Return (zoom, centre x, centre y) in pixels of the view window over a width×height still."""
    zoom, (ux, uy), _ = move_at(name, t)
    margin_x, margin_y = (width - width / zoom) / 2.0, (height - height / zoom) / 2.0
    return zoom, width / 2.0 + ux * margin_x, height / 2.0 + uy * margin_y
