"""The documented limits of what Storyreel accepts, in one place (README "Limits", docs/api.md).

Every door checks against these: the API's request models, the app's uploads and forms, the CLI,
and what providers send back (``core.media.checks``). Text is refused when it holds NUL bytes or
lone surrogates (they cannot be stored or sent on faithfully), or when it is longer than its limit.
"""
from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

from core.errors import InvalidInput

# --- media ----------------------------------------------------------------------------------------
MAX_PIXELS = 40_000_000          # one image or one video frame (width × height): 40 MP
MAX_SIDE = 16_384                # longest side of an image or video frame, px
MAX_MEDIA_SECONDS = 4 * 3600     # the longest audio or video accepted
MIN_RENDER_SHORT_SIDE = 144      # render ``short_side`` bounds (px); outputs never exceed 4K's short side
MAX_RENDER_SHORT_SIDE = 2160
MAX_SHORTS = 5                   # auto shorts per render (``count``)

# --- text (characters) ----------------------------------------------------------------------------
MAX_NAME_CHARS = 120             # project, character and take names
MAX_LABEL_CHARS = 200            # titles, provider and model names, voice ids
MAX_SHORT_TEXT_CHARS = 4_000     # descriptions, style cards, shot actions, dialogue lines, prompts on shots
MAX_PROMPT_CHARS = 10_000        # a provider prompt or any text param whose model states no limit of its own
MAX_TTS_CHARS = 40_000           # speech text (the largest model's own limit; each model's schema may lower it)
MAX_SCRIPT_CHARS = 500_000       # one script version
MAX_PARAMS_JSON_CHARS = 100_000  # provider params as a JSON form field

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Return why ``value`` cannot be stored (NUL byte, lone surrogate), or None when it can."""
    if "\x00" in value:
        return "must not contain NUL bytes"
    if _SURROGATE.search(value):
        return "must not contain lone surrogates (invalid Unicode)"
    return None


def check_text(*, value: str, field: str, max_chars: int) -> str:
    """Return ``value`` when it is storable text within ``max_chars`` characters.

    Raises InvalidInput naming ``field`` for NUL bytes, lone surrogates or too long a text.
    """
    problem = text_problem(value)
    if problem:
        raise InvalidInput(f"{field} {problem}.", field=field)
    if len(value) > max_chars:
        raise InvalidInput(f"{field} is {len(value)} characters long; the limit is {max_chars}.", field=field)
    return value


def check_params_text(*, params: Any, field: str = "params", max_chars: int = MAX_PROMPT_CHARS) -> None:
    """Check every string inside provider ``params`` (nested lists and dicts too).

    Raises InvalidInput naming the parameter (``params.prompt``) for a NUL byte, a lone surrogate
    or a string over ``max_chars`` (a model's own, lower ``maxLength`` is checked by the registry).
    """
    if isinstance(params, str):
        check_text(value=params, field=field, max_chars=max_chars)
    elif isinstance(params, dict):
        for key, value in params.items():
            name = f"{field}.{key}"
            check_text(value=str(key), field=name, max_chars=MAX_LABEL_CHARS)
            check_params_text(params=value, field=name, max_chars=max_chars)
    elif isinstance(params, list):
        for item in params:
            check_params_text(params=item, field=field, max_chars=max_chars)


def _storable(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def Text(max_chars: int, *, min_chars: int = 0) -> Any:  # noqa: N802 - reads as a type in models
    """Return a pydantic string type: at most ``max_chars``, no NUL bytes, no lone surrogates."""
    return Annotated[str, StringConstraints(min_length=min_chars, max_length=max_chars),
                     AfterValidator(_storable)]
