"""Price hints in the schema files: what a typical request is estimated to cost, and where each price comes from.

The figures here are the ones the files cite (see each file's ``pricing.source``); a test that fails after a
price change means the file was updated, so update the expectation with the new cited figure.
"""
import pytest

from core.errors import InvalidInput
from core.registry import get_registry
from core.registry.capability import Capability
from core.registry.schema_file import Pricing


def cap(provider, model, operation=None):
    return get_registry().get(provider=provider, model=model, operation=operation)


# (provider, model, operation, params, duration_s, expected USD)
TYPICAL = [
    # Veo 3.1 on Vertex: $0.40/s with audio (default), $0.20/s without, 720p and 1080p alike.
    ("google", "veo-3.1-generate-001", "generate", {"prompt": "x"}, None, 8 * 0.40),
    ("google", "veo-3.1-generate-001", "generate", {"prompt": "x", "duration_seconds": 4}, None, 4 * 0.40),
    ("google", "veo-3.1-generate-001", "generate", {"prompt": "x", "generate_audio": False}, None, 8 * 0.20),
    ("google", "veo-3.1-generate-001", "generate", {"prompt": "x", "resolution": "1080p"}, None, 8 * 0.40),
    ("google", "veo-3.1-generate-001", "extend", {"video": "v.mp4", "prompt": "x"}, None, 8 * 0.40),
    # Veo 3.1 Fast: priced by audio and resolution together.
    ("google", "veo-3.1-fast-generate-001", None, {"prompt": "x"}, None, 8 * 0.10),
    ("google", "veo-3.1-fast-generate-001", None, {"prompt": "x", "resolution": "1080p"}, None, 8 * 0.12),
    ("google", "veo-3.1-fast-generate-001", None, {"prompt": "x", "generate_audio": False}, None, 8 * 0.08),
    ("google", "veo-3.1-fast-generate-001", None,
     {"prompt": "x", "generate_audio": False, "resolution": "1080p"}, None, 8 * 0.10),
    ("google", "veo-3.1-fast-generate-001", None, {"prompt": "x", "duration_seconds": 6}, None, 6 * 0.10),
    # Images, per image.
    ("google", "imagen-4.0-generate-001", None, {"prompt": "x"}, None, 0.04),
    ("google", "gemini-2.5-flash-image", None, {"prompt": "x"}, None, 0.039),
    # Gemini 2.5 Flash text: a per-run estimate (token assumptions in the source).
    ("google", "gemini-2.5-flash", "script", {"logline": "x"}, None, 0.0203),
    ("google", "gemini-2.5-flash", "breakdown", {"text": "x"}, None, 0.0212),
    # ElevenLabs TTS, per character: 1,000 characters.
    ("elevenlabs", "eleven_multilingual_v2", None, {"text": "a" * 1000}, None, 0.10),
    ("elevenlabs", "eleven_v3", None, {"text": "a" * 1000}, None, 0.10),
    ("elevenlabs", "eleven_flash_v2", None, {"text": "a" * 1000}, None, 0.05),
    ("elevenlabs", "eleven_flash_v2_5", None, {"text": "a" * 1000}, None, 0.05),
    ("elevenlabs", "eleven_turbo_v2", None, {"text": "a" * 1000}, None, 0.05),
    ("elevenlabs", "eleven_turbo_v2_5", None, {"text": "a" * 1000}, None, 0.05),
    # ElevenLabs speech to speech, per minute of the input audio (its length comes as duration_s).
    ("elevenlabs", "eleven_multilingual_sts_v2", None, {"audio": "a.wav"}, 90, 1.5 * 0.12),
    ("elevenlabs", "eleven_english_sts_v2", None, {"audio": "a.wav"}, 60, 0.12),
]


@pytest.mark.parametrize("provider,model,operation,params,duration_s,expected", TYPICAL,
                         ids=[f"{t[1]}-{t[2] or ''}-{i}" for i, t in enumerate(TYPICAL)])
def test_typical_request_estimate(provider, model, operation, params, duration_s, expected):
    got = cap(provider, model, operation).estimate_cost(params, duration_s=duration_s)
    assert got == pytest.approx(expected, abs=1e-4)


def test_per_character_estimate_follows_the_text():
    tts = cap("elevenlabs", "eleven_multilingual_v2")
    assert tts.estimate_cost({"text": "a" * 250}) == pytest.approx(0.025)
    assert tts.estimate_cost({"text": ""}) == 0.0


def test_sts_without_a_length_is_unknown():
    assert cap("elevenlabs", "eleven_multilingual_sts_v2").estimate_cost({"audio": "a.wav"}) is None


def test_every_price_cites_its_source():
    caps = get_registry().list()
    priced = [c for c in caps if c.pricing is not None]
    assert priced, "no capability carries a price hint"
    for c in priced:
        src = c.pricing.get("source", "")
        assert src.strip(), f"{c}: pricing without a source"
        assert "http" in src or src.startswith("shared/provider_docs/"), f"{c}: source names no page: {src!r}"


def test_providers_with_published_prices_are_priced():
    for model, op in [("veo-3.1-generate-001", "generate"), ("veo-3.1-generate-001", "extend"),
                      ("veo-3.1-fast-generate-001", None), ("imagen-4.0-generate-001", None),
                      ("gemini-2.5-flash-image", None), ("gemini-2.5-flash", "script"),
                      ("gemini-2.5-flash", "breakdown")]:
        assert cap("google", model, op).pricing is not None, (model, op)
    # Eleven v4 / v4 Turbo have no price in the stored docs (UPDATE-2026-12 §2.1): unknown, not guessed.
    for c in get_registry().list(provider="elevenlabs"):
        assert (c.pricing is None) == (c.model in ("eleven_v4", "eleven_v4_turbo")), c


def test_unpriced_models_estimate_unknown_not_zero():
    # No stored copy of Replicate's own model pages was found: these stay null (unknown), never 0.
    for c in get_registry().list(provider="replicate"):
        if c.pricing is None:
            assert c.estimate_cost({}, duration_s=5) is None, c


def test_free_local_models_estimate_zero():
    local = get_registry().list(provider="local")
    assert local
    for c in local:
        assert c.spec.free and c.pricing is None, c
        assert c.estimate_cost({}) == 0.0, c
        assert c.estimate_cost({}, duration_s=30) == 0.0, c


def test_nested_price_by_names_real_parameters():
    bad = {"unit": "second", "usd": 0.1, "source": "x",
           "by": {"param": "generate_audio", "values": {"true": {"param": "no_such", "values": {"a": 1.0}}}}}
    spec = cap("google", "veo-3.1-fast-generate-001").spec.model_copy(update={"pricing": Pricing.model_validate(bad)})
    with pytest.raises(InvalidInput, match="no_such"):
        Capability.from_schema_file(spec)


def test_unlisted_value_falls_back_to_the_base_rate():
    fast = cap("google", "veo-3.1-fast-generate-001")
    assert fast.pricing["usd"] == pytest.approx(0.12)
    # A value the price table does not list (bypassing validation) is priced at the file's base rate.
    assert fast.estimate_cost({"resolution": "2160p"}) == pytest.approx(8 * 0.12)


def test_listed_value_without_a_known_price_estimates_unknown():
    # 4k is offered (UPDATE-2026-12 §1.4) but its price is not in the stored copies: null -> unknown.
    for model in ("veo-3.1-generate-001", "veo-3.1-fast-generate-001"):
        c = cap("google", model)
        assert c.estimate_cost({"prompt": "x", "resolution": "4k"}) is None
        assert c.estimate_cost({"prompt": "x", "resolution": "1080p"}) > 0
