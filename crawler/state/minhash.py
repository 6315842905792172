"""Content fingerprints shared by every state backend: exact hash, MinHash signature, LSH band keys.

Pure functions, no state: the SQLite and Redis backends store what these return.

- ``normalise_body``: NFKC, lower case, only letters and digits (CJK included), so whitespace,
  punctuation and full/half-width differences never make two copies differ.
- ``content_hash``: exact-duplicate key, a hash of the normalised body.
- ``Fingerprinter.fingerprint``: a MinHash (datasketch, ``update_batch``; shingles hashed with
  CRC-32, a C call, which datasketch's affine32 scheme pre-mixes: 2.5x faster than its default
  SHA-1 per shingle) over character
  ``shingle``-grams of the normalised body, cut into ``bands`` bands of ``rows`` values; each
  band becomes one signed 64-bit key. Two bodies with Jaccard ``s`` share at least one band
  with probability ``1 - (1 - s**rows) ** bands``; candidates are then verified with the
  signature's Jaccard estimate against ``threshold``.

Defaults (measured with tests/dedup_texts.py, see bench/bench_state.py --jaccard): 4-gram
shingles, 128 permutations, 32 bands of 4 rows, threshold 0.5. A wire story with an editor
line added has Jaccard 0.99, with 5% of its characters changed 0.67, while two different
articles about the same event score 0.01-0.04. A pair at 0.67 shares a band with
p = 0.999, at 0.5 with p = 0.87; the signature estimate (std ~0.04) then decides.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from datasketch import MinHash

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

DEFAULT_SHINGLE = 4
DEFAULT_NUM_PERM = 128
DEFAULT_BANDS = 32
DEFAULT_THRESHOLD = 0.5


def normalise_body(text: str) -> str:
    """The body reduced to what two copies of one article must share."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _NON_WORD.sub("", text.lower())


def content_hash(text: str) -> str:
    """Exact-duplicate key of a body (hex, 128 bits of BLAKE2b of the normalised text)."""
    return _hash_normalised(normalise_body(text))


def _hash_normalised(normalised: str) -> str:
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=16).hexdigest()


def shingles(normalised: str, size: int = DEFAULT_SHINGLE) -> set[bytes]:
    """Character ``size``-grams (the whole text when shorter)."""
    if len(normalised) <= size:
        return {normalised.encode("utf-8")} if normalised else set()
    return {normalised[i:i + size].encode("utf-8") for i in range(len(normalised) - size + 1)}


def jaccard(a: str, b: str, size: int = DEFAULT_SHINGLE) -> float:
    """Exact Jaccard similarity of two bodies' shingle sets (for measurements and tests)."""
    sa, sb = shingles(normalise_body(a), size), shingles(normalise_body(b), size)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def estimate_jaccard(sig_a: bytes, sig_b: bytes) -> float:
    """Jaccard estimate from two signatures of equal length (0.0 when they differ in length)."""
    a = np.frombuffer(sig_a, dtype="<u4")
    b = np.frombuffer(sig_b, dtype="<u4")
    if len(a) != len(b) or not len(a):
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)


def _band_key(index: int, values: np.ndarray) -> int:
    digest = hashlib.blake2b(index.to_bytes(2, "little") + values.tobytes(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


@dataclass(frozen=True)
class Fingerprint:
    content_hash: str
    signature: bytes  # num_perm little-endian uint32
    band_keys: tuple[int, ...]


@dataclass(frozen=True)
class Fingerprinter:
    """MinHash/LSH parameters; ``num_perm`` must be divisible by ``bands``."""

    shingle: int = DEFAULT_SHINGLE
    num_perm: int = DEFAULT_NUM_PERM
    bands: int = DEFAULT_BANDS
    threshold: float = DEFAULT_THRESHOLD
    seed: int = 1

    def __post_init__(self) -> None:
        if self.num_perm % self.bands:
            raise ValueError(f"num_perm {self.num_perm} is not divisible by bands {self.bands}")

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands

    @cached_property
    def _template(self) -> MinHash:
        return MinHash(num_perm=self.num_perm, seed=self.seed, hashfunc=zlib.crc32)

    def candidate_probability(self, similarity: float) -> float:
        """Probability that two bodies of this Jaccard similarity share a band."""
        return float(1 - (1 - similarity**self.rows) ** self.bands)

    def signature(self, text: str) -> bytes:
        return self._signature(normalise_body(text))

    def _signature(self, normalised: str) -> bytes:
        template = self._template
        minhash = MinHash(num_perm=self.num_perm, seed=self.seed, hashfunc=zlib.crc32,
                          permutations=template.permutations, scheme=template.scheme)
        grams = shingles(normalised, self.shingle)
        if grams:
            minhash.update_batch(list(grams))
        return minhash.hashvalues.astype("<u4").tobytes()

    def band_keys(self, signature: bytes) -> tuple[int, ...]:
        values = np.frombuffer(signature, dtype="<u4")
        rows = self.rows
        return tuple(_band_key(i, values[i * rows:(i + 1) * rows]) for i in range(self.bands))

    def fingerprint(self, text: str) -> Fingerprint:
        normalised = normalise_body(text)
        signature = self._signature(normalised)
        return Fingerprint(_hash_normalised(normalised), signature, self.band_keys(signature))
