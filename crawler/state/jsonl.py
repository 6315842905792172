"""The JSONL files of the store, as files: which lines are valid, a torn end, edits, quarantine.

Shared by ``StoreJsonlPipeline`` (repair and reconcile on open) and ``scrapy checkstore``
(list and quarantine invalid lines). Nothing here deletes a valid line:

- ``repair_tail`` cuts only the end of a file: bytes after its last newline (a write cut
  short by a crash or a full disk), or a last line that is not a valid item. The cut bytes
  go to the file's quarantine (``<file>.quarantine``, one JSON record a line), not away.
- ``invalid_lines`` lists the other invalid lines; they stay in place until
  ``quarantine`` moves them (the file is rewritten without them, under an exclusive lock,
  so a running crawl is never written over).
- ``file_digest`` fingerprints the bytes before a position (its length, the first and the
  last 4 KiB): the store commits it with the position it has registered, and a file whose
  digest no longer matches was edited, so it is reconciled line by line.

A crawl appending to a file holds a shared ``flock`` on it (``open_for_append``); rewriting
takes the exclusive lock without waiting, so it refuses while a crawl writes.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

WINDOW = 4096  # bytes at each end of a file's registered part that its digest covers
QUARANTINE_SUFFIX = ".quarantine"


def parse_line(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """The item of one JSONL line, or None and why it is not one."""
    try:
        record = json.loads(raw)
    except ValueError as exc:
        return None, f"not JSON ({exc.__class__.__name__}: {exc})"
    if not isinstance(record, dict):
        return None, f"not an object ({type(record).__name__})"
    if not record.get("url"):
        return None, "no url"
    return record, ""


@dataclass
class BadLine:
    path: Path
    number: int  # 1-based line number
    offset: int  # byte offset of the line's start
    reason: str
    raw: bytes

    def describe(self) -> str:
        preview = self.raw[:80].decode("utf-8", "replace").rstrip("\n")
        return f"{self.path}:{self.number} (byte {self.offset}): {self.reason}: {preview!r}"


def iter_lines(handle: IO[bytes], start: int = 0) -> Iterator[tuple[int, bytes]]:
    """(offset, raw line with its newline) from ``start`` to the end."""
    handle.seek(start)
    position = start
    for raw in iter(handle.readline, b""):
        yield position, raw
        position += len(raw)


def invalid_lines(path: Path) -> list[BadLine]:
    """Every line of ``path`` that is not a valid item (a torn end included), in file order."""
    bad = []
    with path.open("rb") as handle:
        for number, (offset, raw) in enumerate(iter_lines(handle), start=1):
            if not raw.strip():
                reason = "empty line"
            elif not raw.endswith(b"\n"):
                reason = "torn last line (no newline)"
            else:
                reason = parse_line(raw)[1]
            if reason:
                bad.append(BadLine(path, number, offset, reason, raw))
    return bad


def quarantine_path(path: Path) -> Path:
    return path.with_name(path.name + QUARANTINE_SUFFIX)


def _quarantine_records(path: Path, lines: list[BadLine]) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with quarantine_path(path).open("a", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps({"file": path.name, "line": line.number, "byte": line.offset, "reason": line.reason,
                                  "text": line.raw.decode("utf-8", "replace"), "quarantined_at": now},
                                 ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())


def repair_tail(path: Path) -> BadLine | None:
    """Cut a torn or invalid last line of ``path`` into its quarantine; the cut line, or None.

    Skipped (None) while another process holds a lock on the file: a crawl writing it.
    """
    size = path.stat().st_size
    if not size:
        return None
    with path.open("rb+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return None
            raise
        start, raw = _last_line(handle, size)
        if raw.endswith(b"\n"):
            if not raw.strip():
                reason = "empty last line"
            else:
                reason = parse_line(raw)[1]
            if not reason:
                return None
        else:
            reason = "torn last line (no newline)"
        number = _count_newlines(handle, start) + 1
        bad = BadLine(path, number, start, reason, raw)
        _quarantine_records(path, [bad])
        handle.truncate(start)
        handle.flush()
        os.fsync(handle.fileno())
    return bad


def _last_line(handle: IO[bytes], size: int) -> tuple[int, bytes]:
    """(offset, bytes) of the last line: after the last newline, or the last complete line when it ends one."""
    end = size - 1 if _byte_at(handle, size - 1) == b"\n" else size  # the newline that ends the last line
    position = end
    while position > 0:
        start = max(0, position - 65536)
        handle.seek(start)
        chunk = handle.read(position - start)
        found = chunk.rfind(b"\n")
        if found >= 0:
            line_start = start + found + 1
            break
        position = start
    else:
        line_start = 0
    handle.seek(line_start)
    return line_start, handle.read(size - line_start)


def _byte_at(handle: IO[bytes], offset: int) -> bytes:
    handle.seek(offset)
    return handle.read(1)


def _count_newlines(handle: IO[bytes], end: int) -> int:
    handle.seek(0)
    count, left = 0, end
    while left > 0:
        chunk = handle.read(min(left, 1 << 20))
        if not chunk:
            break
        count += chunk.count(b"\n")
        left -= len(chunk)
    return count


def quarantine(path: Path, lines: list[BadLine] | None = None) -> list[BadLine]:
    """Move the invalid lines of ``path`` to ``<path>.quarantine``; the lines moved.

    The file is rewritten (a temporary file, fsync, rename) while holding its exclusive lock;
    raises ``BlockingIOError`` when a running crawl holds it.
    """
    with path.open("rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise BlockingIOError(errno.EAGAIN, f"{path} is being written by a running crawl") from None
            raise
        bad = invalid_lines(path) if lines is None else lines
        if not bad:
            return []
        skip = {line.offset for line in bad}
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("wb") as out:
            for offset, raw in iter_lines(handle):
                if offset not in skip:
                    out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        _quarantine_records(path, bad)
        os.replace(tmp, path)
    return bad


def file_digest(handle: IO[bytes], end: int) -> int:
    """A signed 63-bit fingerprint of bytes ``[0, end)``: their length, first and last ``WINDOW`` bytes."""
    head_len = min(end, WINDOW)
    handle.seek(0)
    head = handle.read(head_len)
    tail_start = max(head_len, end - WINDOW)
    handle.seek(tail_start)
    tail = handle.read(end - tail_start)
    digest = hashlib.blake2b(end.to_bytes(8, "little") + head + tail, digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def checkpoint_name(path: Path) -> str:
    """The state checkpoint holding how much of ``path`` is registered (``#digest``, ``#invalid`` beside it)."""
    return f"jsonl:{path.parent.name}/{path.name}"


def record_registered(store: Any, path: Path, end: int, invalid: int = 0) -> None:
    """Tell ``store`` that the lines of ``path`` up to byte ``end`` are registered, with the digest of those bytes."""
    name = checkpoint_name(path)
    with path.open("rb") as handle:
        digest = file_digest(handle, end)
    store.set_checkpoint(name, end)
    store.set_checkpoint(name + "#digest", digest)
    store.set_checkpoint(name + "#invalid", invalid)


def open_for_append(path: Path) -> IO[bytes]:
    """``path`` opened for unbuffered appends under a shared lock (retried if the file was replaced meanwhile)."""
    while True:
        handle = path.open("ab", buffering=0)
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        try:
            same = os.fstat(handle.fileno()).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:
            return handle  # type: ignore[return-value]
        handle.close()


def append_line(handle: IO[bytes], data: bytes, fsync: bool = False) -> None:
    """Write ``data`` whole (a short write is continued); on failure cut what was written of it and raise."""
    fd = handle.fileno()
    start = os.lseek(fd, 0, os.SEEK_END)
    view = memoryview(data)
    try:
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if fsync:
            os.fsync(fd)
    except OSError:
        written = len(data) - len(view)
        try:
            if written and os.fstat(fd).st_size == start + written:  # our partial line is the end: cut it
                os.ftruncate(fd, start)
        except OSError:
            pass  # the next open cuts the torn line
        raise
