"""How a query reaches each kind: the vector and table searched per kind (the text space, or a joint model's own)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class QuerySpace:
    """How typed words reach one kind that has a joint model: its own table and text tower."""

    table: str
    embed: Callable[[Sequence[str]], np.ndarray]
