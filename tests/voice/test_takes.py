"""Takes as assets: normalisation to mono WAV, metadata, listing, rename, delete, uploads."""
import io
import subprocess

import numpy as np
import pytest
import soundfile as sf

from core.errors import InvalidInput, NotFound
from core.media.ffmpeg import ffmpeg_exe
from core.media_assets import asset_path, create_asset, get_asset
from core.recording import (
    delete_take, import_take, list_takes, normalise_take, rename_take, save_take,
)


def read(asset):
    data, sr = sf.read(str(asset_path(media_id=asset.media_id)), always_2d=True)
    info = sf.info(str(asset_path(media_id=asset.media_id)))
    return data, sr, info


def test_save_take_from_stereo_int16_is_mono_wav_with_metadata(project, sig):
    mono = sig.speechlike(1.0, 48000)
    stereo = (np.stack([mono, mono], axis=1) * 32767).astype(np.int16)
    take = save_take(project_id=project.id, audio=stereo, sample_rate=48000, character_id="maya",
                     shot_id=7, line_index=1, label="first try")
    data, sr, info = read(take)
    assert (sr, data.shape[1], info.subtype) == (48000, 1, "PCM_16")
    assert take.type == "voice" and take.provider == "recording" and take.operation == "take"
    assert take.duration_s == pytest.approx(1.0, abs=0.001)
    assert take.extra["line_index"] == 1 and take.extra["label"] == "first try"
    assert take.extra["character_id"] == "maya" and take.shot_id == 7
    assert sig.rms_dbfs(data[:, 0]) == pytest.approx(sig.rms_dbfs(mono), abs=0.5)


@pytest.mark.parametrize("rate,expected", [(44100, 44100), (48000, 48000), (16000, 48000), (22050, 48000)])
def test_rates_kept_or_resampled_to_48k(rate, expected, sig):
    wav, sr, duration, stats = normalise_take(audio=sig.speechlike(0.5, rate), sample_rate=rate)
    assert sr == expected and duration == pytest.approx(0.5, abs=0.01)
    assert sf.info(io.BytesIO(wav)).samplerate == expected and stats["rms_dbfs"] > -30


def test_float_wav_bytes_are_normalised_to_16_bit(sig):
    wav, sr, _, _ = normalise_take(audio=sig.wav_bytes(sig.speechlike(0.5), 48000, "FLOAT"), sample_rate=None)
    assert sf.info(io.BytesIO(wav)).subtype == "PCM_16" and sr == 48000


@pytest.mark.parametrize("audio", [np.zeros(100), b"not a wav at all"])
def test_too_short_or_unreadable_audio_is_refused(audio):
    with pytest.raises(InvalidInput) as err:
        normalise_take(audio=audio, sample_rate=48000)
    assert err.value.field == "audio"


def test_list_filters_rename_and_delete(project, sig):
    a = save_take(project_id=project.id, audio=sig.speechlike(0.5), sample_rate=48000, character_id="maya")
    b = save_take(project_id=project.id, audio=sig.speechlike(0.6), sample_rate=48000, character_id="tom",
                  shot_id=3, line_index=0)
    assert {t.media_id for t in list_takes(project_id=project.id)} == {a.media_id, b.media_id}
    assert [t.media_id for t in list_takes(project_id=project.id, character_id="maya")] == [a.media_id]
    assert [t.media_id for t in list_takes(project_id=project.id, shot_id=3, line_index=0)] == [b.media_id]
    assert list_takes(project_id=project.id, shot_id=3, line_index=1) == []

    renamed = rename_take(media_id=a.media_id, label="  Maya,   calm  ")
    assert get_asset(media_id=a.media_id).label == "Maya, calm" == renamed.extra["label"]
    with pytest.raises(InvalidInput) as err:
        rename_take(media_id=a.media_id, label="   ")
    assert err.value.field == "label"

    path = asset_path(media_id=a.media_id)
    delete_take(media_id=a.media_id)
    assert not path.exists()
    with pytest.raises(NotFound):
        get_asset(media_id=a.media_id)
    assert [t.media_id for t in list_takes(project_id=project.id)] == [b.media_id]


def test_delete_keeps_a_file_another_asset_shares(project, sig):
    take = save_take(project_id=project.id, audio=sig.speechlike(0.5), sample_rate=48000)
    path = asset_path(media_id=take.media_id)
    twin = create_asset(type="voice", project_id=project.id, src_path=path, mime="audio/wav", provider="local")
    delete_take(media_id=take.media_id)
    assert path.exists() and asset_path(media_id=twin.media_id) == path


def test_delete_refuses_what_is_not_a_take(project):
    other = create_asset(type="voice", project_id=project.id, data=b"RIFF....WAVE", mime="audio/wav", provider="local")
    with pytest.raises(NotFound):
        delete_take(media_id=other.media_id)
    assert get_asset(media_id=other.media_id)


def _encode(samples, rate, fmt, codec):
    wav = io.BytesIO()
    sf.write(wav, samples, rate, format="WAV")
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "-",
                           "-c:a", codec, "-f", fmt, "-"], input=wav.getvalue(), capture_output=True, check=True)
    return proc.stdout


@pytest.mark.parametrize("name,fmt,codec", [("line.mp3", "mp3", "libmp3lame"), ("line.ogg", "ogg", "libvorbis"),
                                            ("line.webm", "webm", "libopus")])
def test_import_decodes_compressed_audio(project, sig, name, fmt, codec):
    data = _encode(sig.speechlike(1.2, 44100), 44100, fmt, codec)
    take = import_take(project_id=project.id, name=name, data=data, character_id="tom")
    samples, sr, _ = read(take)
    assert sr == 48000 and samples.shape[1] == 1
    assert take.duration_s == pytest.approx(1.2, abs=0.08)
    assert sig.rms_dbfs(samples) > -30, "decoded audio is not silent"
    assert take.label == "line" and take.extra["source"] == "upload" and take.character_id == "tom"


def test_import_wav_keeps_44k(project, sig):
    take = import_take(project_id=project.id, name="mine.wav", data=sig.wav_bytes(sig.speechlike(0.8, 44100), 44100))
    assert read(take)[1] == 44100


@pytest.mark.parametrize("data,needle", [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"),
    (b"hello, this is plain text pretending to be audio", "not a known audio format"),
    (b"", "empty"),
])
def test_import_refuses_mislabelled_non_audio(project, data, needle):
    with pytest.raises(InvalidInput) as err:
        import_take(project_id=project.id, name="take.wav", data=data)
    assert err.value.field == "audio" and needle in err.value.message and "take.wav" in err.value.message
    assert list_takes(project_id=project.id) == []


def test_import_refuses_oversized_upload(project, monkeypatch):
    import core.recording.takes as takes

    monkeypatch.setattr(takes, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(InvalidInput) as err:
        import_take(project_id=project.id, name="long.wav", data=b"RIFF" + b"\0" * 2000)
    assert err.value.field == "audio" and "limited" in err.value.message
