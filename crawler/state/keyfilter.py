"""A Bloom filter of 64-bit keys in numpy: "certainly absent" or "maybe present", for near-duplicate band keys.

Almost every article is new, so almost every band key it looks up is absent; the filter answers
those from memory and only the rest (the ~1% false positives and the real candidates) reach the
index on disk. The keys are already uniform hashes (BLAKE2b), so the ``k`` bit positions are
taken from the key itself (double hashing of its two 32-bit halves), with no hash to compute.

The filter grows without reading the keys again: when a part is full, a new part of twice its
capacity takes the new keys (a "scalable" Bloom filter); a key may be in any part. Each new part
aims at a lower false-positive rate, so the rate of the whole stays under twice the first's.

Saved next to the state file (``save``/``load``): the bit arrays and a small header naming the
database they belong to (a random token kept in the database) and the last article they cover.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_MAGIC = b"BANDBLM2"


@dataclass
class _Part:
    nbits: int
    probes: int
    capacity: int
    count: int
    words: np.ndarray

    @classmethod
    def new(cls, capacity: int, fp_rate: float) -> _Part:
        bits = int(-capacity * math.log(fp_rate) / math.log(2) ** 2)
        nbits = (bits + 63) // 64 * 64
        probes = max(1, round(nbits / capacity * math.log(2)))
        return cls(nbits, probes, capacity, 0, np.zeros(nbits // 64, dtype=np.uint64))

    def positions(self, keys: np.ndarray) -> np.ndarray:
        k = keys.view(np.uint64)
        low = k & np.uint64(0xFFFFFFFF)
        high = (k >> np.uint64(32)) | np.uint64(1)
        steps = np.arange(self.probes, dtype=np.uint64)
        with np.errstate(over="ignore"):
            return (low[:, None] + steps[None, :] * high[:, None]) % np.uint64(self.nbits)

    def add(self, keys: np.ndarray) -> None:
        positions = self.positions(keys).ravel()
        np.bitwise_or.at(self.words, positions >> np.uint64(6), np.uint64(1) << (positions & np.uint64(63)))
        self.count += len(keys)

    def may_contain(self, keys: np.ndarray) -> np.ndarray:
        positions = self.positions(keys)
        bits = (self.words[positions >> np.uint64(6)] >> (positions & np.uint64(63))) & np.uint64(1)
        return np.asarray(bits.all(axis=1))


class KeyFilter:
    """Keys kept at a false-positive rate near ``fp_rate`` (1%: 9.6 bits a key, 38 MB for 32 million keys)."""

    def __init__(self, capacity: int, fp_rate: float = 0.01) -> None:
        self.fp_rate = fp_rate
        self.parts = [_Part.new(max(1024, int(capacity)), fp_rate / 2)]
        self.covered = 0  # id of the last stored article whose keys are in the filter

    @property
    def count(self) -> int:
        return sum(part.count for part in self.parts)

    @property
    def nbytes(self) -> int:
        return sum(part.words.nbytes for part in self.parts)

    def add(self, keys: np.ndarray | list[int] | tuple[int, ...]) -> None:
        array = np.ascontiguousarray(keys, dtype=np.int64)
        while len(array):
            part = self.parts[-1]
            room = part.capacity - part.count
            if room <= 0:
                self.parts.append(_Part.new(part.capacity * 2, self.fp_rate / 2 ** (len(self.parts) + 1)))
                continue
            part.add(array[:room])
            array = array[room:]

    def may_contain(self, keys: np.ndarray | list[int] | tuple[int, ...]) -> np.ndarray:
        """One bool per key: False means certainly absent."""
        array = np.ascontiguousarray(keys, dtype=np.int64)
        found = np.zeros(len(array), dtype=bool)
        if not len(array):
            return found
        for part in self.parts:
            found |= part.may_contain(array)
        return found

    def save(self, path: Path, token: bytes) -> None:
        """Write the filter atomically (a temporary file, then a rename)."""
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        header = np.array([len(self.parts), self.covered], dtype="<u8").tobytes()
        try:
            with tmp.open("wb") as out:
                out.write(_MAGIC + token.ljust(16, b"\0")[:16] + header)
                for part in self.parts:
                    out.write(np.array([part.nbits, part.probes, part.capacity, part.count], dtype="<u8").tobytes())
                    out.write(part.words.astype("<u8", copy=False).tobytes())
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
        if len(data) < 40 or data[:8] != _MAGIC or data[8:24] != token.ljust(16, b"\0")[:16]:
            return None
        nparts, covered = (int(v) for v in np.frombuffer(data[24:40], dtype="<u8"))
        new = cls.__new__(cls)
        new.fp_rate, new.covered, new.parts = 0.01, covered, []
        offset = 40
        for _ in range(nparts):
            if len(data) < offset + 32:
                return None
            nbits, probes, capacity, count = (int(v) for v in np.frombuffer(data[offset:offset + 32], dtype="<u8"))
            offset += 32
            if nbits % 64 or probes < 1 or len(data) < offset + nbits // 8:
                return None
            words = np.frombuffer(data, dtype="<u8", count=nbits // 64, offset=offset).astype(np.uint64)
            new.parts.append(_Part(nbits, probes, capacity, count, words))
            offset += nbits // 8
        return new if new.parts and offset == len(data) else None
