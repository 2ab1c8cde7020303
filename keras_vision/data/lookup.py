"""Where a dataset is found: local folders first, then the Keras cache, then a (fast-failing) download.

The search order for `load_dataset(name, data_dir)`:

1. `data_dir`, else `$KERAS_VISION_DATA`: the dataset's files directly in that folder or in a
   subfolder named after the dataset (`mnist/`, `cifar10/`, ...), in any format the dataset's
   spec accepts (official IDX/pickle files, their `.tar.gz`, class folders, ...).
2. The Keras cache, `$KERAS_HOME/datasets` (default `~/.keras/datasets`), exactly where
   `keras.datasets` keeps its downloads.
3. `keras.datasets.<name>.load_data()`, only after a short connect to the download host succeeds,
   with a socket timeout, so that an offline machine fails in seconds with `DataNotFoundError`
   saying which files to place where, instead of hanging or showing a traceback from inside Keras.
"""

from __future__ import annotations

import importlib
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from keras_vision import network
from keras_vision.data.registry import DATASETS
from keras_vision.data.spec import DataFormat, DatasetSpec, Splits
from keras_vision.errors import CorruptDataError, DataNotFoundError
from keras_vision.network import keras_datasets_dir, keras_home  # noqa: F401  (re-exported by keras_vision.data)

#: Environment variable naming the folder that holds the course datasets.
DATA_ENV = "KERAS_VISION_DATA"
#: Seconds a download may stall before it is abandoned.
DOWNLOAD_TIMEOUT = 10.0


@dataclass(frozen=True)
class Found:
    """A dataset found on disk: the format recognised, its path, and which search place held it."""

    format: DataFormat
    path: Path
    origin: str

    def describe(self) -> str:
        return f"{self.format.description} at {self.path} ({self.origin})"


def search_folders(spec: DatasetSpec, data_dir: str | os.PathLike | None = None) -> list[tuple[Path, str]]:
    """The folders searched for `spec`, in order, each with a label saying why it is searched.

    Args:
        spec: The dataset.
        data_dir: A data folder; None uses `$KERAS_VISION_DATA` (if set).

    Returns:
        `(folder, origin)` pairs: the data folder and its dataset subfolders, then the Keras cache.
    """
    folders = []
    origin = "data_dir" if data_dir is not None else DATA_ENV
    user = data_dir if data_dir is not None else os.environ.get(DATA_ENV) or None
    if user is not None:
        root = Path(user).expanduser()
        folders += [(root / sub, origin) for sub in ("", *spec.folder_names)]
    cache = keras_datasets_dir()
    folders += [(cache / sub, "Keras cache") for sub in ("", *spec.keras_cache)]
    return folders


def find_dataset(spec: DatasetSpec, data_dir: str | os.PathLike | None = None) -> Found | None:
    """Returns where `spec`'s data is on disk (first format found in the first folder), or None."""
    for folder, origin in search_folders(spec, data_dir):
        if not folder.is_dir():
            continue
        for fmt in spec.formats:
            path = fmt.find(folder)
            if path is not None:
                return Found(fmt, path, origin)
    return None


def locate(name: str, data_dir: str | os.PathLike | None = None) -> str | None:
    """Says where dataset `name` would be loaded from, without reading it.

    Args:
        name: A name in `DATASETS` ("mnist", "cifar10", ...).
        data_dir: A data folder; None uses `$KERAS_VISION_DATA`.

    Returns:
        A human-readable description ("IDX files at /data/mnist (data_dir)"), or None when the
        data is not on disk (a load would then try to download it).

    Raises:
        ValueError: if `name` is not a registered dataset (the message lists valid names).
    """
    found = find_dataset(DATASETS.get(name), data_dir)
    return found.describe() if found else None


def downloads_available(timeout: float = 3.0) -> bool:
    """True when the Keras download host answers a TCP connect within `timeout` seconds.

    Always False when `KERAS_VISION_OFFLINE=1`. The answer is cached for the process.
    """
    return network.downloads_available(network.DOWNLOAD_HOST, timeout=timeout)


