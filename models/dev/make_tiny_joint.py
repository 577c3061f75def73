"""Write tiny, randomly initialised joint models for the tests (no torch, no download).

    python -m nearby.models.dev.make_tiny_joint     # rewrites tests/models/fixtures/tiny-clip and tiny-clap

They have the input/output contract of a CLIP-style and a CLAP-style pair (models/manifest.py):
a patch-embedding image tower (strided convolution, ReLU, mean over patches, projection), a
frame-embedding audio tower (the waveform cut into frames, linear, ReLU, mean, projection) and
a token-embedding text tower (embedding lookup, masked mean, projection). Random weights:
they prove shapes, preprocessing, normalisation and plumbing, not quality.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "models" / "fixtures"
DIM = 32
WIDTH = 48
_WORDS = ("a an the of in on with and photo picture image music song sound cat dog car tree beach snow city "
          "night piano guitar drums calm loud fast slow dance rock jazz red blue green sunset mountain river house")
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", *sorted(set(_WORDS.split(" ")))]


def _graph(nodes, inputs, outputs, inits, name):  # type: ignore[no-untyped-def]
    import onnx
    from onnx import helper

    model = helper.make_model(helper.make_graph(nodes, name, inputs, outputs, inits),
                              opset_imports=[helper.make_opsetid("", 17)], producer_name="nearby-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def _init(name: str, array: np.ndarray):  # type: ignore[no-untyped-def]
    from onnx import numpy_helper

    return numpy_helper.from_array(np.ascontiguousarray(array, dtype=array.dtype), name)


def image_tower(rng: np.random.Generator, patch: int = 16) -> bytes:
    from onnx import TensorProto, helper

    n = helper.make_node
    nodes = [
        n("Conv", ["pixel_values", "w_patch", "b_patch"], ["patches"],
          kernel_shape=[patch, patch], strides=[patch, patch]),
        n("Relu", ["patches"], ["act"]),
        n("ReduceMean", ["act"], ["pooled"], axes=[2, 3], keepdims=0),
        n("Gemm", ["pooled", "w_proj", "b_proj"], ["image_embeds"]),
    ]
    inits = [_init("w_patch", rng.standard_normal((WIDTH, 3, patch, patch)).astype(np.float32) * 0.05),
             _init("b_patch", np.zeros(WIDTH, np.float32)),
             _init("w_proj", rng.standard_normal((WIDTH, DIM)).astype(np.float32) * 0.2),
             _init("b_proj", np.zeros(DIM, np.float32))]
    pixels = helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch", 3, "h", "w"])
    out = helper.make_tensor_value_info("image_embeds", TensorProto.FLOAT, ["batch", DIM])
    return _graph(nodes, [pixels], [out], inits, "tiny_image")


def audio_tower(rng: np.random.Generator, frame: int = 400) -> bytes:
    from onnx import TensorProto, helper

    n = helper.make_node
    nodes = [
        n("Reshape", ["waveform", "frame_shape"], ["frames"]),
        n("MatMul", ["frames", "w_frame"], ["hidden"]),
        n("Relu", ["hidden"], ["act"]),
        n("ReduceMean", ["act"], ["pooled"], axes=[1], keepdims=0),
        n("Gemm", ["pooled", "w_proj", "b_proj"], ["audio_embeds"]),
    ]
    inits = [_init("frame_shape", np.array([0, -1, frame], np.int64)),
             _init("w_frame", rng.standard_normal((frame, WIDTH)).astype(np.float32) * 0.05),
             _init("w_proj", rng.standard_normal((WIDTH, DIM)).astype(np.float32) * 0.2),
             _init("b_proj", np.zeros(DIM, np.float32))]
    wave = helper.make_tensor_value_info("waveform", TensorProto.FLOAT, ["batch", "samples"])
    out = helper.make_tensor_value_info("audio_embeds", TensorProto.FLOAT, ["batch", DIM])
    return _graph(nodes, [wave], [out], inits, "tiny_audio")


def text_tower(rng: np.random.Generator) -> bytes:
    from onnx import TensorProto, helper

    n = helper.make_node
    nodes = [
        n("Gather", ["token_table", "input_ids"], ["tokens"]),
        n("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        n("Unsqueeze", ["mask_f", "axis2"], ["mask3"]),
        n("Mul", ["tokens", "mask3"], ["masked"]),
        n("ReduceSum", ["masked", "axis1"], ["summed"], keepdims=0),
        n("ReduceSum", ["mask3", "axis1"], ["count"], keepdims=0),
        n("Max", ["count", "one"], ["safe_count"]),
        n("Div", ["summed", "safe_count"], ["pooled"]),
        n("Gemm", ["pooled", "w_proj", "b_proj"], ["text_embeds"]),
    ]
    inits = [_init("token_table", rng.standard_normal((len(VOCAB), WIDTH)).astype(np.float32)),
             _init("axis1", np.array([1], np.int64)), _init("axis2", np.array([2], np.int64)),
             _init("one", np.array([1.0], np.float32)),
             _init("w_proj", rng.standard_normal((WIDTH, DIM)).astype(np.float32) * 0.2),
             _init("b_proj", np.zeros(DIM, np.float32))]
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])
    return _graph(nodes, [ids, mask], [helper.make_tensor_value_info("text_embeds", TensorProto.FLOAT, ["batch", DIM])],
                  inits, "tiny_text")


def tokenizer_json() -> str:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.WordPiece({w: i for i, w in enumerate(VOCAB)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = [("[CLS]", 2), ("[SEP]", 3)]
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=specials)
    return tok.to_str()


def write(folder: Path, manifest: dict[str, object], towers: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in towers.items():
        (folder / name).write_bytes(data)
    (folder / "tokenizer.json").write_text(tokenizer_json())
    (folder / "nearby-model.json").write_text(json.dumps(manifest, indent=2) + "\n")


def main() -> None:
    rng = np.random.default_rng(0)
    text = text_tower(rng)
    common = {"dim": DIM, "version": "random-0", "text_tower": "text.onnx", "tokenizer": "tokenizer.json",
              "max_tokens": 16, "pad_id": 0, "licence": "same as Nearby", "source": "models/make_tiny_joint.py"}
    write(FIXTURES / "tiny-clip", {"name": "tiny-clip", "kind": "image", "tower": "image.onnx", **common,
                                   "image": {"resize": 72, "crop": 64, "mean": [0.48, 0.46, 0.41],
                                             "std": [0.27, 0.26, 0.28]}},
          {"image.onnx": image_tower(rng), "text.onnx": text})
    write(FIXTURES / "tiny-clap", {"name": "tiny-clap", "kind": "audio", "tower": "audio.onnx", **common,
                                   "audio": {"sample_rate": 8000, "seconds": 2}},
          {"audio.onnx": audio_tower(rng), "text.onnx": text})
    print(f"wrote {FIXTURES}")


if __name__ == "__main__":
    main()
