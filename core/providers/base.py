"""The adapter contract every provider module implements.

An adapter keeps pure work apart from transport:
- ``build_request`` (pure) turns validated params + resolved input files into a ProviderRequest;
- ``parse_result`` (pure) turns a provider payload into a PollResult;
- ``submit`` / ``poll`` / ``download`` / ``cancel`` are thin calls through the provider's SDK.

The job runner (core/jobs.py) persists the ProviderRequest (it is JSON-serialisable: files are
referenced by path, never inlined) before calling ``submit``, stores ``operation_id`` as soon as it
is known, and after a restart resumes with ``poll`` alone — so ``poll`` must work from the
operation id and the stored request, with no in-memory state.
"""
from __future__ import annotations

import re

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from core.errors import InvalidInput

from core.models import CANCELLED, FAILED, QUEUED, RUNNING, SUBMITTED, SUCCEEDED  # noqa: F401 (adapters import them here)

# The statuses a provider answer can end in (a job's own finished set is core.models.FINISHED_STATUSES).
TERMINAL = (SUCCEEDED, FAILED, CANCELLED)


@dataclass
class InputFile:
    """A local file given to a provider (start frame, reference image, audio…)."""

    path: str
    mime: str
    media_id: str | None = None

    @property
    def p(self) -> Path:
        return Path(self.path)


@dataclass
class ProviderRequest:
    """What will be sent: the provider, model, operation, a JSON body and the input files by param."""

    provider: str
    model: str
    operation: str
    body: dict[str, Any]
    files: dict[str, Any] = field(default_factory=dict)  # param -> InputFile | list[InputFile]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ProviderRequest":
        files = {}
        for k, v in (data.get("files") or {}).items():
            files[k] = [InputFile(**x) for x in v] if isinstance(v, list) else InputFile(**v)
        return cls(provider=data["provider"], model=data["model"], operation=data["operation"],
                   body=data.get("body") or {}, files=files)


@dataclass
class Output:
    """One produced file: inline ``data`` or a ``url`` to download; ``extra`` holds e.g. word timings."""

    mime: str
    data: bytes | None = None
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SubmitResult:
    """The provider's answer to a submission: its operation id and, for synchronous calls, outputs."""

    operation_id: str | None
    status: str
    outputs: list[Output] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class PollResult:
    """Where a submitted job stands. ``error`` is the provider's message when status is failed."""

    status: str
    outputs: list[Output] = field(default_factory=list)
    error: str | None = None
    retryable: bool = False
    progress: float | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class KeyCheck:
    """The answer of one cheap authenticated call made with one credential (``python -m core doctor``).

    ``status`` is OK, REFUSED (the provider refused the key), UNREACHABLE (no answer) or ERROR
    (any other failure). ``models`` lists the model ids the provider says this key can use, None
    when the provider does not list them (then every shipped model counts). ``facts`` holds per-model
    limits read from the provider (e.g. ElevenLabs' ``maximum_text_length_per_request``).
    ``detail`` never holds a key.
    """

    TIMEOUT_S: ClassVar[float] = 15.0  # a key check never waits on a silent host as long as a generation would
    OK: ClassVar[str] = "OK"
    REFUSED: ClassVar[str] = "key refused"
    UNREACHABLE: ClassVar[str] = "unreachable"
    ERROR: ClassVar[str] = "error"

    provider: str
    setting: str
    status: str
    detail: str = ""
    models: list[str] | None = None
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Reconciled:
    """What an adapter found out about a create request whose answer was lost (a crash while it
    was in flight). ``outcome``: ``found`` (the provider has it: ``operation_id``; go on polling),
    ``absent`` (it provably never started, or costs nothing: send it), ``pending`` (ask again
    later: the request may still arrive), ``unknown`` (cannot tell: the user decides)."""

    outcome: str
    operation_id: str | None = None
    message: str = ""


@runtime_checkable
class Adapter(Protocol):
    """One per provider, registered in ``core.providers.ADAPTERS``."""

    name: ClassVar[str]
    version: ClassVar[str]  # part of the cache key: bump when request building changes
    # Settings (API.md names) this provider needs; MissingCredentials names the first one missing.
    credential_settings: ClassVar[tuple[str, ...]]

    # ``cap`` is a core.registry Capability; the registry sits above the providers, so adapters only
    # read it (model, operation, roles, fields) and never import it.
    def build_request(self, *, cap: Any, params: dict, inputs: dict[str, Any]) -> ProviderRequest: ...

    def submit(self, *, request: ProviderRequest) -> SubmitResult: ...

    def poll(self, *, request: ProviderRequest, operation_id: str) -> PollResult: ...

    def parse_result(self, *, payload: dict) -> PollResult: ...

    def download(self, *, output: Output) -> bytes: ...

    def cancel(self, *, request: ProviderRequest, operation_id: str) -> None: ...

    # Optional: ``reconcile(*, request, submitted_at, taken_ids) -> Reconciled`` finds the
    # operation a lost create started (``taken_ids``: operation ids other jobs already own). An
    # adapter without it answers ``unknown`` (core.jobs.runner asks the user before sending again).

def check_provider_id(*, value: Any, pattern: "re.Pattern[str]", field: str, provider: str, what: str) -> str:
    """Return ``value`` when it matches the provider's id ``pattern`` (an id bound for a provider URL:
    voice id, model name, operation id); checked before any call.

    Raises InvalidInput naming ``field`` otherwise, so nothing like ``../../v1/voices?x=`` can steer a
    request to another endpoint.
    """
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InvalidInput(f"{field} is not a valid {provider} {what} ({pattern.pattern}).", field=field)
    return value
