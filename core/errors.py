"""One small exception hierarchy for the whole core.

Every error a user can meet is one of these; the UI shows it once (``core.ui.errors``), the HTTP
API maps it to a status code, the CLI prints its message. Messages name the field or setting
involved and never contain a secret.
"""
from __future__ import annotations

import errno
import logging
import re
from dataclasses import dataclass

log = logging.getLogger("storyreel.errors")


class StoryreelError(Exception):
    """Base of every error the core raises on purpose.

    ``field`` names the input field at fault (if any); ``setting`` names the configuration
    setting that would fix it (if any).
    """

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, setting: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.setting = setting

    def to_dict(self) -> dict:
        """Return the API error body: ``{"code", "message", "fields"}``."""
        fields = [{"name": self.field, "message": self.message}] if self.field else []
        return {"code": self.code, "message": self.message, "fields": fields}


class InvalidInput(StoryreelError):
    """A single bad value: empty script, out-of-range number, corrupt or oversized upload."""

    code = "invalid_input"
    http_status = 422


@dataclass(frozen=True)
class RuleViolation:
    """One broken capability rule: which fields, which rule, and why."""

    fields: tuple[str, ...]
    message: str
    rule: str = ""

    def to_dict(self) -> dict:
        return {"fields": list(self.fields), "message": self.message, "rule": self.rule}


class InvalidCombination(StoryreelError):
    """Parameters that break one or more rules of a model; carries every violation at once."""

    code = "invalid_combination"
    http_status = 422

    def __init__(self, violations: list[RuleViolation], *, model: str = ""):
        self.violations = list(violations)
        head = f"Invalid parameters for {model}: " if model else "Invalid parameters: "
        super().__init__(head + "; ".join(v.message for v in self.violations))

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "fields": [v.to_dict() for v in self.violations],
        }


class MissingCredentials(StoryreelError):
    """A provider was asked for but its key is not configured; names the setting to set."""

    code = "missing_credentials"
    http_status = 400

    def __init__(self, provider: str, setting: str):
        super().__init__(
            f"{provider} is not configured: set {setting} (environment or .streamlit/secrets.toml).",
            setting=setting,
        )
        self.provider = provider


class ProviderError(StoryreelError):
    """A provider call failed. ``retryable`` says whether trying again may help (429, 5xx, timeouts)."""

    code = "provider_error"
    http_status = 502

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        retryable: bool = False,
        status_code: int | None = None,
        retry_after_s: float | None = None,
        awaiting_credentials: bool = False,
    ):
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.retryable = retryable
        self.status_code = status_code
        self.retry_after_s = retry_after_s
        # The provider refused the credentials while a paid job was already running (e.g. an expired
        # Vertex token while polling): the job waits for working credentials instead of failing.
        self.awaiting_credentials = awaiting_credentials


class UnsupportedCapability(StoryreelError):
    """A model or provider does not offer what was asked (no start-frame role, unknown model…)."""

    code = "unsupported"
    http_status = 422


class NotFound(StoryreelError):
    """An id that names nothing (project, shot, asset, job)."""

    code = "not_found"
    http_status = 404


class RenderError(StoryreelError):
    """Rendering or media processing failed; no partial output is left behind."""

    code = "render_error"
    http_status = 500


class Cancelled(StoryreelError):
    """Work stopped because the user cancelled it."""

    code = "cancelled"
    http_status = 409


class Forbidden(StoryreelError):
    """A signed-in user whose role in the project does not allow the action (403)."""

    code = "forbidden"
    http_status = 403


class SpendLimitExceeded(StoryreelError):
    """A paid job would pass a spend limit (a project's budget or a user's daily limit); names the limit."""

    code = "spend_limit"
    http_status = 422


class InsufficientStorage(StoryreelError):
    """The disk holding the data dir is full (507); nothing partial was kept."""

    code = "insufficient_storage"
    http_status = 507

    def __init__(self, message: str = "", *, field: str | None = None):
        super().__init__(message or DISK_FULL_MESSAGE, field=field, setting="STORYREEL_DATA_DIR")


class DataDirUnavailable(StoryreelError):
    """The data dir is missing, not writable or out of space at start (503); names the setting."""

    code = "data_dir_unavailable"
    http_status = 503

    def __init__(self, message: str):
        super().__init__(message, setting="STORYREEL_DATA_DIR")


class MediaStoreUnavailable(StoryreelError):
    """The media store (STORYREEL_MEDIA_URL: an S3 bucket) is misconfigured or does not answer (503);
    names the setting, never a key."""

    code = "media_store_unavailable"
    http_status = 503

    def __init__(self, message: str, *, setting: str = "STORYREEL_MEDIA_URL"):
        super().__init__(message, setting=setting)


DISK_FULL_MESSAGE = ("The disk holding the data dir (STORYREEL_DATA_DIR) is full: free some space there or point "
                     "STORYREEL_DATA_DIR at a larger disk. Nothing partial was kept.")
_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_DISK_FULL_TEXT = ("no space left on device", "database or disk is full", "disk quota exceeded")
# An absolute POSIX path (two or more components) not inside a URL: kept out of messages.
_ABS_PATH = re.compile(r"(?<![\w:/.~-])/(?:[^\s'\"/:,;()<>|]+/)+([^\s'\"/:,;()<>|]*)")


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the disk is full: ENOSPC/EDQUOT, SQLite's
    "database or disk is full", or a tool's "No space left on device"."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, InsufficientStorage):
            return True
        if isinstance(current, OSError) and current.errno in _DISK_FULL_ERRNOS:
            return True
        if any(t in str(current).lower() for t in _DISK_FULL_TEXT):
            return True
        current = current.__cause__ or current.__context__
    return False


def scrub_paths(text: str) -> str:
    """Return ``text`` with absolute server paths cut to their last component (``/srv/x/a.png`` → ``a.png``)."""
    return _ABS_PATH.sub(lambda m: m.group(1) or "(a folder)", text)


def public_message(exc: BaseException, *, doing: str = "the work") -> str:
    """Return what a user may read about ``exc``: a full disk says so (naming STORYREEL_DATA_DIR), a
    StoryreelError its own message without server paths, anything else a generic sentence — the raw
    text (library messages, paths) goes to the log only."""
    if is_disk_full(exc):
        return DISK_FULL_MESSAGE
    if isinstance(exc, StoryreelError):
        return scrub_paths(exc.message)
    log.error("unexpected error during %s: %s: %s", doing, type(exc).__name__, exc)
    return f"Internal error during {doing}; the server log has the details."
