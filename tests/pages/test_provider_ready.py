"""One answer to "is this model's provider set up?" for jobs, pages and voice conversion: a
provider whose key is missing is not ready (pages sort it last), the local provider always is."""
from core.providers import is_configured, required_settings
from core.registry import get_registry
from core.settings import get_settings
from core.ui.common import provider_ready


def test_ready_follows_the_settings_each_model_needs(monkeypatch):
    reg = get_registry()
    replicate = reg.get(provider="replicate", model="google/veo-3.1")
    veo = reg.get(provider="google", model="veo-3.1-generate-001")
    local = reg.get(provider="local", model="keyframe")
    assert required_settings(cap=replicate) == ("REPLICATE_API_TOKEN",)
    assert required_settings(cap=veo) == ("GOOGLE_CLOUD_PROJECT",)
    assert is_configured(cap=local) and provider_ready(local)
    assert not provider_ready(replicate) and not provider_ready(veo)
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_TEST")
    get_settings.cache_clear()
    assert provider_ready(replicate) and not provider_ready(veo)
