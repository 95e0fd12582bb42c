"""Audio mix: ducking dynamics, loudness targets and true peak, measured independently."""
import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from core.render.mix import BLOCK, RATE, duck_envelope, load_audio, measure_loudness, mix_timeline
from core.errors import InvalidInput
from core.timeline.model import AudioItem, Timeline, VideoItem


def _independent_tp(x):
    return 20 * np.log10(np.abs(resample_poly(x, 4, 1, axis=0)).max())


def test_duck_envelope_has_attack_and_release():
    voice = np.zeros((RATE * 4, 2), np.float32)
    t = np.arange(RATE) / RATE
    voice[RATE:2 * RATE, 0] = voice[RATE:2 * RATE, 1] = 0.3 * np.sin(2 * np.pi * 200 * t)
    g = duck_envelope(voice=voice)  # dB per 1 ms block
    ms = lambda s: int(s * 1000)  # noqa: E731
    assert g[ms(0.9)] == pytest.approx(0.0, abs=0.01)           # before speech: no ducking
    assert -12 < g[ms(1.02)] < -1                               # attack under way, not a step
    assert g[ms(1.5)] == pytest.approx(-12.0, abs=0.3)          # fully ducked under speech
    after = g[ms(2.0) + 80 + 200]                               # 200 ms into the release
    assert -12 < after < -2
    assert g[ms(3.9)] > -0.5                                    # recovered between lines


def test_duck_holds_through_short_pauses_and_releases_after_long_ones():
    """Two speakers 0.6 s apart: the music stays down in the gap; after a 2.5 s pause it comes back."""
    voice = np.zeros((RATE * 10, 2), np.float32)
    t = np.arange(RATE) / RATE
    burst = 0.3 * np.sin(2 * np.pi * 200 * t)
    for start in (1.0, 2.6, 5.6):  # gaps: 2.0–2.6 (0.6 s), 3.6–5.6 (2.0 s)
        a = int(start * RATE)
        voice[a:a + RATE, 0] = voice[a:a + RATE, 1] = burst
    g = duck_envelope(voice=voice)
    ms = lambda s: int(s * 1000)  # noqa: E731
    assert g[ms(2.0):ms(2.6)].max() < -11.0          # short pause: held
    assert g[ms(4.6):ms(5.5)].max() > -1.0           # long pause: the music is back
    assert g[ms(7.5):].max() > -0.5                  # after the last line too
    swell = duck_envelope(voice=voice, hold_s=0.0)   # without the hold the gap swells
    assert swell[ms(2.0):ms(2.6)].max() > -9.0


def _tone_file(path, seconds, freq, amp, rate=44_100):
    t = np.arange(int(seconds * rate)) / rate
    sf.write(str(path), (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate)
    return str(path)


def test_load_resamples_to_48k_stereo(tmp_path):
    x = load_audio(path=_tone_file(tmp_path / "a.wav", 1.0, 440, 0.5))
    assert x.shape == (RATE, 2) and x.dtype == np.float32


@pytest.mark.parametrize("target", [-14.0, -16.0, -23.0])
def test_mix_hits_loudness_target_with_true_peak_ceiling(tmp_path, target, tools):
    voice_path, _ = tools.synth.voice_line(tmp_path / "v.wav", text="Hello there, who is it? Open the door!", seed=3)
    music = tools.synth.music_bed(tmp_path / "m.wav", seconds=3)
    tl = Timeline(fps=24, width=320, height=180, items=(
        VideoItem(shot_id="a", start_s=0, duration_s=8, source="x.png"),
        AudioItem(track="music", item_id="music", start_s=0, duration_s=8, path=music, loop=True, gain_db=-6),
        AudioItem(track="voice", item_id="v", start_s=1, duration_s=4, path=voice_path, gain_db=6),
        AudioItem(track="sfx", item_id="s", start_s=6, duration_s=0.5, path=tools.synth.sfx(tmp_path / "s.wav"), gain_db=12),
    ))
    out = tmp_path / "mix.wav"
    mix = mix_timeline(timeline=tl, out_path=str(out), loudness_lufs=target)
    data, rate = sf.read(str(out), always_2d=True)
    assert rate == RATE and data.shape == (8 * RATE, 2)
    assert pyloudnorm.Meter(rate).integrated_loudness(data) == pytest.approx(target, abs=0.5)
    assert _independent_tp(data) <= -1.0
    lufs, tp = measure_loudness(path_or_array=str(out))
    assert lufs == pytest.approx(mix.lufs, abs=0.05) and tp == pytest.approx(_independent_tp(data), abs=0.05)
    assert mix.duck_gain_db.min() < -10  # music was ducked somewhere


def test_bad_target_and_missing_rate_are_named(tmp_path):
    tl = Timeline(items=(VideoItem(shot_id="a", start_s=0, duration_s=1, source="x.png"),))
    with pytest.raises(InvalidInput) as exc:
        mix_timeline(timeline=tl, loudness_lufs=-10)
    assert exc.value.field == "loudness_lufs"
    with pytest.raises(InvalidInput) as exc:
        measure_loudness(path_or_array=np.zeros((48000, 2)))
    assert exc.value.field == "rate"


def test_fast_gated_loudness_matches_pyloudnorm(tmp_path, tools):
    from core.render.mix import gated_loudness, k_weighted_power

    rng = np.random.default_rng(0)
    t = np.arange(RATE * 6) / RATE
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t) * (t % 2 < 1.3), 0.05 * rng.standard_normal(t.size)], axis=1)
    x[RATE * 4:] *= 0.01  # a quiet tail the relative gate must drop
    ref = pyloudnorm.Meter(RATE).integrated_loudness(x)
    assert gated_loudness(k_weighted_power(x, rate=RATE), rate=RATE) == pytest.approx(ref, abs=0.01)


@pytest.mark.parametrize("n", [1, 13, 48000 + 7])
def test_oversampled_peaks_are_the_x4_resampled_signal_s_peaks(n):
    """The per-phase filters give what scipy's ×4 polyphase resampler gives (BS.1770 annex 2's
    48-tap filter), at the edges too, and an inter-sample peak above every sample is found."""
    from scipy.signal import resample_poly

    from core.render.mix import _TP_FILTER, oversampled_peaks

    x = (np.random.default_rng(n).standard_normal((n, 2)) * 0.3).astype(np.float32)
    ref = np.zeros(n, dtype=np.float32)
    for c in range(2):
        ref = np.maximum(ref, np.abs(resample_poly(x[:, c], 4, 1, window=_TP_FILTER)).reshape(n, 4).max(axis=1))
    assert np.abs(oversampled_peaks(x) - ref).max() < 1e-6
    t = np.arange(4800)  # a sine at fs/4 sampled at 45°: every sample at 0.707 of its true peak
    tone = np.sin(np.pi / 2 * t + np.pi / 4).astype(np.float32)
    assert oversampled_peaks(tone).max() > 0.95 and np.abs(tone).max() < 0.71
