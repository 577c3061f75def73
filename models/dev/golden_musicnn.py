"""Golden outputs of musicnn (MTT) from the original TensorFlow code, for the ONNX test.

Needs TensorFlow, so run it in a throwaway environment, never in Nearby's:

    python3 -m venv /tmp/tf && /tmp/tf/bin/pip install tensorflow-cpu tf_keras numpy
    pip download --no-deps musicnn==0.1.0 -d /tmp/mus && unzip -o /tmp/mus/musicnn-*.whl -d /tmp/mus/x
    TF_USE_LEGACY_KERAS=1 /tmp/tf/bin/python models/golden_musicnn.py /tmp/mus/x
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "tests" / "models" / "musicnn_golden.json"


def golden_input() -> np.ndarray:
    """A deterministic log-mel-like patch (1, 187, 96) in musicnn's value range."""
    t, f = np.meshgrid(np.arange(187), np.arange(96), indexing="ij")
    return (1.5 + np.sin(0.1 * t) * np.cos(0.2 * f) + 0.5 * np.sin(0.013 * t * f))[None].astype(np.float32)


def main(package_root: str) -> None:
    sys.path.insert(0, package_root)
    import tensorflow as tf
    from musicnn import models

    tf.compat.v1.disable_eager_execution()
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 187, 96])
        training = tf.compat.v1.placeholder(tf.bool)
        logits, *_, penultimate = models.define_model(x, training, "MTT_musicnn", 50)
        session = tf.compat.v1.Session()
        tf.compat.v1.train.Saver().restore(session, f"{package_root}/musicnn/MTT_musicnn/")
        tags, pen = session.run([tf.nn.sigmoid(logits), penultimate], {x: golden_input(), training: False})
    OUT.write_text(json.dumps({"tags": tags[0].tolist(), "penultimate_first16": pen[0, :16].tolist()}))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
