"""The ingest journal: an append-only, checksummed log of received payloads.

A message is acknowledged to the broker only after its group of messages has been
written here and ``fsync``-ed, so an acknowledged reading survives ``kill -9`` and power
loss. The journal is a directory of numbered segments; the writer appends to the newest
one and rotates it when it is loaded into the store. A segment is deleted only after the
store's manifest records it as loaded (the checkpoint), in the same commit as the data.

Record layout (little-endian)::

    u32 length of what follows the crc | u32 crc32 of it
    f64 received_at (epoch seconds) | u16 topic length | topic (UTF-8) | payload

A crash can leave a torn last record. Readers stop at the first record that is short or
fails its checksum: it was never acknowledged, and the broker delivers it again.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.store import fsync_dir

_HEAD = struct.Struct("<II")
_META = struct.Struct("<dH")
SUFFIX = ".wal"


@dataclass(frozen=True)
class Entry:
    """One received message."""

    received_at: float
    topic: str
    payload: bytes


def encode(received_at: float, topic: str, payload: bytes) -> bytes:
    """One journal record."""
    t = topic.encode("utf-8")[:65535]
    body = _META.pack(received_at, len(t)) + t + payload
    return _HEAD.pack(len(body), zlib.crc32(body)) + body


def read_segment(path: str | Path) -> tuple[list[Entry], int]:
    """All intact records of a segment and the number of bytes they span.

    A torn or corrupt tail is ignored (see the module notes).
    """
    data = Path(path).read_bytes()
    out: list[Entry] = []
    pos = 0
    n = len(data)
    while pos + _HEAD.size <= n:
        length, crc = _HEAD.unpack_from(data, pos)
        start = pos + _HEAD.size
        end = start + length
        if end > n or length < _META.size:
            break
        body = data[start:end]
        if zlib.crc32(body) != crc:
            break
        received_at, tlen = _META.unpack_from(body, 0)
        t0 = _META.size
        if t0 + tlen > length:
            break
        topic = body[t0 : t0 + tlen].decode("utf-8", errors="replace")
        out.append(Entry(received_at, topic, body[t0 + tlen :]))
        pos = end
    return out, pos


def segment_number(path: Path) -> int:
    return int(path.name[: -len(SUFFIX)])


class Journal:
    """The segments in ``directory``; one writer at a time (the ingest service).

    Parameters
    ----------
    directory : Path
        Created if missing.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = None
        self.current: int | None = None
        self.bytes_in_current = 0
        # numbers at or below the store's checkpoint are never reused: the loader skips
        # (and deletes) segments it believes are loaded
        self.floor = 0
        self._last_opened = 0

    def segments(self) -> list[Path]:
        """Existing segments, oldest first."""
        return sorted(self.directory.glob(f"*{SUFFIX}"), key=segment_number)

    def _path(self, number: int) -> Path:
        return self.directory / f"{number:012d}{SUFFIX}"

    def open_new(self) -> int:
        """Start a new segment numbered after every existing one and after :attr:`floor`.

        A new process never appends to an old segment, whose tail may be torn.
        """
        self.close()
        existing = self.segments()
        last = segment_number(existing[-1]) if existing else 0
        number = max(last, self.floor, self._last_opened) + 1
        self._fd = os.open(self._path(number), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        fsync_dir(self.directory)
        self.current = self._last_opened = number
        self.bytes_in_current = 0
        return number

    def append(self, entries: Sequence[tuple[float, str, bytes]]) -> None:
        """Write records and make them durable (one ``fsync`` for the whole group)."""
        if self._fd is None:
            self.open_new()
        assert self._fd is not None
        buf = b"".join(encode(t, topic, payload) for t, topic, payload in entries)
        view = memoryview(buf)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        os.fsync(self._fd)
        self.bytes_in_current += len(buf)

    def rotate(self) -> int | None:
        """Close the current segment (if it holds anything) and start a new one.

        Returns the number of the closed segment, or ``None`` if nothing was written.
        """
        if self._fd is None or self.bytes_in_current == 0:
            return None
        closed = self.current
        self.open_new()
        return closed

    def close(self) -> None:
        """Close the current segment; an empty one is removed."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            if self.bytes_in_current == 0 and self.current is not None:
                self._path(self.current).unlink(missing_ok=True)
            self.current = None

    def entries(self, number: int) -> list[Entry]:
        return read_segment(self._path(number))[0]

    def remove_through(self, number: int) -> int:
        """Delete segments up to and including ``number`` (already loaded)."""
        removed = 0
        for p in self.segments():
            if segment_number(p) <= number and segment_number(p) != self.current:
                p.unlink(missing_ok=True)
                removed += 1
        return removed

    def pending(self, loaded_through: int) -> Iterator[int]:
        """Numbers of closed segments not yet loaded, oldest first."""
        for p in self.segments():
            n = segment_number(p)
            if n > loaded_through and n != self.current:
                yield n
