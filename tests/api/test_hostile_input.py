"""Hostile input through the API: text limits (NUL, lone surrogates, length), ids bound for provider
URLs, render options, junk and bomb uploads (issue 16 points 3–6). Each is a 422 naming the field
(nothing queued, nothing stored) and the server stays healthy."""
from __future__ import annotations

import pytest

from core.limits import MAX_NAME_CHARS, MAX_PROMPT_CHARS, MAX_TTS_CHARS
from tests.api.hostile import healthy, media_count, refused  # noqa: F401 (fixture)
from tests.api.test_api_security import _wav
from tests.emulators.media import clip_mp4, seeded_png, tone_mp3

pytestmark = pytest.mark.usefixtures("healthy")

NUL, SURROGATE = "a\u0000b", "\\ud800"   # the surrogate is sent as a raw JSON escape


def _raw(client, method: str, path: str, json_text: str):
    return client.request(method, path, content=json_text.encode(), headers={"Content-Type": "application/json"})


# --- text ---------------------------------------------------------------------------------------------

TEXT_FIELDS = [  # (method, path template, body builder, field)
    ("POST", "/projects", lambda v: {"name": v}, "name"),
    ("POST", "/projects", lambda v: {"name": "P", "genre": v}, "genre"),
    ("PATCH", "/projects/{pid}", lambda v: {"logline": v}, "logline"),
    ("PATCH", "/projects/{pid}", lambda v: {"art_style": v}, "art_style"),
    ("POST", "/projects/{pid}/scripts", lambda v: {"text": v}, "text"),
    ("POST", "/projects/{pid}/scripts", lambda v: {"text": "INT. X", "title": v}, "title"),
    ("PATCH", "/scenes/{scene}", lambda v: {"heading": v}, "heading"),
    ("PATCH", "/shots/{shot}", lambda v: {"action": v}, "action"),
    ("PATCH", "/shots/{shot}", lambda v: {"prompt": v}, "prompt"),
    ("PATCH", "/projects/{pid}/characters/maya", lambda v: {"name": v}, "name"),
    ("PATCH", "/projects/{pid}/characters/maya", lambda v: {"description": v}, "description"),
    ("POST", "/ai/voice/tts", lambda v: {"provider": "local", "model": "tts", "text": v}, "text"),
]


def _path(template: str, project: dict) -> str:
    scene = project["scenes"][0]
    return template.format(pid=project["id"], scene=scene["id"], shot=scene["shots"][0]["id"])


@pytest.mark.parametrize("method,template,build,field", TEXT_FIELDS)
def test_nul_bytes_are_refused(client, project, method, template, build, field):
    refused(client.request(method, _path(template, project), json=build(NUL)), 422, field, "invalid_input")


@pytest.mark.parametrize("method,template,build,field", TEXT_FIELDS)
def test_lone_surrogates_are_refused(client, project, method, template, build, field):
    import json

    text = json.dumps(build("__S__")).replace("__S__", SURROGATE)
    refused(_raw(client, method, _path(template, project), text), 422, field, "invalid_input")


@pytest.mark.parametrize("method,template,build,field,size", [
    ("POST", "/projects", lambda v: {"name": v}, "name", MAX_NAME_CHARS + 1),
    ("POST", "/projects/{pid}/scripts", lambda v: {"text": v}, "text", 500_001),
    ("POST", "/ai/voice/tts", lambda v: {"provider": "local", "model": "tts", "text": v}, "text", MAX_TTS_CHARS + 1),
    ("PATCH", "/shots/{shot}", lambda v: {"action": v}, "action", 4001),
    ("PATCH", "/projects/{pid}/characters/maya", lambda v: {"style_tokens": v}, "style_tokens", 1001),
])
def test_text_over_its_limit_is_refused(client, project, method, template, build, field, size):
    refused(client.request(method, _path(template, project), json=build("x" * size)), 422, field, "invalid_input")


@pytest.mark.parametrize("params,field", [
    ({"prompt": "x" * (1 << 20)}, "params.prompt"),            # the 1 MB prompt of the report
    ({"prompt": "x" * (MAX_PROMPT_CHARS + 1)}, "params.prompt"),
    ({"prompt": NUL}, "params.prompt"),
    ({"prompt": "ok", "negative_prompt": NUL}, "params.negative_prompt"),
    ({"prompt": "ok", "style": ["a", NUL]}, "params.style"),
    ({"prompt": "ok", NUL: 1}, "params.a\u0000b"),
])
def test_provider_params_text_is_checked_before_queueing(client, params, field):
    answer = client.post("/ai/image/generate", json={"provider": "local", "model": "keyframe", "params": params})
    refused(answer, 422, field.split("\u0000")[0] if "\u0000" in field else field, "invalid_input")
    assert client.get("/jobs/x").status_code in (404, 422) and media_count() == 0


# --- ids bound for provider URLs ------------------------------------------------------------------------

HOSTILE_VOICE_IDS = ["../../v1/voices?x=", "..", "a/b", "a?b=1", "a#frag", "%2e%2e%2f", "a b", "x" * 65,
                     "voice\u0000", "ü", "a\\b", ""]


@pytest.mark.parametrize("voice_id", HOSTILE_VOICE_IDS)
def test_hostile_voice_ids_never_reach_a_provider_url(client, voice_id):
    answer = client.post("/ai/voice/tts", json={"provider": "elevenlabs", "model": "eleven_multilingual_v2",
                                                "text": "Hello.", "voice_id": voice_id})
    refused(answer, 422, "voice_id", "invalid_input")


