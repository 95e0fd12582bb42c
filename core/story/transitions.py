"""Titles and transitions read from a screenplay: centred text, title lines and SUPER: cards become
title cards; FADE IN/OUT, DISSOLVE TO and CUT TO BLACK become fades and dissolves of the picture.

A transition either opens the next shot ("in": FADE IN, DISSOLVE TO) or closes the previous one
("out": FADE OUT, FADE TO BLACK, CUT TO BLACK). Scenes keep them as beats of kind "transition"
and "title"; :func:`attach_edits` hangs them on the planned shots.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

TRANSITIONS_IN = ("cut", "fade", "dissolve")
TRANSITIONS_OUT = ("cut", "fade", "black")

# Written transitions → (side, kind). Checked on the text in capitals without trailing punctuation.
_RULES = [
    (re.compile(r"^(FADE|CUT|SMASH CUT|SMASH) TO BLACK$"), ("out", "fade")),
    (re.compile(r"^FADE OUT$"), ("out", "fade")),
    (re.compile(r"^(SMASH )?CUT TO BLACK$"), ("out", "black")),
    (re.compile(r"^(FADE IN|FADE UP|FADE IN FROM BLACK|OPEN ON BLACK)$"), ("in", "fade")),
    (re.compile(r"^(MATCH |SLOW |QUICK )?(DISSOLVE|CROSSFADE|CROSS-FADE|CROSS FADE)( TO)?$"), ("in", "dissolve")),
    (re.compile(r"^FADE TO$"), ("in", "fade")),
    (re.compile(r"^((SMASH |MATCH |JUMP |HARD )?CUT( TO)?|BACK TO|INTERCUT( WITH)?)$"), ("in", "cut")),
]
_SMASH_BLACK = re.compile(r"^(SMASH CUT|CUT) TO BLACK$")
_TITLE_LINE = re.compile(r"^(SUPER|SUPERIMPOSE|TITLE|TITLE CARD|CARD|INTERTITLE|CHYRON|CAPTION)\s*:\s*(.+)$", re.I)


@dataclass(frozen=True)
class Transition:
    side: str   # "in" (opens the next shot) or "out" (closes the previous one)
    kind: str   # in: cut | fade | dissolve; out: cut | fade | black


def read_transition(text: str) -> Transition | None:
    """Return the Transition a written line means ("FADE OUT." → out/fade, "DISSOLVE TO:" →
    in/dissolve, "CUT TO BLACK." → out/black), or None when the line is not a transition."""
    t = " ".join(text.upper().split()).strip(" .:!-")
    if _SMASH_BLACK.match(t):
        return Transition("out", "black")
    for pattern, (side, kind) in _RULES:
        if pattern.match(t):
            return Transition(side, kind)
    return None


def title_line(text: str) -> str | None:
    """Return the card text of a title line ("SUPER: SIX MONTHS LATER" → "SIX MONTHS LATER"), or None."""
    m = _TITLE_LINE.match(" ".join(text.split()))
    return m.group(2).strip().strip('"“”') if m else None


def attach_edits(*, beats: list, shots: list, first_beat_of_shot: list[int]) -> None:
    """Hang the scene's transition and title beats on its shots, in place.

    ``beats`` are the scene's beats (kinds action/dialogue/transition/title); ``first_beat_of_shot``
    holds, per shot, the index in ``beats`` of the shot's first picture beat. A title before a
    shot's first beat goes in its ``titles_before``; titles after the last shot go in the last
    shot's ``titles_after``. "in" transitions set the next shot's ``transition_in``, "out" ones
    the previous shot's ``transition_out``.
    """
    if not shots:
        return
    starts = sorted(range(len(shots)), key=lambda i: first_beat_of_shot[i])

    def shot_after(index: int):
        return next((shots[i] for i in starts if first_beat_of_shot[i] > index), None)

    def shot_before(index: int):
        return next((shots[i] for i in reversed(starts) if first_beat_of_shot[i] < index), None)

    for index, beat in enumerate(beats):
        if beat.kind == "title":
            nxt = shot_after(index)
            if nxt is not None:
                nxt.titles_before.append(beat.text)
            else:
                (shot_before(index) or shots[-1]).titles_after.append(beat.text)
        elif beat.kind == "transition":
            tr = read_transition(beat.text)
            if tr is None:
                continue
            if tr.side == "in":
                target = shot_after(index)
                if target is not None:
                    target.transition_in = tr.kind
            else:
                target = shot_before(index) or shot_after(index)
                if target is not None:
                    target.transition_out = tr.kind
