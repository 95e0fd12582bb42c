"""Sound effects synthesised from noise and oscillators, cached on disk at first use
(``settings.cache_dir/sfx``) so the same effect is made once per name, length and seed."""
from __future__ import annotations


import numpy as np
from scipy.signal import butter, sosfilt

from core.media.files import atomic_write_bytes
from core.errors import InvalidInput
from core.media.wav import to_wav_bytes
from core.settings import get_settings

SFX_NAMES = ("footsteps", "door", "wind", "rain", "crowd", "car", "birds", "thunder", "whoosh", "impact", "sea",
             "clock", "glass", "phone")
SR = 44100
VERSION = 2  # bump when the synthesis changes, so cached files are not reused


def _bp(x, lo, hi, order=2):
    return sosfilt(butter(order, [lo, hi], btype="band", fs=SR, output="sos"), x)


def _lp(x, f, order=2):
    return sosfilt(butter(order, f, btype="low", fs=SR, output="sos"), x)


def _hp(x, f, order=2):
    return sosfilt(butter(order, f, btype="high", fs=SR, output="sos"), x)


def _env(n, attack, decay):
    t = np.arange(n) / SR
    return np.minimum(1, t / max(attack, 1e-4)) * np.exp(-t / decay)


def _place(out, start, sig):
    end = min(len(out), start + len(sig))
    if start < end:
        out[start:end] += sig[: end - start]


def _footsteps(n, rng):
    """Steps of a person walking: the pace drifts, each step's time, weight and heel/toe timbre vary
    (a fixed 0.52 s beat of identical clicks sounded like a metronome)."""
    out = np.zeros(n)
    t = 0.1 + rng.uniform(0, 0.15)
    pace = rng.uniform(0.45, 0.62)
    i = 0
    while t < n / SR:
        m = int(0.12 * SR)
        heel = _lp(rng.standard_normal(m), rng.uniform(600, 1300)) * _env(m, 0.002, rng.uniform(0.02, 0.045))
        scuff = _bp(rng.standard_normal(m), rng.uniform(1500, 2500), rng.uniform(4000, 6500)) * _env(m, 0.001, 0.012)
        weight = (1.0 if i % 2 else 0.78) * rng.uniform(0.75, 1.1)
        _place(out, int(t * SR), weight * (heel + rng.uniform(0.15, 0.45) * scuff))
        pace = float(np.clip(pace + rng.normal(0, 0.02), 0.4, 0.7))
        t += pace * rng.uniform(0.9, 1.1)
        i += 1
    return out


def _door(n, rng):
    out = np.zeros(n)
    creak_n = min(n, int(1.2 * SR))
    t = np.arange(creak_n) / SR
    f = 180 + 60 * np.sin(2 * np.pi * 1.3 * t) + 20 * rng.standard_normal(creak_n).cumsum() / SR
    creak = np.sign(np.sin(2 * np.pi * np.cumsum(f) / SR)) * 0.3
    out[:creak_n] += _bp(creak, 300, 2500) * np.sin(np.pi * t / t[-1]) ** 2
    slam_at = int(min(n - 1, 1.3 * SR))
    m = int(0.6 * SR)
    slam = np.sin(2 * np.pi * 70 * np.arange(m) / SR) * _env(m, 0.001, 0.12) + _lp(rng.standard_normal(m), 1500) * _env(m, 0.001, 0.05)
    _place(out, slam_at, slam)
    return out


def _wind(n, rng):
    t = np.arange(n) / SR
    noise = rng.standard_normal(n)
    gust = 0.5 + 0.5 * np.sin(2 * np.pi * 0.23 * t + rng.uniform(0, 6)) * np.sin(2 * np.pi * 0.07 * t + 1)
    low = _bp(noise, 200, 700) * (0.4 + gust)
    high = _bp(noise, 700, 1800) * gust ** 2
    return low + 0.5 * high


def _rain(n, rng):
    out = 0.25 * _hp(rng.standard_normal(n), 3000)
    # Drops: random impulses convolved with one short noise click, filtered once (fast).
    impulses = np.zeros(n)
    idx = rng.integers(0, n, int(n / SR * 300))
    impulses[idx] = rng.uniform(0.3, 1.0, len(idx))
    m = int(0.006 * SR)
    click = rng.standard_normal(m) * _env(m, 0.0002, 0.0015)
    out += _hp(np.convolve(impulses, click)[:n], 2000)
    return out


