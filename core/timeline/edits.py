"""Titles and picture transitions on the timeline, as data.

A :class:`TitleCard` is full-frame centred text on black that takes its own time between shots
(a card with no text is the black held after CUT TO BLACK). A video item's ``transition_in`` is
"cut", "fade" (up from black) or "dissolve" (from the previous shot's last picture) lasting
``transition_in_s``; its ``transition_out`` is "cut" or "fade" (down to black) lasting
``transition_out_s``. Transitions happen inside the shot's own time, so they never move a cut;
the renderer draws them (``core.render.transitions``).
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TransitionIn = Literal["cut", "fade", "dissolve"]
TransitionOut = Literal["cut", "fade", "black"]

FADE_S = 1.0        # fade up from / down to black
DISSOLVE_S = 0.8    # cross-dissolve from the previous shot
BLACK_S = 1.0       # black held after CUT TO BLACK
TITLE_FADE_S = 0.4  # a title card fades its text in and out


class TitleCard(BaseModel):
    """Centred text on black between shots. ``shot_id`` is the shot it is written next to and
    ``after`` says on which side, so the card ripples with that shot's neighbours."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    track: Literal["title"] = "title"
    shot_id: str
    after: bool = False
    n: int = 0
    start_s: float = Field(ge=0)
    duration_s: float = Field(gt=0)
    text: str = ""
    fade_s: float = Field(default=TITLE_FADE_S, ge=0)
    trim_in_s: float = Field(default=0.0, ge=0)

    @property
    def item_id(self) -> str:
        return f"title:{self.shot_id}:{'after' if self.after else 'before'}:{self.n}"

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


def title_seconds(text: str) -> float:
    """Return how long a title card stays up: long enough to read it twice (2–5 s); black: 1 s."""
    words = len(text.split())
    if not words:
        return BLACK_S
    return round(min(5.0, max(2.0, 1.4 + 0.35 * words)), 2)


def title_cards(*, shot_id: str, texts: list[str], start_s: float, after: bool) -> tuple[list[TitleCard], float]:
    """Return (cards placed one after another from ``start_s``, the time after the last one)."""
    cards, t = [], start_s
    for n, text in enumerate(texts):
        text = " ".join(str(text).split())
        dur = title_seconds(text)
        cards.append(TitleCard(shot_id=shot_id, after=after, n=n, start_s=round(t, 3), duration_s=dur, text=text,
                               fade_s=TITLE_FADE_S if text else 0.0))
        t = round(t + dur, 3)
    return cards, t


def transition_lengths(*, transition_in: str, transition_out: str, duration_s: float) -> tuple[float, float]:
    """Return (in seconds, out seconds) for a shot's transitions, never more than ~40% of the
    shot each, so a short shot is still seen whole for a moment."""
    cap = max(0.2, duration_s * 0.4)
    t_in = {"fade": FADE_S, "dissolve": DISSOLVE_S}.get(transition_in, 0.0)
    t_out = {"fade": FADE_S}.get(transition_out, 0.0)
    return round(min(t_in, cap), 3), round(min(t_out, cap), 3)
