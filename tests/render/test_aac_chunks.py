"""The AAC track in cached chunks: it decodes to the samples given (exact length, no shift, no seam
clicks), and a change late in the film re-encodes only the chunks from the change on."""
import hashlib
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest

from core.render.aac import CHUNK_FRAMES, FRAME, ROLL, encode_track
from core.render.encode import AUDIO_ENCODE
from core.render.mux import mux_film

RATE = 48000


def _signal(n, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / RATE
    x = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.15 * np.sin(2 * np.pi * 1500 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0)
    x += 0.05 * rng.standard_normal(n)
    return np.stack([x, 0.7 * x], 1).astype(np.float32)


def _encode(x, tmp_path, name):
    """encode_track over the samples of ``x``, each chunk keyed by its own samples, muxed into
    ``name`` (MP4); returns (encoded, reused) and checks the samples were asked in increasing order."""
    asked = []

    def samples(a, b):
        asked.append(a)
        return x[a:b]

    track = encode_track(total=x.shape[0], rate=RATE, cache=tmp_path, out_path=str(tmp_path / f"{name}.adts"),
                         chunk_key=lambda a, b: hashlib.sha256(x[a:b].tobytes()).hexdigest(), samples=samples)
    assert asked == sorted(asked)
    # muxed as the film's assembly muxes it (its priming before time 0, its end cut), stream copy
    mux_film(segments=[], track=track, out_path=str(tmp_path / name))
    return track.encoded, track.reused


def _direct(x, path, tools):
    """The same samples through one continuous encode with the same settings."""
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac",
                    "2", "-i", "-", *AUDIO_ENCODE, "-f", "mp4", str(path)], input=x.tobytes(), check=True)
    return tools.decode_audio(path)


def _snr(ours, ref):
    return 10 * np.log10((ref ** 2).sum() / (((ours - ref) ** 2).sum() + 1e-20))


@pytest.mark.parametrize("n", [RATE * 12 + 777, CHUNK_FRAMES * FRAME * 2, 5000])
def test_chunks_decode_to_the_samples_exactly(n, tmp_path, tools):
    x = _signal(n)
    encoded, reused = _encode(x, tmp_path, "a.m4a")
    assert encoded == -(-n // (CHUNK_FRAMES * FRAME)) and reused == 0
    ours = tools.decode_audio(tmp_path / "a.m4a")
    direct = _direct(x, tmp_path / "direct.m4a", tools)
    assert ours.shape == x.shape == direct.shape  # priming skipped and the end cut, as a direct encode does
    assert _snr(ours, x) > _snr(direct, x) - 0.5 and _snr(ours, direct) > 25
    seam = CHUNK_FRAMES * FRAME
    if n > 2 * seam:  # no click at a seam: the error there is the codec's noise, as elsewhere
        err = np.abs(ours - x).max(axis=1)
        assert err[seam - 2048:seam + 2048].max() < 3 * err[seam // 2 - 2048:seam // 2 + 2048].max() + 0.01


def test_a_late_change_reencodes_only_the_chunks_from_there(tmp_path, tools):
    n = RATE * 30
    x = _signal(n)
    first = _encode(x, tmp_path, "a.m4a")
    y = np.concatenate([x[: RATE * 20], _signal(RATE * 11, seed=5)])  # from 20 s on: other, and 1 s longer
    encoded, reused = _encode(y, tmp_path, "b.m4a")
    # unchanged: the chunks whose samples, with the roll after them, all lie before 20 s
    assert reused == sum(((i + 1) * CHUNK_FRAMES + ROLL) * FRAME <= RATE * 20 for i in range(8)) == 3
    assert encoded + reused == -(-y.shape[0] // (CHUNK_FRAMES * FRAME)) and encoded < first[0]
    ours = tools.decode_audio(tmp_path / "b.m4a")
    assert ours.shape == y.shape and _snr(ours, y) > _snr(_direct(y, tmp_path / "direct.m4a", tools), y) - 0.5


@pytest.mark.parametrize(("chunks", "runs"), [(23, [8, 8, 7]), (4, [2, 2]), (2, [1, 1]), (40, [8, 8, 8, 8, 8])])
def test_the_chunks_to_encode_are_shared_out_evenly_over_the_encoders(chunks, runs, tmp_path, monkeypatch):
    """Each encoder process costs its start-up and its context frames: a cold film is one run per
    encoder (3), each at most BATCH_CHUNKS long; a short stretch still spreads over the encoders."""
    import core.render.aac as aac

    sizes = []

    def fake_run(todo, *, batch, rate, cancel_event):  # what each encoder would be given
        sizes.append(len(todo))
        for t in todo:
            t.target.write_bytes(b"")

    monkeypatch.setattr(aac, "_encode_run", fake_run)
    n = chunks * CHUNK_FRAMES * FRAME
    encode_track(total=n, rate=RATE, cache=tmp_path, out_path=str(tmp_path / "t.adts"),
                 chunk_key=lambda a, b: f"{a}:{b}", samples=lambda a, b: np.zeros((b - a, 2), np.float32))
    assert sizes == runs and max(sizes) <= aac.BATCH_CHUNKS
