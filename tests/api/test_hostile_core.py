"""Hostile input at the core checks every door shares: image bombs and damaged media (API, app
uploads, provider outputs), provider id patterns, character ids in any script, and messages that
never carry server paths or raw library text (issue 16 points 3, 4, 6, 7, 9)."""
from __future__ import annotations

import struct
import zlib

import pytest

from core.errors import InvalidInput
from core.media.checks import check_media_bytes, check_media_file
from tests.api.hostile import healthy, media_count  # noqa: F401 (fixture)
from tests.emulators.media import clip_mp4, seeded_png, tone_wav

pytestmark = pytest.mark.usefixtures("healthy")


def png_of_size(width: int, height: int, *, idat: bytes | None = None) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` with a tiny (or given) compressed body."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = idat if idat is not None else zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


BAD_IMAGES = [
    ("30000x30000 bomb", png_of_size(30000, 30000)),
    ("49 MP", png_of_size(7000, 7000)),
    ("40 MP + 1 row", png_of_size(8000, 5001)),
    ("side over 16384", png_of_size(16385, 10)),
    ("zero width", png_of_size(0, 10)),
    ("damaged body", png_of_size(64, 64)),
    ("truncated png", seeded_png(width=32, height=32, seed="t")[:60]),
    ("jpeg marker + junk", b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x99" * 500),
    ("gif header + junk", b"GIF89a" + b"\x10\x00\x10\x00" + b"\xee" * 300),
    ("webp header + junk", b"RIFF\x30\x00\x00\x00WEBPVP8 " + b"\x01" * 40),
    ("audio as image", tone_wav(seconds=0.2)),
    ("empty", b""),
]


@pytest.mark.parametrize("label,data", BAD_IMAGES, ids=[label for label, _ in BAD_IMAGES])
def test_bad_images_are_refused_naming_the_field(data_dir, label, data):
    with pytest.raises(InvalidInput) as err:
        check_media_bytes(data=data, expect="image", field="reference_images")
    assert err.value.field == "reference_images" and "PIL" not in err.value.message


def test_an_image_at_the_limit_is_accepted_with_its_size(data_dir):
    checked = check_media_bytes(data=seeded_png(width=40, height=30, seed="ok"), expect="image", field="image")
    assert (checked.mime, checked.width, checked.height) == ("image/png", 40, 30)


@pytest.mark.parametrize("label,data", BAD_IMAGES[:4] + BAD_IMAGES[6:8], ids=[b[0] for b in BAD_IMAGES[:4] + BAD_IMAGES[6:8]])
def test_the_app_reference_upload_refuses_bombs_and_stores_nothing(client, project, label, data):
    from core.cast import add_reference_upload

    with pytest.raises(InvalidInput) as err:
        add_reference_upload(project_id=project["id"], character_id="maya", data=data, filename="ref.png")
    assert err.value.field == "reference_images" and media_count() == 0


def test_the_app_reference_upload_stores_width_and_height(client, project):
    from core.cast import add_reference_upload

    asset = add_reference_upload(project_id=project["id"], character_id="maya",
                                 data=seeded_png(width=48, height=32, seed="m"), filename="ref.png")
    assert (asset.width, asset.height) == (48, 32)


@pytest.mark.parametrize("data", [b"RIFF\x24\x08\x00\x00WAVE" + b"\x01" * 900, b"ID3\x03" + b"\x00" * 900,
                                  seeded_png(width=8, height=8, seed="p")], ids=["wav-junk", "id3-junk", "png"])
def test_the_app_music_upload_refuses_junk(client, project, data):
    from core.generation.soundtrack import upload_music

    with pytest.raises(InvalidInput) as err:
        upload_music(project_id=project["id"], name="track.mp3", data=data)
    assert err.value.field == "music" and media_count() == 0


@pytest.mark.parametrize("label,data,mime", [
    ("bomb", png_of_size(30000, 30000), "image/png"), ("49 MP", png_of_size(7000, 7000), "image/png"),
    ("junk video", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 5000, "video/mp4"),
])
def test_provider_outputs_pass_the_same_checks(data_dir, tmp_path, label, data, mime):
    from core.jobs.results import _measure

    path = tmp_path / "out.bin"
    path.write_bytes(data)
    with pytest.raises(InvalidInput) as err:
        _measure(path, mime)
    assert err.value.field == "output"


def test_a_real_provider_video_is_measured(data_dir, tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(clip_mp4(width=64, height=48, seconds=1.0))
    checked = check_media_file(path=path, field="output", decode=True)
    assert (checked.kind, checked.width, checked.height) == ("video", 64, 48) and 0.9 < checked.duration_s < 1.2


# --- ids bound for provider URLs ----------------------------------------------------------------------

def _check(module: str, pattern: str, value: str, field: str) -> None:
    import importlib

    from core.providers.base import check_provider_id

    check_provider_id(value=value, pattern=getattr(importlib.import_module(module), pattern), field=field,
                      provider=module, what="id")


@pytest.mark.parametrize("module,pattern,value,field", [
    ("core.providers.elevenlabs", "VOICE_ID", "../../v1/voices?x=", "voice_id"),
    ("core.providers.elevenlabs", "VOICE_ID", "abc/def", "voice_id"),
    ("core.providers.elevenlabs", "VOICE_ID", "abc%2F", "voice_id"),
    ("core.providers.replicate", "PREDICTION_ID", "../models/x", "operation_id"),
    ("core.providers.replicate", "PREDICTION_ID", "abc?x=1", "operation_id"),
    ("core.providers.wavespeed", "MODEL_PATH", "../../v1/balance", "model"),
    ("core.providers.wavespeed", "MODEL_PATH", "wavespeed-ai//x", "model"),
    ("core.providers.wavespeed", "MODEL_PATH", "wavespeed-ai/x?y=1", "model"),
    ("core.providers.wavespeed", "TASK_ID", "../balance", "operation_id"),
    ("core.providers.google", "MODEL_NAME", "../v1/files", "model"),
    ("core.providers.google", "MODEL_NAME", "veo?alt=media", "model"),
    ("core.providers.google", "OPERATION_NAME", "models/veo/operations/../../x", "operation_id"),
    ("core.providers.google", "OPERATION_NAME", "https://evil.example/operations/1", "operation_id"),
])
def test_hostile_provider_ids_are_refused_before_any_call(module, pattern, value, field):
    with pytest.raises(InvalidInput) as err:
        _check(module, pattern, value, field)
    assert err.value.field == field


@pytest.mark.parametrize("module,pattern,value", [
    ("core.providers.elevenlabs", "VOICE_ID", "21m00Tcm4TlvDq8ikWAM"),
    ("core.providers.replicate", "PREDICTION_ID", "ufawqhfynnddngldkgtslldrkq"),
    ("core.providers.wavespeed", "MODEL_PATH", "wavespeed-ai/infinitetalk/video-to-video"),
    ("core.providers.google", "OPERATION_NAME",
     "projects/p-1/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/ab-12"),
])
def test_real_provider_ids_pass(module, pattern, value):
    _check(module, pattern, value, "id")


@pytest.mark.parametrize("ref", ["owner/../x", "../a", "a/b/c", "a/b:../../x", "a b/c", "/a/b"])
def test_hostile_replicate_model_refs_are_refused(ref):
    from core.providers.replicate import split_model_ref

    with pytest.raises(InvalidInput) as err:
        split_model_ref(ref)
    assert err.value.field == "model"


def test_an_elevenlabs_request_with_a_hostile_voice_is_never_built(data_dir):
    from core.providers.elevenlabs import ElevenLabsAdapter
    from core.registry import get_registry

    cap = get_registry().get(provider="elevenlabs", model="eleven_multilingual_v2")
    with pytest.raises(InvalidInput) as err:
        ElevenLabsAdapter().build_request(cap=cap, params={"text": "Hi", "voice_id": "../../v1/voices?x="}, inputs={})
    assert err.value.field == "voice_id"


# --- character ids --------------------------------------------------------------------------------------

SCRIPT = """INT. ROOM - DAY

מאיה
שלום.

דוד
שלום לך.

健二
こんにちは。

MAYA
Hello.

MÁYA
Hola.
"""


def test_character_ids_for_any_script_never_collide(client):
    pid = client.post("/projects", json={"name": "Babel"}).json()["id"]
    assert client.post(f"/projects/{pid}/scripts", json={"text": SCRIPT}).status_code == 201
    chars = client.post(f"/projects/{pid}/breakdown", json={"mode": "fountain"}).json()["characters"]
    ids = {c["name"].casefold(): c["character_id"] for c in chars}
    assert len(set(ids.values())) == len(ids) == 5, ids
    assert ids["健二".casefold()] == "jianer" and ids["maya"] == "maya" and ids["máya"].startswith("maya-")
    assert all(cid and cid != "character" for cid in ids.values())
    again = client.post(f"/projects/{pid}/breakdown", json={"mode": "fountain"}).json()["characters"]
    assert {c["character_id"] for c in again} == set(ids.values())  # stable across re-runs


@pytest.mark.parametrize("name,expected", [("健二", "jianer"), ("דוד", "dvd"), ("Zoë", "zoe"), ("!!!", None)])
def test_character_slug_transliterates_or_hashes(name, expected):
    from core.breakdowns import character_slug

    slug = character_slug(name)
    assert slug == expected if expected else (slug.startswith("c-") and len(slug) == 10 and character_slug(name) == slug)


# --- messages -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("exc,leak", [
    (ValueError("cannot identify image file '/srv/storyreel/data/media/1/x.png'"), "/srv/"),
    (OSError("cv2.error: OpenCV(4.10) /io/opencv/modules/imgproc/src/resize.cpp:4152: error"), "OpenCV"),
    (KeyError("Replacement index 3 out of range for positional args tuple"), "Replacement index"),
])
def test_job_errors_carry_no_paths_or_library_text(exc, leak):
    from core.errors import public_message

    message = public_message(exc, doing="the job")
    assert leak not in message and "server log" in message


def test_core_error_messages_lose_absolute_paths(client):
    from core.errors import RenderError, public_message

    message = public_message(RenderError("could not open /tmp/pytest-9/data/renders/abc/film.mp4 for writing"))
    assert "/tmp/" not in message and "film.mp4" in message
