"""The user's corrections of a model's roles (which field is the start frame, end frame,
references, audio), kept in ``<data dir>/role_overrides.json`` and applied by the registry to
every lookup of that model — pages, API, CLI and workers alike.

Keyed ``provider/model``; a pinned model (``owner/name:version``) falls back to the corrections
of its unpinned name. A value ``null`` removes a role that inference or the file gave.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

from core.errors import InvalidInput
from core.settings import get_settings
from core.media.files import atomic_write_bytes

# The roles a user may correct: the file inputs generation routes media into.
EDITABLE_ROLES = ("start_frame", "end_frame", "reference_images", "audio")
_lock = threading.Lock()
_memo: dict[Path, tuple[tuple[int, int], dict]] = {}
_writes = [0]  # bumped on every save in this process (mtimes can be coarser than two quick saves)


def _path() -> Path:
    return get_settings().data_dir / "role_overrides.json"


def _read() -> dict[str, dict[str, str | None]]:
    path = _path()
    try:
        st = path.stat()
    except OSError:
        return {}
    key = (st.st_mtime_ns, st.st_size)
    with _lock:
        memo = _memo.get(path)
        if memo and memo[0] == key:
            return memo[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    with _lock:
        _memo[path] = (key, data)
    return data


def stamp() -> tuple:
    """A value that changes whenever the corrections change."""
    try:
        st = _path().stat()
    except OSError:
        return (0, 0, _writes[0])
    return (st.st_mtime_ns, st.st_size, _writes[0])


def get_overrides(*, provider: str, model: str) -> dict[str, str | None]:
    """Return ``{role: parameter or None}`` the user set for ``provider``/``model`` (``{}`` when none)."""
    data = _read()
    found = data.get(f"{provider}/{model}")
    if found is None and ":" in model:
        found = data.get(f"{provider}/{model.split(':', 1)[0]}")
    return dict(found or {})


def set_overrides(*, provider: str, model: str, roles: dict[str, str | None]) -> dict[str, str | None]:
    """Save the corrections for ``provider``/``model`` (replacing earlier ones); returns what was saved.

    An empty ``roles`` forgets the model's corrections. Raises InvalidInput for a role that
    cannot be corrected. Whether each parameter exists is the registry's check
    (``Registry.correct_roles``), which calls this after it.
    """
    bad = sorted(set(roles) - set(EDITABLE_ROLES))
    if bad:
        raise InvalidInput(f"these roles cannot be corrected: {', '.join(bad)} (only {', '.join(EDITABLE_ROLES)})",
                           field="roles")
    with _lock:
        _memo.clear()
    data = dict(_read())
    key = f"{provider}/{model}"
    if roles:
        data[key] = dict(roles)
    else:
        data.pop(key, None)
    atomic_write_bytes(path=_path(), data=json.dumps(data, indent=1, sort_keys=True).encode())
    with _lock:
        _memo.clear()
        _writes[0] += 1
    return dict(roles)
