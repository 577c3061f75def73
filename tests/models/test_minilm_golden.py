"""The installed MiniLM ONNX file against golden fp32 vectors from an independent reference.

The golden vectors were computed by models/reference_minilm.py (a numpy forward pass over the
original fp32 safetensors), not by the file under test.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from nearby.models.catalog import MINILM

GOLDEN = json.loads((Path(__file__).parent / "minilm_golden.json").read_text())
MIN_COSINE = 0.99  # the bar the int8-weight file must clear on every sentence


@pytest.fixture(scope="module")
def vectors(text_embedder) -> np.ndarray:  # type: ignore[no-untyped-def]
    return text_embedder.embed(GOLDEN["sentences"])


def test_output_is_unit_float32_of_the_model_dim(vectors: np.ndarray) -> None:
    assert vectors.dtype == np.float32 and vectors.shape == (len(GOLDEN["sentences"]), MINILM.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_every_sentence_within_cosine_0_99_of_fp32(vectors: np.ndarray) -> None:
    reference = np.array(GOLDEN["vectors"], dtype=np.float32)
    cosines = (vectors * reference).sum(axis=1)
    worst = int(cosines.argmin())
    assert cosines.min() >= MIN_COSINE, f"{GOLDEN['sentences'][worst]!r}: cosine {cosines[worst]:.4f}"


def test_batching_and_padding_do_not_change_vectors(text_embedder, vectors: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    one_by_one = np.stack([text_embedder.embed_one(s) for s in GOLDEN["sentences"]])
    # A padding bug shows as differences of 1e-1; CUDA's kernels differ by ~1e-4 between shapes.
    np.testing.assert_allclose(one_by_one, vectors, atol=5e-4)


def test_meaning_is_reflected(text_embedder) -> None:  # type: ignore[no-untyped-def]
    cat, dog, plane = text_embedder.embed(["cat", "dog", "airplane"])
    assert float(cat @ dog) > float(cat @ plane) + 0.2