@pytest.mark.parametrize("voice_id", ["../../v1/voices?x=", "a/b", "x" * 65])
def test_hostile_voice_ids_in_multipart_are_refused(client, voice_id):
    answer = client.post("/ai/voice/v2v", files={"audio": ("t.wav", _wav(), "audio/wav")},
                         data={"provider": "local", "model": "v2v", "voice_id": voice_id})
    refused(answer, 422, "voice_id", "invalid_input")
    assert media_count() == 0


# --- render options ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("options,field", [
    ({"short_side": 100000}, "options.short_side"), ({"short_side": 0}, "options.short_side"),
    ({"short_side": -720}, "options.short_side"), ({"short_side": 143}, "options.short_side"),
    ({"short_side": "big"}, "options.short_side"), ({"quality": "ultra"}, "options.quality"),
    ({"count": 0}, "options.count"), ({"count": 11}, "options.count"), ({"count": 10**9}, "options.count"),
    ({"scene_id": 0}, "options.scene_id"), ({"fit": "stretch"}, "options.fit"),
    ({"subtitles": "yes"}, "options.subtitles"), ({"aspect_ratio": "2:1"}, "options.aspect_ratio"),
    ({"loudness_lufs": -15}, "options.loudness_lufs"), ({"loudness_lufs": "loud"}, "options.loudness_lufs"),
    ({"bitrate": "100M"}, "options.bitrate"),
])
def test_render_options_are_checked_before_a_job_is_queued(client, project, options, field):
    scene_id = project["scenes"][0]["id"]
    refused(client.post("/render/scene", json={"scene_id": scene_id, "options": options}), 422, field, "invalid_input")


@pytest.mark.parametrize("body,field", [
    ({"aspect_ratio": "21:9"}, "aspect_ratio"), ({"loudness_lufs": -15.5}, "loudness_lufs"),
    ({"subtitles": "hard"}, "subtitles"), ({"short_side": 4000}, "short_side"),
])
def test_film_render_options_are_checked(client, project, body, field):
    refused(client.post("/render/film", json={"project_id": project["id"], **body}), 422, field, "invalid_input")


def test_render_settings_cap_the_output_in_every_door(data_dir):
    from core.errors import InvalidInput
    from core.render.settings import render_settings

    assert render_settings(options={"short_side": 2160}).short_side == 2160
    with pytest.raises(InvalidInput) as err:
        render_settings(options={"short_side": 100000, "count": 0}, field_prefix="options")
    assert err.value.field == "options.short_side" and "options.count" in err.value.message


# --- uploads: junk and bombs never stored -------------------------------------------------------------

def _junk_uploads() -> list[tuple[str, bytes]]:
    wav = _wav(seconds=1.0)
    return [
        ("wav header + junk", b"RIFF\x24\x08\x00\x00WAVEfmt " + b"\x13\x37" * 3000),
        ("wav header, no data", wav[:44]),
        ("id3 + junk", b"ID3\x03\x00\x00\x00\x00\x00\x0a" + bytes(range(256)) * 40),
        ("mp3 frame sync + junk", b"\xff\xfb\x90\x00" + b"\x00\x11" * 4000),
        ("mp3 truncated to its header", tone_mp3()[:40]),
        ("mp4 ftyp + junk", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16 + b"\x77" * 5000),
        ("ogg page + junk", b"OggS\x00\x02" + b"\x00" * 20 + b"\x55" * 3000),
        ("flac marker + junk", b"fLaC" + b"\x00\x01" * 3000),
        ("a png as audio", seeded_png(width=8, height=8, seed="x")),
        ("a video as audio", clip_mp4(audio=False)),
        ("plain text", b"hello, this is not audio at all" * 10),
        ("html", b"<!doctype html><script>alert(1)</script>"),
    ]


@pytest.mark.parametrize("label,data", _junk_uploads(), ids=[label for label, _ in _junk_uploads()])
def test_junk_audio_uploads_are_refused_and_never_stored(client, label, data):
    answer = client.post("/ai/voice/v2v", files={"audio": ("take.wav", data, "audio/wav")},
                         data={"provider": "local", "model": "v2v", "voice_id": "local-joe"})
    refused(answer, 422, "audio", "invalid_input")
    assert media_count() == 0


@pytest.mark.parametrize("data", [_wav(seconds=0.5), tone_mp3()], ids=["wav", "mp3"])
def test_real_audio_is_accepted_with_its_duration(client, runner, data):
    answer = client.post("/ai/voice/v2v", files={"audio": ("take", data, "application/octet-stream")},
                         data={"provider": "local", "model": "v2v", "voice_id": "local-joe"})
    assert answer.status_code == 202, answer.text
    from core.media_assets import list_assets

    upload = next(a for a in list_assets(project_id=None) if a.provider == "upload")
    assert upload.duration_s and 0.3 < upload.duration_s < 0.8


def _bombs() -> list[tuple[str, bytes]]:
    from tests.api.test_hostile_core import png_of_size

    return [("30000x30000 png bomb", png_of_size(30000, 30000)), ("49 MP png", png_of_size(7000, 7000)),
            ("side over the limit", png_of_size(20000, 100)), ("damaged png body", png_of_size(64, 64)),
            ("jpeg marker + junk", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x99" * 500),
            ("wav header + junk", b"RIFF\x24\x08\x00\x00WAVEfmt " + b"\x13\x37" * 3000),
            ("mp4 ftyp + junk", b"\x00\x00\x00\x18ftypisom" + b"\x42" * 4000)]


@pytest.mark.parametrize("label,data", _bombs(), ids=[label for label, _ in _bombs()])
def test_media_uploads_refuse_bombs_and_junk_naming_the_file(client, label, data):
    answer = client.post("/media", files={"file": ("upload.png", data, "image/png")})
    refused(answer, 422, "file", "invalid_input")
    assert media_count() == 0
