"""A disk cache of decoded image arrays, so 60,000 JPEGs are decoded once, not on every run.

Entries live in `$KERAS_HOME/datasets/keras_vision/` as uncompressed `.npz` files (fast to load).
An entry's name hashes the source's absolute path with its size and modification time (for a
folder: of every file in it) and the decoding options, so editing the source makes a new entry.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np

from keras_vision.errors import KerasVisionWarning
from keras_vision.files import atomic_path
from keras_vision.network import keras_datasets_dir


def cache_dir() -> Path:
    """`$KERAS_HOME/datasets/keras_vision`: where decoded arrays are cached."""
    return keras_datasets_dir() / "keras_vision"


def fingerprint(source: Path) -> str:
    """A string that changes when the file or any file inside the folder `source` changes."""
    source = Path(source).resolve()
    if source.is_file():
        stat = source.stat()
        return f"{source}|{stat.st_size}|{stat.st_mtime_ns}"
    parts = [str(source)]
    for root, dirs, files in os.walk(source):
        dirs.sort()
        for name in sorted(files):
            stat = os.stat(os.path.join(root, name))
            parts.append(f"{os.path.relpath(os.path.join(root, name), source)}|{stat.st_size}|{stat.st_mtime_ns}")
    return "\n".join(parts)


def cache_path(source: Path, **options) -> Path:
    """The cache file for `source` decoded with `options` (e.g. `image_size=(64, 64)`)."""
    key = fingerprint(source) + "|" + repr(sorted(options.items()))
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    stem = Path(source).name.split(".")[0] or "data"
    return cache_dir() / f"{stem}-{digest}.npz"


def load_arrays(path: Path) -> dict[str, np.ndarray] | None:
    """The arrays cached at `path`, or None if there is no (readable) entry."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError):
        return None


def save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Writes `arrays` to `path` atomically; warns (and carries on) if the folder is not writable."""
    try:
        with atomic_path(path) as partial, open(partial, "wb") as f:
            np.savez(f, **arrays)
    except OSError as error:
        warnings.warn(f"Could not cache decoded images at {path}: {error}", KerasVisionWarning, stacklevel=2)
