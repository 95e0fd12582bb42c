"""The capabilities and validate command handlers, called directly and through ``python -m core``."""
import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.commands import capabilities, validate
from core.errors import InvalidInput, UnsupportedCapability

ROOT = Path(__file__).resolve().parents[2]


def _parse(module, argv):
    parser = argparse.ArgumentParser()
    module.register(parser.add_subparsers())
    return parser.parse_args(argv)


def test_capabilities_registered_model(capsys):
    args = _parse(capabilities, ["capabilities", "google", "veo-3.1-generate-001"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["media_type"] == "video" and out["roles"]["start_frame"] == "image"
    field = next(f for f in out["fields"] if f["name"] == "duration_seconds")
    assert field == {**field, "type": "integer", "enum": [4, 6, 8], "default": 8, "role": "duration", "required": False}
    assert any(r["rule"] == "never_together" for r in out["rules"])


def test_capabilities_schema_file(capsys):
    f = Path("/work/shared/corpus/replicate_schemas_more/kwaivgi__kling-v1.6-pro.json")
    if not f.exists():
        pytest.skip("corpus not mounted")
    args = _parse(capabilities, ["capabilities", "--schema-file", str(f)])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["roles"]["end_frame"] == "end_image" and out["roles"]["reference_images"] == "reference_images"


def test_capabilities_errors():
    with pytest.raises(UnsupportedCapability):
        args = _parse(capabilities, ["capabilities", "google", "nope"])
        args.func(args)
    with pytest.raises(InvalidInput):
        args = _parse(capabilities, ["capabilities"])
        args.func(args)


def test_validate_ok_and_broken(capsys):
    args = _parse(validate, ["validate", "local", "keyframe", '{"prompt": "a street"}'])
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["time_of_day"] == "day"
    args = _parse(validate, ["validate", "google", "veo-3.1-generate-001",
                             '{"reference_images": ["a"], "image": "b", "duration_seconds": 4}'])
    assert args.func(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("reference_images, image:")


def test_validate_bad_json():
    args = _parse(validate, ["validate", "local", "keyframe", "{nope"])
    with pytest.raises(InvalidInput, match="PARAMS_JSON"):
        args.func(args)


def test_python_dash_m_core(tmp_path):
    if not (ROOT / "core" / "__main__.py").exists():
        pytest.skip("core/__main__.py not there yet")
    env_cmd = [sys.executable, "-m", "core", "validate", "replicate", "stability-ai/stable-video-diffusion", "{}"]
    proc = subprocess.run(env_cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "input_image is required" in proc.stderr


def test_no_provider_conditionals_outside_the_registry():
    offenders = []
    for folder in ("core", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if "registry" in path.relative_to(ROOT).parts[:2]:
                continue
            text = path.read_text(encoding="utf-8")
            for n, line in enumerate(text.splitlines(), 1):
                compact = line.replace(" ", "")
                if ("provider==" in compact or "provider!=" in compact or ".provider==" in compact) and "if" in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "capabilities are data: " + "; ".join(offenders)
