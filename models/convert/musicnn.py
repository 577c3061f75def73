"""musicnn (Pons & Serra 2019) as an ONNX graph, built from its TensorFlow checkpoint with numpy.

Input ``mel``: (N, 187, 96) log-mel patches of 3 s (see core/mel.py). Outputs: ``tags``
(N, 50) sigmoid scores over the MagnaTagATune tags, and ``penultimate`` (N, 200), the
layer used for song-to-song similarity. The graph mirrors musicnn/models.py: a timbral and
temporal front end (vertical and horizontal filters, max-pooled over frequency), a mid end of
three residual 1-D convolutions, and a back end of max+mean pooling over time and two dense
layers. Batch norms follow the ReLUs there, so they stay as per-channel Mul and Add.

Checked against TensorFlow in tests/models/test_music_model.py (golden outputs from
models/golden_musicnn.py, run once in a throwaway environment with TensorFlow).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import numpy as np

from nearby.models.convert.onnx_graph import GraphBuilder
from nearby.models.convert.tf_checkpoint import read_checkpoint

BN_EPS = 1e-3  # tf.compat.v1.layers.batch_normalization's default
CHECKPOINT = "musicnn/MTT_musicnn/"


class _Graph(GraphBuilder):
    def batch_norm(self, x: str, layer: str, rank: int, name: str | None = None) -> str:
        w = self.w
        scale = w[f"{layer}/gamma"] / np.sqrt(w[f"{layer}/moving_variance"] + BN_EPS)
        shift = w[f"{layer}/beta"] - w[f"{layer}/moving_mean"] * scale
        shape = (1, -1) + (1,) * (rank - 2)  # broadcast over the channel axis
        scaled = self.op("Mul", [x, self.const(scale.reshape(shape).astype(np.float32))])
        return self.op("Add", [scaled, self.const(shift.reshape(shape).astype(np.float32))], name)

    def conv(self, x: str, layer: str, weight: np.ndarray, **attrs: Any) -> str:
        bias = self.w[f"{layer}/bias"].astype(np.float32)
        return self.op("Relu", [self.op("Conv", [x, self.const(weight.astype(np.float32)), self.const(bias)], **attrs)])


def _frontend(g: _Graph, spec: str) -> list[str]:
    """Five branches over the normalised spectrogram (N, 1, T, F) → each (N, C, T)."""
    branches = []
    padded = g.op("Pad", [spec, g.const(np.array([0, 0, 3, 0, 0, 0, 3, 0], np.int64))])
    for i, layer in enumerate(("conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "conv2d_4")):
        kernel = g.w[f"{layer}/kernel"].transpose(3, 2, 0, 1)  # TF HWIO → ONNX OIHW
        # Timbral branches (the first two): 7 frames × many bins, valid padding; temporal ones:
        # long in time, one bin wide, "same" padding.
        timbral = i < 2
        h = g.conv(padded, layer, kernel) if timbral else g.conv(spec, layer, kernel, auto_pad="SAME_UPPER")
        h = g.batch_norm(h, f"batch_normalization_{i + 1}", 4)
        branches.append(g.op("ReduceMax", [h], axes=[3], keepdims=0))
    return branches


def _midend(g: _Graph, front: str) -> list[str]:
    outputs = [front]
    x = front
    for i, layer in enumerate(("conv2d_5", "conv2d_6", "conv2d_7")):
        kernel = g.w[f"{layer}/kernel"][:, :, 0, :].transpose(2, 1, 0)  # (7, C, 1, O) → (O, C, 7)
        h = g.batch_norm(g.conv(x, layer, kernel, pads=[3, 3]), f"batch_normalization_{6 + i}", 3)
        x = h if i == 0 else g.op("Add", [h, x])
        outputs.append(x)
    return outputs


def build(weights: dict[str, np.ndarray]) -> bytes:
    """Serialise musicnn (MTT) as ONNX from its checkpoint variables."""
    from onnx import TensorProto, helper

    g = _Graph(weights)
    spec = g.op("Unsqueeze", ["mel", g.const(np.array([1], np.int64))])
    spec = g.batch_norm(spec, "batch_normalization", 4)
    front = g.op("Concat", _frontend(g, spec), axis=1)
    features = g.op("Concat", _midend(g, front), axis=1)  # (N, 753, T)
    pooled = [g.op("Unsqueeze", [g.op(kind, [features], axes=[2], keepdims=0), g.const(np.array([2], np.int64))])
              for kind in ("ReduceMax", "ReduceMean")]
    # TF flattens (N, 753, 2) row-major: max and mean of each channel sit side by side.
    flat = g.op("Reshape", [g.op("Concat", pooled, axis=2), g.const(np.array([0, -1], np.int64))])
    flat = g.batch_norm(flat, "batch_normalization_9", 2)
    dense = g.op("Relu", [g.op("Gemm", [flat, g.const(weights["dense/kernel"]), g.const(weights["dense/bias"])])])
    penultimate = g.batch_norm(dense, "batch_normalization_10", 2, name="penultimate")
    logits = g.op("Gemm", [penultimate, g.const(weights["dense_1/kernel"]), g.const(weights["dense_1/bias"])])
    g.op("Sigmoid", [logits], name="tags")
    return g.serialise(
        "musicnn_mtt",
        [helper.make_tensor_value_info("mel", TensorProto.FLOAT, ["batch", 187, 96])],
        [helper.make_tensor_value_info("tags", TensorProto.FLOAT, ["batch", 50]),
         helper.make_tensor_value_info("penultimate", TensorProto.FLOAT, ["batch", 200])])


def convert(wheel: bytes) -> bytes:
    """The musicnn wheel's bytes → ONNX bytes (the MagnaTagATune model)."""
    with zipfile.ZipFile(io.BytesIO(wheel)) as zf:
        weights = read_checkpoint(zf.read(CHECKPOINT + ".index"), zf.read(CHECKPOINT + ".data-00000-of-00001"))
    return build(weights)
