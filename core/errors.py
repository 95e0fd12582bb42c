"""One small exception hierarchy for the whole core.

Every error a user can meet is one of these; the UI shows it once (``core.ui.errors``), the HTTP
API maps it to a status code, the CLI prints its message. Messages name the field or setting
involved and never contain a secret.
"""
from __future__ import annotations

from dataclasses import dataclass, field


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
