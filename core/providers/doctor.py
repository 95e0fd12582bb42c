"""``python -m core doctor`` and the app's Providers panel: is each configured provider answering,
does it accept its key, and which shipped models can that key use.

Each adapter owns its check (``check_credentials``: one cheap authenticated call — Replicate
account, ElevenLabs user, Google model list, WaveSpeed balance); this module runs every adapter's
check and joins the answers with the shipped models it is given (the registry builds that list,
see ``core.registry.doctor``). No provider is named here. Nothing here ever holds or prints a key.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from core.credentials import get_setting, redact
from core.providers import ADAPTER_MODULES, get_adapter
from core.providers.base import KeyCheck


@dataclass
class ShippedModel:
    """A model Storyreel ships a schema file for: the settings it needs, its retirement, its text cap."""

    model: str
    operations: list[str]
    needs: tuple[str, ...]
    retired: str | None = None
    replacement: str | None = None
    text_limit: int | None = None


@dataclass
class ProviderReport:
    """What the doctor found for one provider."""

    provider: str
    configured: bool
    missing: list[str] = field(default_factory=list)  # settings that would enable it
    checks: list[KeyCheck] = field(default_factory=list)
    usable: list[str] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # model -> why not
    retired: list[ShippedModel] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check made for this provider answered OK (an unconfigured provider is not failed)."""
        return all(c.status == KeyCheck.OK for c in self.checks)

    @property
    def status(self) -> str:
        """OK, the first failed check's status, or "not configured"."""
        if not self.configured:
            return "not configured"
        failed = [c.status for c in self.checks if c.status != KeyCheck.OK]
        return failed[0] if failed else KeyCheck.OK


def _availability(model: ShippedModel, checks: list[KeyCheck]) -> str | None:
    """Return why ``model`` cannot be used with the configured keys, or None when it can."""
    for setting in model.needs:
        if not get_setting(setting=setting):
            return f"needs {setting}"
        check = next((c for c in checks if c.setting == setting), None)
        if check is None:
            continue
        if check.status != KeyCheck.OK:
            return f"{setting}: {check.status}"
        if check.models is not None and model.model not in check.models:
            return f"not in the models {setting} can use"
    return None


def check_provider(*, provider: str, shipped: list[ShippedModel]) -> ProviderReport:
    """Run ``provider``'s key check (when it has credentials) and join it with its shipped models.

    Returns the ProviderReport; a refused key or an unreachable host is part of the answer, not an
    exception.
    """
    current = [m for m in shipped if not m.retired]
    needs = sorted({s for m in current for s in m.needs})
    configured = not needs or any(get_setting(setting=s) for s in needs)
    report = ProviderReport(provider=provider, configured=configured,
                            missing=[s for s in needs if not get_setting(setting=s)],
                            retired=[m for m in shipped if m.retired])
    if configured:
        adapter = get_adapter(provider)
        check = getattr(adapter, "check_credentials", None)
        if check is not None:
            report.checks = check(models={m.model: m.needs for m in current})
    for m in current:
        why = _availability(m, report.checks) if configured else f"needs {', '.join(m.needs)}"
        if why is None:
            report.usable.append(m.model)
        else:
            report.unavailable[m.model] = why
        for c in report.checks:
            limit = (c.facts.get(m.model) or {}).get("maximum_text_length_per_request")
            if limit and m.text_limit and limit != m.text_limit:
                report.notes.append(f"{m.model}: this key's limit is {limit} characters per request; "
                                    f"Storyreel's schema allows {m.text_limit}")
    return report


def check_all(*, shipped: dict[str, list[ShippedModel]]) -> list[ProviderReport]:
    """Return a ProviderReport for every registered provider (``core.providers.ADAPTER_MODULES``)."""
    return [check_provider(provider=name, shipped=shipped.get(name, [])) for name in ADAPTER_MODULES]


def exit_code(reports: list[ProviderReport]) -> int:
    """0 when every configured provider answered OK, else 1."""
    return 0 if all(r.ok for r in reports) else 1


def report_json(reports: list[ProviderReport]) -> list[dict[str, Any]]:
    """Return the reports as JSON-ready dicts (no keys in them)."""
    out = []
    for r in reports:
        out.append({"provider": r.provider, "status": r.status, "configured": r.configured, "missing": r.missing,
                    "checks": [{k: v for k, v in asdict(c).items() if k != "facts"} for c in r.checks],
                    "usable": r.usable, "unavailable": r.unavailable, "notes": r.notes,
                    "retired": [{"model": m.model, "retired": m.retired, "replacement": m.replacement}
                                for m in r.retired]})
    return out


def report_text(reports: list[ProviderReport]) -> str:
    """Return the reports as the lines ``python -m core doctor`` prints (keys never appear)."""
    lines = ["Providers: one cheap authenticated call per configured key (keys are never shown)", ""]
    for r in reports:
        if not r.configured:
            lines.append(f"{r.provider}: not configured (set {' or '.join(r.missing)})")
        else:
            lines.append(f"{r.provider}: {r.status}" + ("" if r.checks else " (no key needed)"))
        for c in r.checks:
            lines.append(f"  {c.setting}: {c.status}" + (f" - {c.detail}" if c.detail else ""))
        if r.configured and r.usable:
            lines.append(f"  usable ({len(r.usable)}): {', '.join(r.usable)}")
        if r.configured:
            for model, why in r.unavailable.items():
                lines.append(f"  not usable: {model} ({why})")
        for note in r.notes:
            lines.append(f"  note: {note}")
        for m in r.retired:
            lines.append(f"  retired: {m.model} (since {m.retired}; use {m.replacement}) - hidden and refused")
    ok = exit_code(reports) == 0
    lines += ["", "All configured providers answered OK." if ok else "Some configured provider did not answer OK."]
    return redact("\n".join(lines))
