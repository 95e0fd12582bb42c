"""Every shipped model id walked against the retired list of UPDATE-2026-12 §1.5: retired ones are
marked with their replacement, hidden from pickers and refused by validation, the API and the CLI."""
import re
from pathlib import Path

import pytest

from core.cli import main
from core.errors import UnsupportedCapability
from core.registry import get_registry
from core.settings import REPO_ROOT

# ../shared/provider_docs beside the checkout (a worktree sits one level deeper).
DOC = next((d / "shared" / "provider_docs" / "UPDATE-2026-12.md" for d in (REPO_ROOT.parent, REPO_ROOT.parent.parent)
            if (d / "shared" / "provider_docs" / "UPDATE-2026-12.md").exists()), Path("missing"))
# UPDATE-2026-12 §1.5, one id per line (the table's shorthands "also -pro, -flash-lite", "-ultra-…",
# "-fast-…-preview" written out).
RETIRED_IDS = {
    "gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite",
    "gemini-2.5-flash-image",
    "imagen-4.0-generate-001", "imagen-4.0-ultra-generate-001", "imagen-4.0-fast-generate-001",
    "veo-3.0-generate-001", "veo-3.0-fast-generate-001", "veo-2.0-generate-001",
    "veo-3.1-generate-preview", "veo-3.1-fast-generate-preview", "veo-3.1-lite-generate-preview",
    "gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview",
    "gemini-omni-flash-preview",
}
SHORTHAND = {"gemini-2.5-pro": "also -pro", "gemini-2.5-flash-lite": "-flash-lite)",
             "imagen-4.0-ultra-generate-001": "`-ultra-generate-001`", "imagen-4.0-fast-generate-001": "`-fast-generate-001`",
             "veo-3.1-fast-generate-preview": "`-fast-…-preview`", "veo-3.1-lite-generate-preview": "`-lite-…-preview`"}
# §1.2 / §5.1: deprecated on the Gemini API and silently served by another model: never offered on a key.
NOT_ON_A_KEY = {"gemini-3.5-flash", "gemini-3.7-flash"}


def _section_1_5() -> str:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    start = text.find("### 1.5")
    return text[start:text.find("### 1.6", start)] if start >= 0 else ""


@pytest.mark.skipif(not DOC.exists(), reason="the shared provider docs are not on this machine")
def test_the_retired_list_is_the_docs_list():
    section = _section_1_5()
    first_column = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    full_ids = {i for cell in first_column for i in re.findall(r"`([a-z0-9][a-z0-9.\-]+)`", cell)}
    assert full_ids and full_ids <= RETIRED_IDS, full_ids - RETIRED_IDS  # a new doc row shows up here
    for model in RETIRED_IDS:  # every id is in the section, written out or as the table's shorthand
        assert f"`{model}`" in section or SHORTHAND[model] in section, model


def test_every_shipped_model_id_against_the_retired_list():
    reg = get_registry()
    caps = reg.list(include_retired=True)
    current = {(c.provider, c.model) for c in reg.list()}
    marked = set()
    for cap in caps:
        shipped_id = cap.model
        if shipped_id in RETIRED_IDS:
            marked.add(shipped_id)
            assert cap.retired and re.fullmatch(r"\d{4}-\d{2}-\d{2}", cap.retired), cap
            assert (cap.provider, cap.replacement) in current, f"{cap}: replacement {cap.replacement} is not shipped"
            assert cap.replacement not in RETIRED_IDS
            with pytest.raises(UnsupportedCapability, match=re.escape(f"{cap.provider}/{cap.replacement}")):
                cap.validate({})
        else:
            assert not cap.retired, f"{cap} is marked retired but UPDATE-2026-12 §1.5 does not list it"
        if cap.auth == "api_key":
            assert shipped_id not in NOT_ON_A_KEY, cap
    assert marked == {"gemini-2.5-flash", "gemini-2.5-flash-image", "imagen-4.0-generate-001"}
    # Hidden from every picker list, still found for the assets made with them.
    for model in marked:
        assert all(c.model != model for c in reg.list())
        assert reg.get(provider="google", model=model, operation="script" if model == "gemini-2.5-flash" else None)


def test_defaults_point_at_current_models():
    from core.providers import google

    reg = get_registry()
    for op in ("script", "breakdown"):
        cap = reg.get(provider="google", model=google.DEFAULT_TEXT_MODEL, operation=op)
        assert not cap.retired and "temperature" not in cap.input_schema["properties"]


def test_api_and_cli_refuse_a_retired_model_naming_the_replacement(data_dir, capsys):
    from fastapi.testclient import TestClient

    from core.api.app import app

    with TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 50000), base_url="http://127.0.0.1") as client:
        answer = client.post("/ai/image/generate", json={"provider": "google", "model": "gemini-2.5-flash-image",
                                                         "params": {"prompt": "a lighthouse"}})
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["code"] == "unsupported" and "google/gemini-nano-banana-2.1" in error["message"]
        assert "2026-10-02" in error["message"]
        caps = client.post("/ai/video/get-capabilities", json={"provider": "google", "model": "imagen-4.0-generate-001"})
        assert caps.json()["retired"] == "2026-08-17" and caps.json()["replacement"] == "gemini-3.1-flash-image"
    code = main(["validate", "google", "gemini-2.5-flash", '{"logline": "x"}', "--operation", "script"])
    assert code == 2 and "use google/gemini-3.8-flash" in capsys.readouterr().err
