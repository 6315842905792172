"""A Bloom filter of 64-bit keys in numpy: "certainly absent" or "maybe present", for near-duplicate band keys.

Almost every article is new, so almost every band key it looks up is absent; the filter answers
those from memory and only the rest (the false positives and the real candidates) reach the
index on disk. The keys are already uniform hashes (BLAKE2b), so the ``PROBES`` bit positions are
taken from the key itself (double hashing of its two 32-bit halves), with no hash to compute.

The filter grows without reading the keys again: when a part is full, a new part of twice its
size takes the new keys (a "scalable" Bloom filter); a key may be in any part. Every part has a
power-of-two number of bits and the same number of probes, so one vectorised gather over all the
parts answers a lookup, however many parts there are. At ``BITS_PER_KEY`` = 16 a full part answers
"maybe" for 0.05% of absent keys (32 million keys: 64 MB).

Saved next to the state file (``save``/``load``): the bit arrays and a small header naming the
database they belong to (a random token kept in the database) and the last article they cover.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

_MAGIC = b"BANDBLM3"
BITS_PER_KEY = 16
PROBES = 11  # round(BITS_PER_KEY * ln 2)


class KeyFilter:
    """Keys of stored bands; ``capacity`` keys fit in the first part."""

    def __init__(self, capacity: int) -> None:
        self.parts: list[np.ndarray] = []  # uint64 words, a power of two of bits each
        self.capacities: list[int] = []
        self.counts: list[int] = []
        self.covered = 0  # id of the last stored article whose keys are in the filter
        self._new_part(max(1024, int(capacity)))
        self._steps = np.arange(PROBES, dtype=np.uint64)

    def _new_part(self, capacity: int) -> None:
        nbits = 1 << max(12, int(capacity * BITS_PER_KEY - 1).bit_length())
        self.parts.append(np.zeros(nbits // 64, dtype=np.uint64))
        self.capacities.append(nbits // BITS_PER_KEY)
        self.counts.append(0)

    @property
    def count(self) -> int:
        return sum(self.counts)

    @property
    def nbytes(self) -> int:
        return sum(part.nbytes for part in self.parts)

    def _hashes(self, keys: np.ndarray) -> np.ndarray:
        k = keys.view(np.uint64)
        low = k & np.uint64(0xFFFFFFFF)
        high = (k >> np.uint64(32)) | np.uint64(1)
        with np.errstate(over="ignore"):
            return low[:, None] + self._steps[None, :] * high[:, None]  # (keys, probes)

    def add(self, keys: np.ndarray | list[int] | tuple[int, ...]) -> None:
        array = np.ascontiguousarray(keys, dtype=np.int64)
        while len(array):
            room = self.capacities[-1] - self.counts[-1]
            if room <= 0:
                self._new_part(self.capacities[-1] * 2)
                continue
            chunk, array = array[:room], array[room:]
            words = self.parts[-1]
            positions = (self._hashes(chunk) & np.uint64(len(words) * 64 - 1)).ravel()
            np.bitwise_or.at(words, positions >> np.uint64(6), np.uint64(1) << (positions & np.uint64(63)))
            self.counts[-1] += len(chunk)

    def may_contain(self, keys: np.ndarray | list[int] | tuple[int, ...]) -> np.ndarray:
        """One bool per key: False means certainly absent."""
        array = np.ascontiguousarray(keys, dtype=np.int64)
        if not len(array):
            return np.zeros(0, dtype=bool)
        hashes = self._hashes(array)
        if len(self.parts) == 1:
            words = self.parts[0]
            positions = hashes & np.uint64(len(words) * 64 - 1)
            bits = (words[positions >> np.uint64(6)] >> (positions & np.uint64(63))) & np.uint64(1)
            return np.asarray(bits.all(axis=1))
        words = self._stacked()
        masks = np.array([len(p) * 64 - 1 for p in self.parts], dtype=np.uint64)
        offsets = np.array(self._offsets, dtype=np.uint64)
        positions = (hashes[:, None, :] & masks[None, :, None]) + offsets[None, :, None]  # (keys, parts, probes)
        bits = (words[positions >> np.uint64(6)] >> (positions & np.uint64(63))) & np.uint64(1)
        return np.asarray(bits.all(axis=2).any(axis=1))

    def _stacked(self) -> np.ndarray:
        """All parts in one array (rebuilt when a part was added; the parts then view into it)."""
        if getattr(self, "_stack_parts", 0) != len(self.parts):
            stacked = np.concatenate(self.parts)
            offsets, start = [], 0
            views = []
            for part in self.parts:
                offsets.append(start * 64)
                views.append(stacked[start:start + len(part)])
                start += len(part)
            self.parts = views  # adds write through to the stacked array
            self._stack, self._offsets, self._stack_parts = stacked, offsets, len(self.parts)
        return self._stack

    def save(self, path: Path, token: bytes) -> None:
        """Write the filter atomically (a temporary file, then a rename)."""
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        header = np.array([len(self.parts), self.covered], dtype="<u8").tobytes()
        try:
            with tmp.open("wb") as out:
                out.write(_MAGIC + token.ljust(16, b"\0")[:16] + header)
                for part, capacity, count in zip(self.parts, self.capacities, self.counts, strict=True):
                    out.write(np.array([len(part), capacity, count], dtype="<u8").tobytes())
                    out.write(part.astype("<u8", copy=False).tobytes())
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
        new.parts, new.capacities, new.counts, new.covered = [], [], [], covered
        new._steps = np.arange(PROBES, dtype=np.uint64)
        offset = 40
        for _ in range(nparts):
            if len(data) < offset + 24:
                return None
            nwords, capacity, count = (int(v) for v in np.frombuffer(data[offset:offset + 24], dtype="<u8"))
            offset += 24
            if nwords & (nwords - 1) or len(data) < offset + nwords * 8:
                return None
            new.parts.append(np.frombuffer(data, dtype="<u8", count=nwords, offset=offset).astype(np.uint64))
            new.capacities.append(capacity)
            new.counts.append(count)
            offset += nwords * 8
        return new if new.parts and offset == len(data) else None