def load_dataset(name: str, data_dir: str | os.PathLike | None = None, **options) -> Splits:
    """Loads a registered dataset from disk, or downloads it through `keras.datasets`.

    Args:
        name: A name in `DATASETS`.
        data_dir: A data folder; None uses `$KERAS_VISION_DATA`, then the Keras cache.
        **options: Passed to the format reader and to Keras (e.g. `label_mode` for CIFAR-100).

    Returns:
        `((x_train, y_train), (x_test, y_test))` with the dtypes and shapes of `keras.datasets`.

    Raises:
        DataNotFoundError: not on disk and not downloadable; says which files to place where.
        CorruptDataError: a file is truncated or not in the expected format; names the file.
    """
    spec = DATASETS.get(name)
    found = find_dataset(spec, data_dir)
    if found is None:
        return conform(spec, download_with_keras(spec, data_dir, **options), spec.download_url)
    return conform(spec, found.format.read(found.path, spec, **options), str(found.path))


def conform(spec: DatasetSpec, splits: Splits, source: str) -> Splits:
    """Checks image shapes and label ranges, and gives arrays Keras' dtypes and shapes.

    Raises:
        CorruptDataError: images of the wrong shape, counts that disagree, labels out of range.
    """
    out = []
    for split, (x, y) in zip(("train", "test"), splits):
        x, y = np.ascontiguousarray(_channels_last(np.asarray(x), spec), dtype=np.uint8), np.asarray(y)
        if spec.image_shape is not None and x.shape[1:] != spec.image_shape:
            raise CorruptDataError(
                f"{source}: {spec.title} {split} images have shape {x.shape[1:]}, expected "
                f"{spec.image_shape}. Is this the right dataset?"
            )
        if len(x) != y.size or (y.size and (y.min() < 0 or y.max() >= spec.num_classes)):
            raise CorruptDataError(
                f"{source}: {spec.title} {split} split has {len(x)} images and {y.size} labels "
                f"(labels must be 0..{spec.num_classes - 1}, one per image)."
            )
        out.append((x, spec.shape_labels(y)))
    return tuple(out)


def _channels_last(x: np.ndarray, spec: DatasetSpec) -> np.ndarray:
    """Undoes Keras' `channels_first` layout (N, C, H, W) if its download returned that."""
    shape = spec.image_shape
    if shape and len(shape) == 3 and x.ndim == 4 and x.shape[1:] == (shape[2], *shape[:2]):
        return x.transpose(0, 2, 3, 1)
    return x


def download_with_keras(spec: DatasetSpec, data_dir=None, **options) -> Splits:
    """Downloads through `keras.datasets`, failing fast with guidance when that cannot work.

    Raises:
        DataNotFoundError: no network, no Keras loader, or the download failed.
    """
    if spec.keras_module is None:
        raise DataNotFoundError(not_found_message(spec, data_dir, "Keras cannot download it."))
    host = urlparse(spec.download_url).hostname or network.DOWNLOAD_HOST
    if not network.downloads_available(host, timeout=3.0):
        raise DataNotFoundError(not_found_message(spec, data_dir, "This machine cannot download it."))
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)
    try:
        return keras_load_data(spec.keras_module)(**options)
    except Exception as error:  # Keras raises bare Exception on URL failures
        reason = f"The download failed ({type(error).__name__}: {str(error)[:200]})."
        raise DataNotFoundError(not_found_message(spec, data_dir, reason)) from None
    finally:
        socket.setdefaulttimeout(previous)


def keras_load_data(module: str):
    """`keras.datasets.<module>.load_data` (imports Keras)."""
    return importlib.import_module(f"keras.datasets.{module}").load_data


def not_found_message(spec: DatasetSpec, data_dir=None, reason: str = "") -> str:
    """One short paragraph: what is missing, where it was looked for, and how to provide it."""
    folders = [f for f, _ in search_folders(spec, data_dir)]
    shown = [f for f in folders if f.is_dir() or f.parent not in folders]  # not subfolders of missing ones
    looked = ", ".join(str(f) + ("" if f.is_dir() else " (missing)") for f in shown)
    sub = spec.folder_names[0] if spec.folder_names else spec.name
    accepted = "; ".join(fmt.description for fmt in spec.formats)
    return (
        f"{spec.title} not found. Place {', '.join(spec.expected_files)} in a folder DIR "
        f"(or DIR/{sub}/) and pass --data-dir DIR or set {DATA_ENV}=DIR "
        f"(accepted: {accepted}). Looked in: {looked}. {reason} "
        f"On a networked machine, download from {spec.download_url}"
    ).replace("  ", " ")
