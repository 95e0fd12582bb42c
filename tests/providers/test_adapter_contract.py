"""What the job runner relies on, for the replicate, elevenlabs and wavespeed adapters:
registration in the one mapping, the protocol, and polling from a persisted request alone."""
from __future__ import annotations

import json

import pytest

from core.providers import ADAPTER_MODULES, get_adapter
from core.providers.base import SUCCEEDED, Adapter, ProviderRequest
from core.providers.replicate import ReplicateAdapter
from core.providers.wavespeed import WaveSpeedAdapter
from tests.providers.conftest import Cap, poll_until_done, replicate_schema, write_png, write_wav

MINE = {"replicate": "REPLICATE_API_TOKEN", "elevenlabs": "ELEVENLABS_API_KEY", "wavespeed": "WAVESPEED_API_KEY"}


@pytest.mark.parametrize("name", sorted(MINE))
def test_registered_and_speaks_the_protocol(name):
    assert name in ADAPTER_MODULES
    adapter = get_adapter(name)
    assert isinstance(adapter, Adapter)
    assert adapter.name == name and adapter.version
    assert adapter.credential_settings == (MINE[name],)


def persisted(req: ProviderRequest) -> ProviderRequest:
    """What the job runner reads back after a restart."""
    return ProviderRequest.from_json(json.loads(json.dumps(req.to_json())))


def test_replicate_resumes_from_the_persisted_request(replicate_emu, tmp_path):
    cap = Cap(model="google/veo-3.1", operation="generate", input_schema=replicate_schema("google__veo-3.1"),
              roles={"start_frame": "image"})
    req = persisted(ReplicateAdapter().build_request(cap=cap, params={"prompt": "p"},
                                                     inputs={"start_frame": write_png(tmp_path / "s.png")}))
    op_id = ReplicateAdapter().submit(request=req).operation_id
    result = poll_until_done(ReplicateAdapter, persisted(req), op_id, fresh=True)
    assert result.status == SUCCEEDED and ReplicateAdapter().download(output=result.outputs[0])
    assert len(replicate_emu.calls("create")) == 1


def test_wavespeed_resumes_from_the_persisted_request(wavespeed_emu, tmp_path):
    cap = Cap(model="wavespeed-ai/infinitetalk-fast", operation="lipsync_image", input_schema={})
    req = persisted(WaveSpeedAdapter().build_request(
        cap=cap, params={}, inputs={"image": write_png(tmp_path / "f.png"), "audio": write_wav(tmp_path / "a.wav")}))
    op_id = WaveSpeedAdapter().submit(request=req).operation_id
    result = poll_until_done(WaveSpeedAdapter, persisted(req), op_id, fresh=True)
    assert result.status == SUCCEEDED and len(wavespeed_emu.calls("submit")) == 1


@pytest.mark.parametrize("provider,model,params,inputs,route", [
    ("wavespeed", "wavespeed-ai/infinitetalk", {"resolution": "480p"}, ("image", "audio"), "submit"),
    ("elevenlabs", "eleven_multilingual_v2", {"text": "Hello you", "voice_id": "voice01", "speed": 1.0}, (), "tts"),
    ("elevenlabs", "eleven_multilingual_sts_v2", {"voice_id": "voice02"}, ("audio",), "v2v"),
    ("replicate", "google/veo-3.1", {"prompt": "a fox", "duration": 8}, ("start_frame",), "create"),
])
def test_real_registry_capabilities_drive_the_emulators(provider, model, params, inputs, route, tmp_path,
                                                        replicate_emu, eleven_emu, wavespeed_emu):
    registry = pytest.importorskip("core.registry")
    cap = registry.get_registry().get(provider=provider, model=model)
    files = {"image": write_png(tmp_path / "i.png"), "start_frame": write_png(tmp_path / "s.png"),
             "audio": write_wav(tmp_path / "a.wav")}
    adapter = get_adapter(provider)
    req = adapter.build_request(cap=cap, params=params, inputs={k: files[k] for k in inputs})
    sub = adapter.submit(request=persisted(req))
    emu = {"replicate": replicate_emu, "elevenlabs": eleven_emu, "wavespeed": wavespeed_emu}[provider]
    assert len(emu.calls(route)) == 1
    result = sub if sub.status == SUCCEEDED else poll_until_done(lambda: get_adapter(provider), req, sub.operation_id,
                                                                 fresh=True)
    assert result.status == SUCCEEDED and adapter.download(output=result.outputs[0])
