"""Synthesise the evaluation songs: short pieces in distinct styles, rendered with numpy.

    python tests/data/eval/make_songs.py      # writes tests/data/eval/songs/*.ogg

Everything here is generated (same licence as the repository). Each piece has a style a
listener would name at once; queries.json says which words should find it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "songs"
SR = 22_050
SECONDS = 20
rng = np.random.default_rng(42)


def t_axis(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * SR)) / SR


def note_hz(midi: int) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def place(track: np.ndarray, sound: np.ndarray, at: float, gain: float = 1.0) -> None:
    start = int(at * SR)
    end = min(len(track), start + len(sound))
    if start < len(track):
        track[start:end] += gain * sound[: end - start]


def reverb(x: np.ndarray, seconds: float = 1.2, mix: float = 0.25) -> np.ndarray:
    tail = rng.standard_normal(int(seconds * SR)) * np.exp(-np.linspace(0, 7, int(seconds * SR)))
    wet = np.fft.irfft(np.fft.rfft(x, len(x) + len(tail)) * np.fft.rfft(tail, len(x) + len(tail)))[: len(x)]
    return (1 - mix) * x + mix * wet / (np.abs(wet).max() + 1e-9) * np.abs(x).max()


def piano_note(midi: int, length: float = 2.5) -> np.ndarray:
    t = t_axis(length)
    f = note_hz(midi)
    tone = sum(np.sin(2 * np.pi * f * k * t) * (0.6 ** k) * np.exp(-t * (1.5 + k)) for k in range(1, 7))
    return tone * np.minimum(1, t * 200)


def calm_piano() -> np.ndarray:
    track = np.zeros(SECONDS * SR)
    chords = [(60, 64, 67, 72), (57, 60, 64, 69), (53, 57, 60, 65), (55, 59, 62, 67)]
    beat = 60 / 66
    for bar in range(int(SECONDS / (4 * beat)) + 1):
        for i, midi in enumerate(chords[bar % 4]):
            place(track, piano_note(midi), (bar * 4 + i) * beat, 0.5)
        place(track, piano_note(chords[bar % 4][0] - 12, 4.0), bar * 4 * beat, 0.4)
    return reverb(track, 2.0, 0.35)


def kick() -> np.ndarray:
    t = t_axis(0.35)
    return np.sin(2 * np.pi * (50 * t + 90 * (1 - np.exp(-t * 30)) / 30)) * np.exp(-t * 9)


def noise_hit(length: float, decay: float, highpass: bool) -> np.ndarray:
    n = rng.standard_normal(int(length * SR))
    if highpass:
        n = np.diff(n, prepend=0.0)
    return n * np.exp(-t_axis(length) * decay)


def saw(f: float, t: np.ndarray) -> np.ndarray:
    return 2 * ((f * t) % 1.0) - 1


def dance_beat() -> np.ndarray:
    track = np.zeros(SECONDS * SR)
    beat = 60 / 128
    bass_notes = [45, 45, 48, 43]
    for b in range(int(SECONDS / beat)):
        place(track, kick(), b * beat, 0.9)
        place(track, noise_hit(0.05, 60, True), b * beat + beat / 2, 0.25)
        if b % 2 == 1:
            place(track, noise_hit(0.2, 25, False), b * beat, 0.35)
        t = t_axis(beat / 2)
        bass = saw(note_hz(bass_notes[(b // 4) % 4]), t) * np.exp(-t * 6)
        place(track, bass, b * beat + beat / 2, 0.35)
        if b % 4 == 0:
            t = t_axis(beat * 3)
            stab = sum(saw(note_hz(m + 12), t) for m in (57, 60, 64)) * np.exp(-t * 2) / 3
            place(track, stab, b * beat, 0.2)
    return track


def rock_guitar() -> np.ndarray:
    track = np.zeros(SECONDS * SR)
    beat = 60 / 140
    riff = [40, 40, 43, 45, 40, 40, 47, 45]
    for b in range(int(SECONDS / (beat / 2))):
        t = t_axis(beat / 2)
        root = note_hz(riff[b % 8])
        chord = saw(root, t) + saw(root * 1.5, t) + 0.5 * saw(root * 2, t)
        place(track, np.tanh(4 * chord) * np.exp(-t * 2), b * beat / 2, 0.3)
    for b in range(int(SECONDS / beat)):
        place(track, kick(), b * beat, 0.8 if b % 2 == 0 else 0.0)
        if b % 2 == 1:
            place(track, noise_hit(0.25, 18, False), b * beat, 0.5)
        place(track, noise_hit(0.08, 40, True), b * beat, 0.15)
    return track


def string_section() -> np.ndarray:
    t = t_axis(SECONDS)
    track = np.zeros_like(t)
    melody = [67, 69, 71, 72, 71, 69, 67, 64, 65, 67]
    step = SECONDS / len(melody)
    for i, midi in enumerate(melody):
        for detune, octave in ((0.0, 0), (0.3, -12), (-0.2, -5)):
            f = note_hz(midi + octave) * 2 ** (detune / 100)
            local = t_axis(step * 1.2)
            vib = np.sin(2 * np.pi * 5.5 * local) * 0.004
            phase = np.cumsum(f * (1 + vib)) / SR
            tone = sum(np.sin(2 * np.pi * k * phase) / k for k in range(1, 9))
            env = np.minimum(1, local / 0.5) * np.minimum(1, (step * 1.2 - local) / 0.4)
            place(track, tone * env, i * step, 0.15)
    return reverb(track, 2.5, 0.4)


def ambient_pad() -> np.ndarray:
    t = t_axis(SECONDS)
    swell = 0.5 - 0.5 * np.cos(2 * np.pi * t / 10)
    pad = sum(np.sin(2 * np.pi * note_hz(m) * (1 + d) * t) for m in (48, 55, 60, 64, 67) for d in (0.0, 0.002, -0.003))
    shimmer = np.sin(2 * np.pi * note_hz(84) * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.2 * t))
    return reverb((pad / 15 + 0.05 * shimmer) * (0.3 + 0.7 * swell), 3.0, 0.5)


def drum_solo() -> np.ndarray:
    track = np.zeros(SECONDS * SR)
    step = 60 / 170 / 4
    pattern = "K.h.S.hKK.h.S.hh"
    for i in range(int(SECONDS / step)):
        hit = pattern[i % len(pattern)]
        if hit == "K":
            place(track, kick(), i * step, 0.9)
        elif hit == "S":
            place(track, noise_hit(0.2, 20, False), i * step, 0.6)
        elif hit == "h":
            place(track, noise_hit(0.05, 70, True), i * step, 0.3)
    return track


SONGS = {"evening.ogg": calm_piano, "friday.ogg": dance_beat, "garage.ogg": rock_guitar,
         "sunday.ogg": string_section, "drift.ogg": ambient_pad, "practice.ogg": drum_solo}


def main() -> None:
    import soundfile as sf

    OUT.mkdir(exist_ok=True)
    for name, make in SONGS.items():
        audio = make()
        audio = 0.8 * audio / (np.abs(audio).max() + 1e-9)
        sf.write(OUT / name, audio.astype(np.float32), SR, format="OGG", subtype="VORBIS")


if __name__ == "__main__":
    main()
