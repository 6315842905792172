"""Content fingerprints shared by every state backend: exact hash, MinHash signature, LSH band keys.

Pure functions, no state: the SQLite and Redis backends store what these return.

- ``normalise_body``: NFKC, lower case, only letters and digits (CJK included), so whitespace,
  punctuation and full/half-width differences never make two copies differ.
- ``content_hash``: exact-duplicate key, a hash of the normalised body.
- ``Fingerprinter.fingerprint``: a MinHash over character ``shingle``-grams of the normalised
  body, cut into ``bands`` bands of ``rows`` values; each band becomes one signed 64-bit key.
  Two bodies with Jaccard ``s`` share at least one band with probability
  ``1 - (1 - s**rows) ** bands``; candidates are then verified with the signature's Jaccard
  estimate against ``threshold``. The shingles are hashed all at once with numpy (each gram's
  code points folded FNV-style, then the splitmix64 finaliser: no less random than SHA-1 per
  shingle; a CRC-32 per shingle overestimated the similarity of templated articles, 0.49 for
  a true 0.32). The permutations are datasketch's (``affine32`` scheme, seed 1), drawn and applied in
  numpy blocks instead of ``MinHash.update_batch``: the same signature bit for bit (a test
  compares them), 6x faster on a 1,000-character body (0.82 -> 0.13 ms), since
  ``update_batch`` calls a Python function per shingle.

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
from dataclasses import dataclass
from functools import cached_property

import numpy as np

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Characters whose NFKC form is ASCII punctuation or space (fullwidth ，：（）！, the ideographic space, …):
# ``normalise_body`` removes them in the end anyway, so they become spaces before NFKC, and a Chinese
# text, normalised but for them, skips the NFKC pass (0.28 -> 0.07 ms for 1,600 characters). A space
# blocks canonical composition as they do, so the result is the same (a test checks it). The list is
# what Python's Unicode tables give (a test checks that too).
_ASCII_PUNCT_FORMS = (
    "\u00a0\u037e\u1fef\u2000-\u200a\u2024-\u2026\u202f\u203c\u2047-\u2049\u205f\u207a\u207c-\u207e"
    "\u208a\u208c-\u208e\u2a74-\u2a76\u3000\ufb29\ufe10\ufe13-\ufe16\ufe19\ufe30\ufe33-\ufe38\ufe47-\ufe48"
    "\ufe4d-\ufe50\ufe52\ufe54-\ufe57\ufe59-\ufe5c\ufe5f-\ufe66\ufe68-\ufe6b\uff01-\uff0f\uff1a-\uff20"
    "\uff3b-\uff40\uff5b-\uff5e"
)
_ASCII_PUNCT = re.compile(f"[{_ASCII_PUNCT_FORMS}]")

DEFAULT_SHINGLE = 4
DEFAULT_NUM_PERM = 128
DEFAULT_BANDS = 32
DEFAULT_THRESHOLD = 0.5


def normalise_body(text: str) -> str:
    """The body reduced to what two copies of one article must share."""
    text = _ASCII_PUNCT.sub(" ", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _NON_WORD.sub("", text.lower())


def content_hash(text: str) -> str:
    """Exact-duplicate key of a body (hex, 128 bits of BLAKE2b of the normalised text)."""
    return hash_normalised(normalise_body(text))


def hash_normalised(normalised: str) -> str:
    """``content_hash`` of a body already passed through ``normalise_body``."""
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=16).hexdigest()


def shingles(normalised: str, size: int = DEFAULT_SHINGLE) -> set[bytes]:
    """Character ``size``-grams (the whole text when shorter)."""
    if len(normalised) <= size:
        return {normalised.encode("utf-8")} if normalised else set()
    return {normalised[i:i + size].encode("utf-8") for i in range(len(normalised) - size + 1)}


_FNV_PRIME = np.uint64(0x100000001B3)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _shingle_codes(normalised: str, size: int = DEFAULT_SHINGLE) -> np.ndarray | None:
    """32-bit hashes of every character ``size``-gram, repeats included (None for an empty text)."""
    if not normalised:
        return None
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    if len(codes) < size:
        codes = np.concatenate([codes, np.zeros(size - len(codes), dtype=np.uint64)])
    count = len(codes) - size + 1
    with np.errstate(over="ignore"):
        folded = codes[:count].copy()
        for offset in range(1, size):
            folded *= _FNV_PRIME
            folded ^= codes[offset:offset + count]
        return (_splitmix64(folded) >> np.uint64(32)).astype(np.uint32)


def shingle_hashes(normalised: str, size: int = DEFAULT_SHINGLE) -> np.ndarray:
    """Distinct 32-bit hashes of the character ``size``-grams (of the whole text when shorter), stable across runs."""
    codes = _shingle_codes(normalised, size)
    return np.empty(0, dtype=np.uint64) if codes is None else np.unique(codes.astype(np.uint64))


_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
_CHUNK = 2048  # shingles per block: a block of 128 permutations (1 MiB) stays in the CPU cache


def _affine32_minima(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """datasketch's ``affine32`` MinHash of these 32-bit hashes, computed in numpy without Python loops.

    Per hash ``h``: the MurmurHash3 finalizer ``fmix32(h)``, then for each permutation ``a * h + b``
    modulo 2**32; the signature is the minimum per permutation. Repeated hashes change no minimum,
    so the shingles need not be made unique first. Identical to ``MinHash.update_batch``.
    """
    s1, m1, s2, m2, s3 = _FMIX32
    a_col, b_col = a[:, None], b[:, None]
    with np.errstate(over="ignore"):
        h = hashes ^ (hashes >> s1)
        h *= m1
        h ^= h >> s2
        h *= m2
        h ^= h >> s3
        result = np.full(len(a), np.iinfo(np.uint32).max, dtype=np.uint32)
        block = np.empty((len(a), min(len(h), _CHUNK)), dtype=np.uint32)
        for start in range(0, len(h), _CHUNK):
            part = h[None, start:start + _CHUNK]
            out = block[:, :part.shape[1]]
            np.multiply(a_col, part, out=out)
            np.add(out, b_col, out=out)
            np.minimum(result, out.min(axis=1), out=result)
    return result


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


def _band_key(index: int, values: np.ndarray | bytes) -> int:
    data = values if isinstance(values, bytes) else values.tobytes()
    digest = hashlib.blake2b(index.to_bytes(2, "little") + data, digest_size=8).digest()
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
    def _permutations(self) -> tuple[np.ndarray, np.ndarray]:
        """datasketch's ``affine32`` permutations for ``num_perm`` and ``seed``: odd ``a``, any ``b``, uint32.

        Drawn exactly as ``datasketch.MinHash(num_perm, seed)`` draws them (a test compares the two), without
        importing datasketch at run time: it loads scipy, 60 MB of memory in every crawl.
        """
        gen = np.random.RandomState(self.seed)
        a = gen.randint(0, 1 << 31, self.num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, self.num_perm, dtype=np.uint32)
        return a, b

    def candidate_probability(self, similarity: float) -> float:
        """Probability that two bodies of this Jaccard similarity share a band."""
        return float(1 - (1 - similarity**self.rows) ** self.bands)

    def signature(self, text: str) -> bytes:
        return self._signature(normalise_body(text))

    def _signature(self, normalised: str) -> bytes:
        codes = _shingle_codes(normalised, self.shingle)
        if codes is None:  # no shingle at all: the signature of an empty MinHash
            return np.full(self.num_perm, np.iinfo(np.uint32).max, dtype="<u4").tobytes()
        return _affine32_minima(codes, *self._permutations).astype("<u4").tobytes()

    def band_keys(self, signature: bytes) -> tuple[int, ...]:
        """One key per band of ``rows`` values: BLAKE2b of the band's index and its little-endian bytes."""
        width = self.rows * 4
        blake, from_bytes = hashlib.blake2b, int.from_bytes
        return tuple(from_bytes(blake(i.to_bytes(2, "little") + signature[i * width:(i + 1) * width],
                                      digest_size=8).digest(), "little", signed=True) for i in range(self.bands))

    def fingerprint(self, text: str) -> Fingerprint:
        return self.fingerprint_normalised(normalise_body(text))

    def fingerprint_normalised(self, normalised: str) -> Fingerprint:
        """The fingerprint of a body already passed through ``normalise_body``."""
        signature = self._signature(normalised)
        return Fingerprint(hash_normalised(normalised), signature, self.band_keys(signature))
