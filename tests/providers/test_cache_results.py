"""The result cache: canonical keys, one provider call for a repeated request, force, stale entries."""
from core.jobs import cache
from core.jobs.service import run_sync
from core.media_assets import get_asset

VEO = dict(provider="google", model="veo-3.1-generate-001")


def test_cache_key_is_canonical():
    a = cache.make_key(provider="p", model="m", operation="generate", adapter_version="1",
                       params={"b": 1, "a": [1, 2]}, input_hashes={"image": "h1"})
    b = cache.make_key(provider="p", model="m", operation="generate", adapter_version="1",
                       params={"a": [1, 2], "b": 1}, input_hashes={"image": "h1"})
    assert a == b and len(a) == 64
    for change in ({"input_hashes": {"image": "h2"}}, {"adapter_version": "2"}, {"params": {"a": [2, 1], "b": 1}},
                   {"operation": "extend"}):
        args = dict(provider="p", model="m", operation="generate", adapter_version="1",
                    params={"b": 1, "a": [1, 2]}, input_hashes={"image": "h1"})
        args.update(change)
        assert cache.make_key(**args) != a


def test_cache_same_request_twice_is_one_provider_call(google_emu, runner, png_file, tmp_path):
    first = run_sync(**VEO, params={"prompt": "a fox", "seed": 1}, inputs={"image": str(png_file)}, timeout_s=30)
    assert first.status == "succeeded", first.error
    # Same bytes under another name still hit: the key holds content hashes, not paths.
    copy = tmp_path / "renamed.png"
    copy.write_bytes(png_file.read_bytes())
    again = run_sync(**VEO, params={"prompt": "a fox", "seed": 1}, inputs={"image": str(copy)}, timeout_s=30)
    assert again.status == "succeeded" and again.result_media_id == first.result_media_id
    assert again.request.get("cache_hit") is True and again.id != first.id
    assert google_emu.count("create") == 1
    forced = run_sync(**VEO, params={"prompt": "a fox", "seed": 2}, inputs={"image": str(png_file)}, force=True,
                      timeout_s=30)
    assert forced.status == "succeeded" and google_emu.count("create") == 2


def test_cache_entry_for_a_deleted_asset_is_a_miss(google_emu, runner):
    from core.media_assets import asset_path

    first = run_sync(**VEO, params={"prompt": "gone"}, timeout_s=30)
    asset_path(media_id=first.result_media_id).unlink()
    assert cache.lookup(key=first.cache_key) is None
    again = run_sync(**VEO, params={"prompt": "gone"}, timeout_s=30)
    assert again.status == "succeeded" and google_emu.count("create") == 2
    assert get_asset(media_id=again.result_media_id).type == "video"
