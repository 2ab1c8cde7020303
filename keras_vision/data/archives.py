"""Reading files straight out of `.tar.gz` archives, without extracting them to disk."""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path

from keras_vision.errors import CorruptDataError


def read_tar_members(archive: str | Path, keep: Callable[[str], bool]) -> dict[str, bytes]:
    """Contents of the regular files in a tar archive (gzip, bz2, xz or plain) whose name `keep`s.

    A gzipped archive is decompressed in memory first: reading 60,000 small members is then about
    twice as fast as through `tarfile`'s own gzip stream.

    Args:
        archive: The archive file.
        keep: Called with each member name (a leading `./` removed); True keeps the member.

    Returns:
        `{member name: content}`, in archive order.

    Raises:
        CorruptDataError: the archive is damaged or truncated; names the file.
    """
    data = Path(archive).read_bytes()
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            members = ((m.name.removeprefix("./"), m) for m in tar if m.isfile())
            return {name: tar.extractfile(m).read() for name, m in members if keep(name)}
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise CorruptDataError(f"{archive}: damaged or truncated archive ({error}). Download it again.") from None
