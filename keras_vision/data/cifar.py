"""CIFAR-10 and CIFAR-100 in their official "python version" format, as folder or `.tar.gz`.

Each file of `cifar-10-batches-py/` (data_batch_1..5, test_batch) and `cifar-100-python/` (train,
test) is a pickled dict with bytes keys (Krizhevsky, https://www.cs.toronto.edu/~kriz/cifar.html):

    b"data":   uint8 array (N, 3072): per image 1024 red, then 1024 green, then 1024 blue values,
               each plane row-major 32x32; so `data.reshape(N, 3, 32, 32).transpose(0, 2, 3, 1)`
               gives (N, 32, 32, 3) images.
    b"labels" (CIFAR-10) or b"fine_labels" and b"coarse_labels" (CIFAR-100): lists of ints.

The archives are read member by member straight from the `.tar.gz`, without extracting to disk.
Pickles are unpickled with a restricted unpickler that only rebuilds NumPy arrays.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from keras_vision.data.archives import read_tar_members
from keras_vision.data.spec import DataFormat, Splits
from keras_vision.errors import CorruptDataError

#: The only globals a CIFAR pickle may reference: NumPy array reconstruction and bytes decoding.
ALLOWED_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("_codecs", "encode"),
    }
)
LABEL_MODES = ("fine", "coarse")


@dataclass(frozen=True)
class CifarLayout:
    """Where a CIFAR variant keeps its batches.

    Attributes:
        folder: Folder name inside the archive (`cifar-10-batches-py`).
        train: Training batch file names, in order.
        test: Test batch file name.
        label_key: Key of the labels; `{label_mode}` is replaced by "fine" or "coarse".
        archives: Archive names: the official one, then the names Keras' cache uses.
    """

    folder: str
    train: tuple[str, ...]
    test: str
    label_key: str
    archives: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        return (*self.train, self.test)


CIFAR10_LAYOUT = CifarLayout(
    folder="cifar-10-batches-py",
    train=tuple(f"data_batch_{i}" for i in range(1, 6)),
    test="test_batch",
    label_key="labels",
    archives=("cifar-10-python.tar.gz", "cifar-10-batches-py-target_archive", "cifar-10-batches-py.tar.gz"),
)
CIFAR100_LAYOUT = CifarLayout(
    folder="cifar-100-python",
    train=("train",),
    test="test",
    label_key="{label_mode}_labels",
    archives=("cifar-100-python.tar.gz", "cifar-100-python-target_archive"),
)


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        return super().find_class(module, name)


def unpickle_batch(data: bytes, *, name: str) -> dict:
    """Unpickles one CIFAR batch (bytes keys, as written by Python 2) into a dict with str keys.

    Raises:
        CorruptDataError: the bytes are not a pickled dict of NumPy arrays and lists.
    """
    try:
        batch = _RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()
    except Exception as error:  # a damaged pickle can raise almost anything
        raise CorruptDataError(f"{name}: not a readable CIFAR pickle ({type(error).__name__}: {error}).") from None
    if not isinstance(batch, dict):
        raise CorruptDataError(f"{name}: expected a pickled dict, found {type(batch).__name__}.")
    return {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}


def batch_arrays(batch: dict, label_key: str, *, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 32, 32, 3) uint8 and labels (N,) of one unpickled batch.

    Raises:
        CorruptDataError: missing keys, a `data` array that is not (N, 3072) uint8, or a label
            count that differs from the image count.
    """
    data, labels = batch.get("data"), batch.get(label_key)
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise CorruptDataError(f"{name}: 'data' must be a uint8 array of shape (N, 3072); keys: {sorted(batch)}.")
    if labels is None or len(labels) != len(data):
        count = "missing" if labels is None else f"{len(labels)} for {len(data)} images"
        raise CorruptDataError(f"{name}: labels {label_key!r} {count}; keys: {sorted(batch)}.")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), np.asarray(labels)


def read_folder_members(folder: Path, names: tuple[str, ...]) -> dict[str, tuple[bytes, str]]:
    """`{name: (content, display name)}` for each file `names` in `folder`."""
    return {n: ((folder / n).read_bytes(), str(folder / n)) for n in names}


def read_archive_members(archive: Path, folder: str, names: tuple[str, ...]) -> dict[str, tuple[bytes, str]]:
    """`{name: (content, display name)}` for `folder/<name>` members, streamed from a tar archive.

    Raises:
        CorruptDataError: the archive is damaged or truncated, or a member is missing.
    """
    wanted = {f"{folder}/{n}": n for n in names}
    members = read_tar_members(archive, lambda name: name in wanted)
    found = {wanted[key]: (data, f"{archive}:{key}") for key, data in members.items()}
    missing = [f"{folder}/{n}" for n in names if n not in found]
    if missing:
        raise CorruptDataError(f"{archive}: archive lacks {', '.join(missing)}.")
    return found


def read_cifar(members: dict[str, tuple[bytes, str]], layout: CifarLayout, label_mode: str) -> Splits:
    """Decodes the train batches (concatenated in order) and the test batch."""
    key = layout.label_key.format(label_mode=label_mode)
    arrays = {
        n: batch_arrays(unpickle_batch(data, name=shown), key, name=shown) for n, (data, shown) in members.items()
    }
    x_train = np.concatenate([arrays[n][0] for n in layout.train])
    y_train = np.concatenate([arrays[n][1] for n in layout.train])
    return (x_train, y_train), arrays[layout.test]


def check_label_mode(label_mode: str) -> str:
    """Returns `label_mode` if it is "fine" or "coarse".

    Raises:
        ValueError: for any other value.
    """
    if label_mode not in LABEL_MODES:
        raise ValueError(f'`label_mode` must be one of "fine", "coarse". Received: label_mode={label_mode!r}.')
    return label_mode


def pickle_folder_format(title: str, layout: CifarLayout) -> DataFormat:
    """The format "`layout.folder/` of pickles" (also accepted when the files sit in the folder itself)."""

    def find(folder: Path) -> Path | None:
        for candidate in (folder / layout.folder, folder):
            if all((candidate / n).is_file() for n in layout.members):
                return candidate
        return None

    def read(path: Path, spec=None, label_mode: str = "fine") -> Splits:
        return read_cifar(read_folder_members(path, layout.members), layout, check_label_mode(label_mode))

    return DataFormat(f"{title} python pickles ({layout.folder}/)", find, read)


def archive_format(title: str, layout: CifarLayout) -> DataFormat:
    """The format "official `.tar.gz` of the pickles", read without extracting it."""

    def find(folder: Path) -> Path | None:
        return next((folder / n for n in layout.archives if (folder / n).is_file()), None)

    def read(path: Path, spec=None, label_mode: str = "fine") -> Splits:
        members = read_archive_members(path, layout.folder, layout.members)
        return read_cifar(members, layout, check_label_mode(label_mode))

    return DataFormat(f"{title} archive ({layout.archives[0]})", find, read)


CIFAR10_FORMATS: tuple[DataFormat, ...] = (
    pickle_folder_format("CIFAR-10", CIFAR10_LAYOUT),
    archive_format("CIFAR-10", CIFAR10_LAYOUT),
)
CIFAR100_FORMATS: tuple[DataFormat, ...] = (
    pickle_folder_format("CIFAR-100", CIFAR100_LAYOUT),
    archive_format("CIFAR-100", CIFAR100_LAYOUT),
)
