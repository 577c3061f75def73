"""The installed musicnn ONNX (read from TensorFlow checkpoints with numpy alone) against TensorFlow."""

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from nearby.core.media.mel import hz_to_mel, log_mel, mel_filterbank, mel_to_hz
from nearby.models.catalog import MUSICNN_MTT
from nearby.models.dev.golden_musicnn import golden_input
from nearby.models.locate import model_dir

GOLDEN = json.loads((Path(__file__).parent / "musicnn_golden.json").read_text())


@pytest.fixture(scope="module")
def outputs(models_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    session = ort.InferenceSession(str(model_dir(MUSICNN_MTT, models_dir) / "model.onnx"))
    tags, penultimate = session.run(["tags", "penultimate"], {"mel": golden_input()})
    return tags[0], penultimate[0]


def test_tags_and_penultimate_match_tensorflow(outputs: tuple[np.ndarray, np.ndarray]) -> None:
    tags, penultimate = outputs
    np.testing.assert_allclose(tags, GOLDEN["tags"], atol=1e-5)
    np.testing.assert_allclose(penultimate[:16], GOLDEN["penultimate_first16"], atol=1e-4)


def band_edges() -> np.ndarray:
    return mel_to_hz(np.linspace(0, float(hz_to_mel(np.array(8000.0))), 98))


def test_mel_filterbank_is_slaney_normalised() -> None:
    bank = mel_filterbank()
    assert bank.shape == (96, 257) and np.all(bank >= 0)
    # Slaney normalisation: each triangle has unit area in Hz. Summed over FFT bins (31.25 Hz
    # apart) that holds for bands much wider than a bin; the low bands are narrower than one.
    bin_hz = 8000 / 256
    np.testing.assert_allclose(bank[60:].sum(axis=1) * bin_hz, 1.0, rtol=0.05)


def test_log_mel_of_a_tone_peaks_at_its_band() -> None:
    t = np.arange(16_000) / 16_000
    mel = log_mel(np.sin(2 * np.pi * 1000 * t).astype(np.float32))
    assert mel.shape == (63, 96)
    centres = band_edges()[1:-1]
    expected = int(np.abs(centres - 1000).argmin())
    assert abs(int(mel[10:50].mean(axis=0).argmax()) - expected) <= 1
