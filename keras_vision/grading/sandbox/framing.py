"""Length-prefixed messages over a pipe: 8 bytes of big-endian length, then the payload."""

from __future__ import annotations

import os
import struct

HEADER = struct.Struct(">Q")
#: Messages larger than this are refused before being read (a runaway worker cannot exhaust memory).
MAX_MESSAGE_BYTES = 512 * 1024 * 1024


class FrameTooLarge(ValueError):
    """A frame announced more bytes than the reader accepts; nothing of it was kept."""


def write_message(fd: int, payload: bytes) -> None:
    """Writes one framed message to the file descriptor `fd` (blocking)."""
    data = memoryview(HEADER.pack(len(payload)) + payload)
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_message(fd: int) -> bytes | None:
    """Reads one framed message from `fd` (blocking); None at end of file."""
    header = _read_exactly(fd, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > MAX_MESSAGE_BYTES:
        raise FrameTooLarge(f"a message of {size:,} bytes; the limit is {MAX_MESSAGE_BYTES:,}")
    payload = _read_exactly(fd, size) if size else b""
    if payload is None:
        raise EOFError("The pipe closed in the middle of a message.")
    return payload


class FrameBuffer:
    """Collects bytes read without blocking and hands out complete messages.

    Args:
        max_bytes: Largest message accepted; a header announcing more raises `FrameTooLarge` as
            soon as it arrives, before the payload is buffered. Defaults to `MAX_MESSAGE_BYTES`.
    """

    def __init__(self, max_bytes: int = MAX_MESSAGE_BYTES):
        self._data = bytearray()
        self.max_bytes = max_bytes

    def feed(self, chunk: bytes) -> None:
        """Adds `chunk`; raises `FrameTooLarge` when the next message announces too many bytes."""
        self._data += chunk
        if len(self._data) >= HEADER.size:
            (size,) = HEADER.unpack_from(self._data)
            if size > self.max_bytes:
                self._data.clear()
                raise FrameTooLarge(f"a message of {size:,} bytes; the limit is {self.max_bytes:,}")

    def pop(self) -> bytes | None:
        """The next complete message, or None while it is incomplete."""
        if len(self._data) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self._data)
        if size > self.max_bytes:
            self._data.clear()
            raise FrameTooLarge(f"a message of {size:,} bytes; the limit is {self.max_bytes:,}")
        end = HEADER.size + size
        if len(self._data) < end:
            return None
        payload = bytes(self._data[HEADER.size : end])
        del self._data[:end]
        return payload


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            if remaining == size:
                return None
            raise EOFError("The pipe closed in the middle of a message.")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
