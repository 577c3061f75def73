"""Read a PyTorch checkpoint's tensors as numpy arrays without torch, and without running it.

A .pth file is a pickle, and unpickling can call any function it names. This reader allows
exactly the few names a tensor state dict needs (tensor rebuild, storages, OrderedDict) and
refuses everything else, so a tampered file cannot execute code; its checksum is verified
before it is read anyway. Both layouts are handled: the legacy stream (torch < 1.6) and zip.
"""

from __future__ import annotations

import io
import pickle
import struct
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
           "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
           "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class CheckpointError(ValueError):
    """The file is not a tensor state dict this reader accepts."""


@dataclass
class _Storage:
    key: str
    dtype: Any
    numel: int
    data: np.ndarray | None = None


@dataclass
class _LazyTensor:
    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]

    def materialise(self) -> np.ndarray:
        assert self.storage.data is not None
        itemsize = self.storage.data.itemsize
        base = self.storage.data[self.offset :]
        if not self.size:
            return base[:1].reshape(()).copy()
        view = np.lib.stride_tricks.as_strided(base, self.size, tuple(s * itemsize for s in self.stride))
        return np.ascontiguousarray(view)


def _rebuild_tensor_v2(storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                       *_ignored: Any) -> _LazyTensor:
    return _LazyTensor(storage, offset, tuple(size), tuple(stride))


class _StorageType:
    def __init__(self, name: str) -> None:
        self.dtype = _DTYPES[name]


class _Unpickler(pickle.Unpickler):
    def __init__(self, stream: io.BufferedIOBase | io.BytesIO, storages: dict[str, _Storage]) -> None:
        super().__init__(stream)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if module == "torch" and name in _DTYPES:
            return _StorageType(name)
        raise CheckpointError(f"the checkpoint refers to {module}.{name}, which a plain state dict never does")

    def persistent_load(self, pid: Any) -> _Storage:
        kind, storage_type, key, _location, numel = pid[:5]
        if kind != "storage" or not isinstance(storage_type, _StorageType):
            raise CheckpointError(f"unexpected persistent id {pid[:2]!r}")
        return self.storages.setdefault(str(key), _Storage(str(key), storage_type.dtype, int(numel)))


def _tensors(obj: Any) -> dict[str, np.ndarray]:
    if not isinstance(obj, dict):
        raise CheckpointError("the checkpoint is not a state dict")
    out = {}
    for key, value in obj.items():
        if isinstance(value, _LazyTensor):
            out[str(key)] = value.materialise()
    return out


def _load_legacy(data: bytes) -> dict[str, np.ndarray]:
    stream = io.BytesIO(data)
    storages: dict[str, _Storage] = {}
    safe = _Unpickler(stream, storages)
    if safe.load() != _LEGACY_MAGIC:
        raise CheckpointError("not a PyTorch checkpoint")
    _Unpickler(stream, storages).load()  # protocol version
    _Unpickler(stream, storages).load()  # sys info
    result = _Unpickler(stream, storages).load()
    keys = _Unpickler(stream, storages).load()
    for key in keys:
        storage = storages[str(key)]
        (numel,) = struct.unpack("<q", stream.read(8))
        raw = stream.read(numel * np.dtype(storage.dtype).itemsize)
        storage.data = np.frombuffer(raw, dtype=storage.dtype)
    return _tensors(result)


def _load_zip(data: bytes) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        pkl = next(n for n in zf.namelist() if n.endswith("data.pkl"))
        prefix = pkl[: -len("data.pkl")]
        storages: dict[str, _Storage] = {}
        result = _Unpickler(io.BytesIO(zf.read(pkl)), storages).load()
        for key, storage in storages.items():
            storage.data = np.frombuffer(zf.read(f"{prefix}data/{key}"), dtype=storage.dtype)
    return _tensors(result)


def load_state_dict(data: bytes) -> dict[str, np.ndarray]:
    """Tensors of a PyTorch state dict, by name.

    Raises:
        CheckpointError: the bytes are not a plain state dict (or ask for anything else).
    """
    return _load_zip(data) if data[:2] == b"PK" else _load_legacy(data)
