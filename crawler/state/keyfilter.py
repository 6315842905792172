"""A Bloom filter of 64-bit keys in numpy: "certainly absent" or "maybe present", for near-duplicate band keys.

Almost every article is new, so almost every band key it looks up is absent; the filter answers
those from memory and only the rest (the ~1% false positives and the real candidates) reach the
B-tree on disk. The keys are already uniform hashes (BLAKE2b), so the ``k`` bit positions are
taken from the key itself (double hashing of its two 32-bit halves), with no hash to compute.

Saved next to the state file (``save``/``load``): an array of bits and a small header naming the
database it belongs to (a random token kept in the database) and the last article it covers.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

_MAGIC = b"BANDBLM1"
_HEADER = 8 + 8 * 5 + 16  # magic, (bits, probes, count, capacity, covered), token


class KeyFilter:
    """``capacity`` keys at a false-positive rate ``fp_rate`` (1% costs 9.6 bits a key: 38 MB for 32 million)."""

    def __init__(self, capacity: int, fp_rate: float = 0.01) -> None:
        capacity = max(1024, int(capacity))
        bits = int(-capacity * math.log(fp_rate) / math.log(2) ** 2)
        self.nbits = (bits + 63) // 64 * 64
        self.probes = max(1, round(self.nbits / capacity * math.log(2)))
        self.capacity = capacity
        self.count = 0
        self.covered = 0  # id of the last stored article whose keys are in the filter
        self.words = np.zeros(self.nbits // 64, dtype=np.uint64)
        self._steps = np.arange(self.probes, dtype=np.uint64)

    def _positions(self, keys: np.ndarray) -> np.ndarray:
        k = keys.astype(np.int64, copy=False).view(np.uint64)
        low = k & np.uint64(0xFFFFFFFF)
        high = (k >> np.uint64(32)) | np.uint64(1)
        with np.errstate(over="ignore"):
            return (low[:, None] + self._steps[None, :] * high[:, None]) % np.uint64(self.nbits)

    def add(self, keys: np.ndarray | list[int] | tuple[int, ...]) -> None:
        array = np.asarray(keys, dtype=np.int64)
        if not len(array):
            return
        positions = self._positions(array).ravel()
        np.bitwise_or.at(self.words, positions >> np.uint64(6), np.uint64(1) << (positions & np.uint64(63)))
        self.count += len(array)

    def may_contain(self, keys: np.ndarray | list[int] | tuple[int, ...]) -> np.ndarray:
        """One bool per key: False means certainly absent."""
        array = np.asarray(keys, dtype=np.int64)
        if not len(array):
            return np.zeros(0, dtype=bool)
        positions = self._positions(array)
        bits = (self.words[positions >> np.uint64(6)] >> (positions & np.uint64(63))) & np.uint64(1)
        return np.asarray(bits.all(axis=1))

    @property
    def full(self) -> bool:
        return self.count > self.capacity

    def save(self, path: Path, token: bytes) -> None:
        """Write the filter atomically (a temporary file, then a rename)."""
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        header = np.array([self.nbits, self.probes, self.count, self.capacity, self.covered], dtype="<u8").tobytes()
        try:
            with tmp.open("wb") as out:
                out.write(_MAGIC + header + token.ljust(16, b"\0")[:16])
                out.write(self.words.astype("<u8", copy=False).tobytes())
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, token: bytes) -> KeyFilter | None:
        """The filter saved at ``path`` for the database with this token, or None (missing, foreign, damaged)."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if len(data) < _HEADER or data[:8] != _MAGIC or data[48:64] != token.ljust(16, b"\0")[:16]:
            return None
        nbits, probes, count, capacity, covered = (int(v) for v in np.frombuffer(data[8:48], dtype="<u8"))
        if nbits % 64 or len(data) != _HEADER + nbits // 8 or probes < 1:
            return None
        new = cls.__new__(cls)
        new.nbits, new.probes, new.count, new.capacity, new.covered = nbits, probes, count, capacity, covered
        new.words = np.frombuffer(data, dtype="<u8", offset=_HEADER).astype(np.uint64)
        new._steps = np.arange(probes, dtype=np.uint64)
        return new
