"""Length-prefixed messages over a pipe: 8 bytes of big-endian length, then the payload."""

from __future__ import annotations

import os
import struct

HEADER = struct.Struct(">Q")
#: Replies larger than this are refused before being read (a runaway worker cannot exhaust memory).
MAX_MESSAGE_BYTES = 512 * 1024 * 1024


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
        raise ValueError(f"A message of {size} bytes exceeds the limit of {MAX_MESSAGE_BYTES}.")
    payload = _read_exactly(fd, size) if size else b""
    if payload is None:
        raise EOFError("The pipe closed in the middle of a message.")
    return payload


class FrameBuffer:
    """Collects bytes read without blocking and hands out complete messages."""

    def __init__(self):
        self._data = bytearray()

    def feed(self, chunk: bytes) -> None:
        self._data += chunk

    def pop(self) -> bytes | None:
        """The next complete message, or None while it is incomplete."""
        if len(self._data) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self._data)
        if size > MAX_MESSAGE_BYTES:
            raise ValueError(f"A message of {size} bytes exceeds the limit of {MAX_MESSAGE_BYTES}.")
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
