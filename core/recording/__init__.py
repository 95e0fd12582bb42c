"""Voice takes: recordings and uploads of a person speaking a line, stored as mono WAV assets.

A take is a MediaAsset of type ``voice`` with provider ``recording`` and operation ``take``; the
character, shot, dialogue line index and user label live in its columns and ``extra``
(``takes``). While the browser streams, frames go to a *spool* so that a page reload loses at most
the unfinished take (``spool``). A take can be turned into a character's voice (``convert``).
"""
from core.recording.convert import convert_take
from core.recording.spool import (
    STALE_S, SpoolInfo, SpoolWriter, commit_spool, discard_spool, live_spools, orphaned_spools, own_spool,
    spool_path,
)
from core.recording.takes import (
    KEPT_RATES, MAX_LABEL_CHARS, MAX_TAKE_S, MAX_UPLOAD_BYTES, MIN_TAKE_S, TAKE_OPERATION, TAKE_PROVIDER,
    delete_take, get_take, import_take, list_takes, list_versions_of, normalise_take, rename_take, save_take,
)

__all__ = [
    "KEPT_RATES", "MAX_LABEL_CHARS", "MAX_TAKE_S", "MAX_UPLOAD_BYTES", "MIN_TAKE_S", "STALE_S", "SpoolInfo",
    "SpoolWriter", "TAKE_OPERATION", "TAKE_PROVIDER", "commit_spool", "convert_take", "delete_take",
    "discard_spool", "get_take", "import_take", "list_takes", "list_versions_of", "live_spools",
    "normalise_take", "orphaned_spools", "own_spool", "rename_take", "save_take", "spool_path",
]