def _crowd(n, rng):
    out = np.zeros(n)
    t = np.arange(n) / SR
    for _ in range(14):  # voices: glottal buzz through a vowel-ish band, syllable-rate gating
        f0 = rng.uniform(90, 240)
        buzz = np.sign(np.sin(2 * np.pi * f0 * t + rng.uniform(0, 6)))
        voiced = _bp(buzz, rng.uniform(300, 600), rng.uniform(1200, 2600))
        gate = np.clip(np.sin(2 * np.pi * rng.uniform(3, 6) * t + rng.uniform(0, 6)), 0, 1) * \
            (np.sin(2 * np.pi * rng.uniform(0.1, 0.4) * t + rng.uniform(0, 6)) > -0.3)
        out += voiced * _lp(gate.astype(float), 20)
    return out


def _car(n, rng):
    t = np.arange(n) / SR
    dur = n / SR
    pass_curve = np.exp(-((t - dur / 2) / (dur / 5)) ** 2)  # approaches, passes, recedes
    f = 38 * (1 + 0.06 * np.tanh((dur / 2 - t) * 3))  # Doppler: higher coming, lower going
    phase = 2 * np.pi * np.cumsum(f) / SR
    engine = sum(np.sin(k * phase) / k for k in range(1, 8))
    tyres = _bp(rng.standard_normal(n), 400, 2000) * 0.4
    return (engine + tyres) * (0.15 + pass_curve)


def _birds(n, rng):
    out = np.zeros(n)
    for t in np.sort(rng.uniform(0, n / SR - 0.2, max(3, int(n / SR * 4)))):
        m = int(rng.uniform(0.05, 0.14) * SR)
        tt = np.arange(m) / SR
        f = rng.uniform(2500, 4000) + rng.uniform(800, 2000) * np.sin(np.pi * tt / tt[-1]) * rng.choice([-1, 1])
        chirp = np.sin(2 * np.pi * np.cumsum(f) / SR) * np.sin(np.pi * tt / tt[-1]) ** 2
        _place(out, int(t * SR), chirp * rng.uniform(0.4, 1))
    return out


def _thunder(n, rng):
    brown = np.cumsum(rng.standard_normal(n))
    brown = _hp(brown - brown.mean(), 25)
    rumble = _lp(brown, 180) * _env(n, 0.15, n / SR / 3)
    crack = _hp(rng.standard_normal(n), 800) * _env(n, 0.002, 0.08)
    return rumble / (np.max(np.abs(rumble)) or 1) + 0.5 * crack


def _whoosh(n, rng):
    t = np.arange(n) / SR
    bell = np.sin(np.pi * t / t[-1]) ** 3
    noise = rng.standard_normal(n)
    # Sweep a band upward then down by crossfading two filtered copies along the bell.
    return (_bp(noise, 300, 1200) * (1 - bell) + _bp(noise, 1200, 5000) * bell) * bell


def _impact(n, rng):
    m = min(n, int(1.5 * SR))
    out = np.zeros(n)
    tt = np.arange(m) / SR
    boom = np.sin(2 * np.pi * (45 + 40 * np.exp(-tt * 20)) * tt) * _env(m, 0.001, 0.35)
    hit = _lp(rng.standard_normal(m), 3000) * _env(m, 0.0005, 0.03)
    out[:m] = boom + 0.8 * hit
    return out


def _sea(n, rng):
    """Surf: waves every 5–9 s (a swell of low noise, then the hiss of the break running out)."""
    out = 0.15 * _lp(rng.standard_normal(n), 400)
    t = rng.uniform(0, 2.0)
    while t < n / SR:
        m = int(rng.uniform(3.0, 5.0) * SR)
        tt = np.arange(m) / SR
        swell = np.sin(np.pi * np.clip(tt / (m / SR), 0, 1)) ** 2
        hiss = _bp(rng.standard_normal(m), 800, 6000) * np.exp(-np.clip(tt - 0.6 * m / SR, 0, None) * 1.5)
        body = _lp(rng.standard_normal(m), 500)
        _place(out, int(t * SR), (0.8 * body * swell + 0.5 * hiss * swell) * rng.uniform(0.7, 1.0))
        t += rng.uniform(5.0, 9.0)
    return out


