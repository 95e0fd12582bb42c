import io

import numpy as np
import pytest
import soundfile as sf

from core.errors import InvalidInput
from core.providers.local import tts
from core.providers.local.music import music_bed
from core.providers.local.pitch import median_f0
from core.providers.local.sfx import SFX_NAMES, sound_effect
from core.providers.local.v2v import convert_voice
from core.providers.local.voices import LOCAL_VOICES, assign_voices, voice_for_character


def _read(b):
    data, sr = sf.read(io.BytesIO(b), always_2d=True)
    return data, sr


def _rms(x):
    return float(np.sqrt(np.mean(np.square(x))))


def test_piper_speech_is_audible_plausible_and_timed(speech):
    assert speech.engine == "piper"
    data, sr = _read(speech.wav_bytes)
    assert data.shape[1] == 1 and sr == speech.sample_rate
    assert _rms(data) > 0.05
    assert 1.8 < speech.duration_s < 6.0  # nine words
    words = [w.word.strip(",.?!") for w in speech.words]  # tokens keep their punctuation for subtitles
    assert words == ["Where", "were", "you", "last", "night", "Tom", "I", "waited", "and", "waited"]
    ends = 0.0
    for w in speech.words:
        assert ends - 1e-6 <= w.start_s < w.end_s <= speech.duration_s
        ends = w.end_s


def test_voices_differ_in_pitch_and_are_stable():
    low = tts.synthesize(text="Hello there.", voice="local-deep")
    high = tts.synthesize(text="Hello there.", voice="local-child")
    f_low = median_f0(_read(low.wav_bytes)[0][:, 0], low.sample_rate)
    f_high = median_f0(_read(high.wav_bytes)[0][:, 0], high.sample_rate)
    assert f_high > f_low * 1.6
    assert voice_for_character(name="Maya") == voice_for_character(name=" maya ") in LOCAL_VOICES
    cast = assign_voices(names=["MAYA", "TOM", "ANNA", "LEO"])
    assert len(set(cast.values())) == 4


def test_fallback_voice_when_piper_cannot_load(monkeypatch):
    def broken():
        raise RuntimeError("model missing")
    monkeypatch.setattr(tts, "load_piper", broken)
    r = tts.synthesize(text="Nobody called me back.", voice="local-warm")
    assert r.engine == "fallback-formant"
    assert _rms(_read(r.wav_bytes)[0]) > 0.05
    assert len(r.words) == 4 and r.words[-1].end_s <= r.duration_s


def test_tts_rejects_bad_input():
    with pytest.raises(InvalidInput) as e:
        tts.synthesize(text="  ...  ")
    assert e.value.field == "text"
    with pytest.raises(InvalidInput) as e:
        tts.synthesize(text="hi", voice="nobody")
    assert e.value.field == "voice"


def test_v2v_keeps_duration_and_moves_pitch(speech, tmp_path):
    src = tmp_path / "in.wav"
    src.write_bytes(speech.wav_bytes)
    out = convert_voice(audio=src, voice="local-child")
    a, sr = _read(speech.wav_bytes)
    b, sr2 = _read(out)
    assert sr == sr2 and abs(len(a) - len(b)) <= 0.01 * len(a)
    assert median_f0(b[:, 0], sr) > median_f0(a[:, 0], sr) * 1.5
    down = _read(convert_voice(audio=src, voice="local-joe", pitch_shift=-5.0))[0]
    assert median_f0(down[:, 0], sr) < median_f0(a[:, 0], sr) * 0.85


def test_music_has_duration_is_stereo_audible_and_loops():
    data, sr = _read(music_bed(genre="comedy", mood="upbeat", duration_s=6.0, sample_rate=22050))
    assert data.shape == (6 * 22050, 2)
    assert _rms(data) > 0.05
    # Loop seam: the jump from the last sample to the first is no bigger than normal sample steps.
    steps = np.abs(np.diff(data[:, 0]))
    assert abs(data[0, 0] - data[-1, 0]) < np.percentile(steps, 99.9) + 1e-3
    calm = _read(music_bed(genre="drama", mood="calm", duration_s=6.0, sample_rate=22050))[0]
    assert np.abs(calm - data).mean() > 0.01  # genre and mood change the music


def test_each_sfx_is_audible_distinct_and_cached(tmp_path):
    from core.settings import get_settings

    spectra = {}
    for name in SFX_NAMES:
        data, sr = _read(sound_effect(name=name, duration_s=1.5))
        assert abs(len(data) / sr - 1.5) < 0.01 and _rms(data) > 0.02, name
        power = np.abs(np.fft.rfft(data[:, 0])) ** 2
        freqs = np.fft.rfftfreq(len(data), 1 / sr)
        edges = np.geomspace(30, 16000, 21)  # log-spaced bands, as ears hear
        bands = np.array([power[(freqs >= lo) & (freqs < hi)].sum() for lo, hi in zip(edges, edges[1:])])
        spectra[name] = bands / bands.sum()
    names = list(spectra)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert np.abs(spectra[a] - spectra[b]).sum() > 0.3, (a, b)
    assert len(list((get_settings().cache_dir / "sfx").glob("*.wav"))) == len(SFX_NAMES)
    with pytest.raises(InvalidInput) as e:
        sound_effect(name="laser")
    assert e.value.field == "name"
