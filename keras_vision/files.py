"""Files written whole or not at all: a temporary file beside the target, then one rename.

A full disk, a killed process or an exception half-way leaves the old file as it was (or no file),
never a truncated one. Every writer of results, caches and grades goes through `atomic_path`.
Plain Python: no TensorFlow.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yields a temporary path beside `path`; when the block ends without error, renames it to `path`.

    The parent folders are created. On an error the temporary file is removed and the error raised.

    Example:
        with atomic_path("out/features.npy") as partial:
            np.save(partial, features)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> Path:
    """Writes `text` to `path` atomically; returns `path`."""
    with atomic_path(path) as partial:
        partial.write_text(text)
    return Path(path)


def write_json(path: str | Path, payload: Mapping) -> Path:
    """Writes `payload` as indented JSON atomically (NumPy scalars and arrays, paths allowed)."""
    return write_text(path, json.dumps(payload, indent=2, default=jsonable) + "\n")


def jsonable(value):
    """The JSON form of a NumPy scalar or array, or a path; `TypeError` for anything else."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"Cannot write {type(value).__name__} to JSON")


def save_model(model, path: str | Path) -> Path:
    """Saves a Keras model (`model.save`) to `path` atomically; returns `path`.

    Keras chooses the format by the file's suffix (`.keras`), so the temporary file keeps it.
    """
    path = Path(path)
    with atomic_path(path) as partial:
        staged = partial.with_name(partial.name + path.suffix)
        try:
            model.save(staged)
            os.replace(staged, partial)
        finally:
            staged.unlink(missing_ok=True)
    return path
