import numpy as np
import pytest

from core.errors import InvalidInput
from core.media.wav import to_wav_bytes
from core.media.info import probe, sniff_media_type


def test_sniff_known_headers():
    assert sniff_media_type(data=b"\x89PNG\r\n\x1a\n" + b"0" * 20) == "image/png"
    assert sniff_media_type(data=b"\xff\xd8\xff\xe0" + b"0" * 20) == "image/jpeg"
    assert sniff_media_type(data=b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_media_type(data=b"RIFF\x00\x00\x00\x00WAVEfmt ") == "audio/wav"
    assert sniff_media_type(data=b"\x00\x00\x00\x18ftypisom" + b"0" * 8) == "video/mp4"
    assert sniff_media_type(data=b"ID3\x04" + b"0" * 10) == "audio/mpeg"
    assert sniff_media_type(data=b"OggS" + b"0" * 10) == "audio/ogg"
    assert sniff_media_type(data=b"\x1a\x45\xdf\xa3" + b"\x00" * 10 + b"webm" + b"A_OPUS") == "audio/webm"
    assert sniff_media_type(data=b"hello world") is None
    assert sniff_media_type(data=b"") is None


def test_probe_wav_and_rejects_non_media(tmp_path):
    p = tmp_path / "a.wav"
    p.write_bytes(to_wav_bytes(np.zeros((22050, 2)), 22050))
    info = probe(path=p)
    assert (info.kind, info.sample_rate, info.channels) == ("audio", 22050, 2)
    assert abs(info.duration_s - 1.0) < 0.02
    bad = tmp_path / "x.mp4"
    bad.write_bytes(b"not a video at all" * 10)
    with pytest.raises(InvalidInput) as e:
        probe(path=bad)
    assert e.value.field == "path"
    with pytest.raises(InvalidInput):
        probe(path=tmp_path / "missing.wav")
