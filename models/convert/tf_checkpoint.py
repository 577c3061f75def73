"""Read a TensorFlow (v1/v2) checkpoint's variables as numpy arrays, without TensorFlow.

A checkpoint is a "tensor bundle": an ``.index`` file, which is an SSTable (LevelDB's table
format) mapping each variable name to a small protobuf (dtype, shape, offset, size), and a
``.data-00000-of-00001`` file holding the raw little-endian bytes. Only plain data is read;
nothing in the files is executed (the ``.meta`` graph is never opened).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

_MAGIC = 0xDB4775248B80FB57
_FOOTER = 48
_DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 4: np.uint8, 6: np.int8, 9: np.int64, 10: np.bool_,
           19: np.float16}


class CheckpointError(ValueError):
    """The files are not a TensorFlow checkpoint this reader understands."""


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """Decode one protobuf message into (field number, value) pairs."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            out.append((number, value))
        elif wire == 1:
            out.append((number, struct.unpack_from("<Q", buf, pos)[0]))
            pos += 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            out.append((number, buf[pos : pos + length]))
            pos += length
        elif wire == 5:
            out.append((number, struct.unpack_from("<I", buf, pos)[0]))
            pos += 4
        else:
            raise CheckpointError(f"unsupported protobuf wire type {wire}")
    return out


def _block(data: bytes, offset: int, size: int) -> list[tuple[bytes, bytes]]:
    """Entries of one SSTable block (keys are prefix-compressed against the previous key)."""
    if data[offset + size] != 0:
        raise CheckpointError("compressed checkpoint blocks are not supported")
    block = data[offset : offset + size]
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 - 4 * restarts
    entries, pos, key = [], 0, b""
    while pos < end:
        shared, pos = _varint(block, pos)
        unshared, pos = _varint(block, pos)
        length, pos = _varint(block, pos)
        key = key[:shared] + block[pos : pos + unshared]
        pos += unshared
        entries.append((key, block[pos : pos + length]))
        pos += length
    return entries


def _handle(buf: bytes, pos: int = 0) -> tuple[int, int, int]:
    offset, pos = _varint(buf, pos)
    size, pos = _varint(buf, pos)
    return offset, size, pos


@dataclass(frozen=True)
class _Entry:
    dtype: int
    shape: tuple[int, ...]
    offset: int
    size: int


def _entry(value: bytes) -> _Entry:
    dtype, shape, offset, size = 0, [], 0, 0
    for number, field in _fields(value):
        if number == 1:
            dtype = int(field)  # type: ignore[arg-type]
        elif number == 2:
            shape = [int(dict(_fields(d))[1]) for n, d in _fields(field) if n == 2]  # type: ignore[arg-type]
        elif number == 4:
            offset = int(field)  # type: ignore[arg-type]
        elif number == 5:
            size = int(field)  # type: ignore[arg-type]
    return _Entry(dtype, tuple(shape), offset, size)


def read_checkpoint(index: bytes, data: bytes) -> dict[str, np.ndarray]:
    """Variables of a single-shard checkpoint, by name.

    Raises:
        CheckpointError: not an SSTable index, compressed blocks, or an unknown dtype.
    """
    if len(index) < _FOOTER or struct.unpack_from("<Q", index, len(index) - 8)[0] != _MAGIC:
        raise CheckpointError("not a TensorFlow checkpoint index")
    footer = index[-_FOOTER:]
    _, _, pos = _handle(footer)  # the metaindex block is not needed
    index_offset, index_size, _ = _handle(footer, pos)
    out: dict[str, np.ndarray] = {}
    for _, handle in _block(index, index_offset, index_size):
        offset, size, _ = _handle(handle)
        for key, value in _block(index, offset, size):
            if not key:
                continue  # the bundle header
            entry = _entry(value)
            if entry.dtype not in _DTYPES:
                raise CheckpointError(f"{key.decode()}: unsupported dtype {entry.dtype}")
            raw = data[entry.offset : entry.offset + entry.size]
            out[key.decode()] = np.frombuffer(raw, dtype=_DTYPES[entry.dtype]).reshape(entry.shape).copy()
    return out
