"""The installed EfficientNet-Lite2 ONNX (converted with numpy alone) against PyTorch's outputs."""

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from nearby.models.catalog import EFFICIENTNET_LITE2
from nearby.models.dev.golden_efficientnet import golden_input
from nearby.models.locate import model_dir

GOLDEN = json.loads((Path(__file__).parent / "efficientnet_golden.json").read_text())


@pytest.fixture(scope="module")
def outputs(models_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    session = ort.InferenceSession(str(model_dir(EFFICIENTNET_LITE2, models_dir) / "model.onnx"))
    features, logits = session.run(["features", "logits"], {"pixels": golden_input()})
    return features[0], logits[0]


def test_features_match_pytorch(outputs: tuple[np.ndarray, np.ndarray]) -> None:
    features, _ = outputs
    assert features.shape == (1280,)
    np.testing.assert_allclose(features[:16], GOLDEN["features_first16"], atol=1e-4)
    assert float(np.linalg.norm(features)) == pytest.approx(GOLDEN["features_norm"], rel=1e-4)


def test_top_classes_match_pytorch(outputs: tuple[np.ndarray, np.ndarray]) -> None:
    _, logits = outputs
    assert np.argsort(-logits)[:5].tolist() == GOLDEN["top5"]
    np.testing.assert_allclose(logits[GOLDEN["top5"]], GOLDEN["top5_logits"], atol=1e-4)


def test_labels_are_the_1000_imagenet_classes(models_dir: Path) -> None:
    labels = json.loads((model_dir(EFFICIENTNET_LITE2, models_dir) / "labels.json").read_text())
    assert len(labels) == 1000 and labels[281] == "tabby cat" and labels[409] == "analog clock"
