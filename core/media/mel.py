"""Log-mel spectrograms in numpy, as musicnn was trained on (librosa's defaults, in float32).

16 kHz mono; STFT with a 512-point periodic Hann window, hop 256, centred with zero padding;
power spectrum; 96 Slaney-style mel bands; log10(10000 · mel + 1). musicnn's own code cast the
mel spectrogram to float16 first, which overflows on loud bins: float32 throughout here.
"""

from __future__ import annotations

from functools import cache

import numpy as np

SAMPLE_RATE = 16_000
N_FFT = 512
HOP = 256
N_MELS = 96
PATCH_FRAMES = 187  # musicnn's input: 187 frames ≈ 3 s


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    mel = hz / (200.0 / 3)
    log_part = hz >= 1000.0
    return np.where(log_part, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0), mel)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    hz = mel * (200.0 / 3)
    return np.where(mel >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0)), hz)


@cache
def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """(n_mels, 1 + n_fft // 2) triangular filters with Slaney area normalisation."""
    fft_freqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(np.array(0.0)), hz_to_mel(np.array(sr / 2)), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]
    return weights.astype(np.float32)


def log_mel(samples: np.ndarray) -> np.ndarray:
    """(frames, 96) log-mel spectrogram of 16 kHz mono float samples."""
    padded = np.pad(np.asarray(samples, dtype=np.float32), N_FFT // 2)
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    if n_frames < 1:
        return np.zeros((0, N_MELS), dtype=np.float32)
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    power = np.abs(np.fft.rfft(padded[index] * window, axis=1)) ** 2
    mel = power.astype(np.float32) @ mel_filterbank().T
    return np.log10(10000.0 * mel + 1.0).astype(np.float32)