def _clock(n, rng):
    """A ticking clock: tick and tock alternate once a second, each a short resonant click."""
    out = np.zeros(n)
    m = int(0.03 * SR)
    for i, t in enumerate(np.arange(0.05, n / SR, 0.5)):
        tt = np.arange(m) / SR
        f = 2600 if i % 2 else 2100
        click = np.sin(2 * np.pi * f * tt) * _env(m, 0.0005, 0.006) + 0.3 * rng.standard_normal(m) * _env(m, 0.0002, 0.002)
        _place(out, int((t + rng.uniform(-0.003, 0.003)) * SR), click * rng.uniform(0.85, 1.0))
    return 0.6 * out


def _glass(n, rng):
    """Glass breaking: a sharp crack, then shards — many short bright tinkles scattering down."""
    out = np.zeros(n)
    m = int(min(n, 0.4 * SR))
    out[:m] += _hp(rng.standard_normal(m), 2500) * _env(m, 0.0005, 0.05)
    for t in np.sort(rng.uniform(0.02, min(1.2, n / SR - 0.05), 40)):
        k = int(rng.uniform(0.01, 0.05) * SR)
        tt = np.arange(k) / SR
        ping = np.sin(2 * np.pi * rng.uniform(3000, 8000) * tt) * _env(k, 0.0005, 0.01)
        _place(out, int(t * SR), ping * rng.uniform(0.2, 0.7) * np.exp(-t * 2))
    return out


def _phone(n, rng):
    """A phone ringing: two-tone bursts of 0.4 s on, 0.2 s off, 0.4 s on, then 2 s of silence."""
    t = np.arange(n) / SR
    tone = 0.5 * (np.sin(2 * np.pi * 440 * t) + np.sin(2 * np.pi * 480 * t)) * np.sign(np.sin(2 * np.pi * 20 * t)).clip(0)
    cycle = t % 3.0
    gate = ((cycle < 0.4) | ((cycle >= 0.6) & (cycle < 1.0))).astype(float)
    return _bp(tone * _lp(gate, 200), 300, 3400)


_MAKERS = {"footsteps": _footsteps, "door": _door, "wind": _wind, "rain": _rain, "crowd": _crowd, "car": _car,
           "birds": _birds, "thunder": _thunder, "whoosh": _whoosh, "impact": _impact, "sea": _sea,
           "clock": _clock, "glass": _glass, "phone": _phone}


def _synth(name: str, duration_s: float, seed: int) -> bytes:
    n = int(round(duration_s * SR))
    rng = np.random.default_rng([seed, SFX_NAMES.index(name)])
    y = _MAKERS[name](n, rng)
    fade = min(n // 4, int(0.02 * SR))  # no clicks at either end
    if fade:
        ramp = np.linspace(0, 1, fade)
        y[:fade] *= ramp
        y[-fade:] *= ramp[::-1]
    peak = float(np.max(np.abs(y))) or 1.0
    return to_wav_bytes(y / peak * 0.8, SR)


def sound_effect(*, name: str, duration_s: float = 3.0, seed: int = 0) -> bytes:
    """Return a mono 16-bit 44.1 kHz WAV of the effect ``name`` lasting ``duration_s`` seconds.

    Made once per (name, duration, seed) and then read from ``settings.cache_dir/sfx``.
    Raises InvalidInput(field="name") for a name outside SFX_NAMES, InvalidInput(field="duration_s")
    outside 0.2–60 s.
    """
    key = (name or "").strip().lower()
    if key not in SFX_NAMES:
        raise InvalidInput(f"name: unknown effect {name!r}; choose one of {', '.join(SFX_NAMES)}", field="name")
    if not isinstance(duration_s, (int, float)) or not 0.2 <= float(duration_s) <= 60:
        raise InvalidInput("duration_s must be from 0.2 to 60 seconds", field="duration_s")
    if not isinstance(seed, int):
        raise InvalidInput("seed must be an integer", field="seed")
    folder = get_settings().cache_dir / "sfx"
    path = folder / f"{key}-{float(duration_s):.3f}s-{seed}-v{VERSION}.wav"
    if path.is_file():
        return path.read_bytes()
    data = _synth(key, float(duration_s), seed)
    atomic_write_bytes(path=path, data=data)
    return data
