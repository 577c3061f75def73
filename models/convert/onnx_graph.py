"""A small helper for writing ONNX graphs by hand from numpy arrays (the converters use it)."""

from __future__ import annotations

from typing import Any

import numpy as np


class GraphBuilder:
    """Collects nodes and initialisers; names every intermediate uniquely."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = weights
        self.nodes: list[Any] = []  # onnx NodeProto, TensorProto: onnx is imported only when used
        self.inits: list[Any] = []
        self.count = 0

    def out(self, base: str) -> str:
        self.count += 1
        return f"{base}_{self.count}"

    def const(self, array: np.ndarray, base: str = "c") -> str:
        from onnx import numpy_helper

        name = self.out(base)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, kind: str, inputs: list[str], name: str | None = None, **attrs: Any) -> str:
        from onnx import helper

        output = name or self.out(kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [output], name=output, **attrs))
        return output

    def serialise(self, name: str, inputs: list[Any], outputs: list[Any]) -> bytes:
        """A checked model at opset 17, readable by every onnxruntime since 1.10."""
        import onnx
        from onnx import helper

        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="nearby")
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model.SerializeToString()
