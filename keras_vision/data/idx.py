"""MNIST-style files: the IDX format (gzipped or not) and Keras' `mnist.npz`.

An IDX file (LeCun et al., http://yann.lecun.com/exdb/mnist/) is a tiny header and raw bytes:

    bytes 0-1  zero
    byte  2    element type (0x08 = uint8)
    byte  3    number of dimensions D
    then       D big-endian uint32 sizes, then the data, row-major.

Read as one big-endian int32, the first four bytes are the "magic number": 2051 (0x0803) for an
image file of shape (N, 28, 28) and 2049 (0x0801) for a label file of shape (N,).
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from pathlib import Path

import numpy as np

from keras_vision.data.spec import DataFormat, Splits
from keras_vision.errors import CorruptDataError

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

#: The official file names, in the order (train images, train labels, test images, test labels).
IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
NPZ_FILE = "mnist.npz"
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


def read_bytes(path: Path) -> bytes:
    """The content of `path`, gunzipped when it starts with the gzip signature.

    Raises:
        CorruptDataError: a gzip file that is truncated or damaged.
    """
    data = Path(path).read_bytes()
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise CorruptDataError(f"{path}: not a valid gzip file ({error}). Download it again.") from None


def parse_idx(data: bytes, *, name: str = "<bytes>", magic: int | None = None) -> np.ndarray:
    """Decodes IDX bytes into an array, checking the magic number and the size.

    Args:
        data: The (gunzipped) file content.
        name: File name used in error messages.
        magic: Expected magic number (2051 images, 2049 labels); None accepts any.

    Raises:
        CorruptDataError: wrong magic, unknown type, or a size that disagrees with the header.
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_DTYPES:
        raise CorruptDataError(f"{name}: not an IDX file (bad header {data[:4].hex() or 'empty'}).")
    found = int.from_bytes(data[:4], "big")
    if magic is not None and found != magic:
        raise CorruptDataError(f"{name}: IDX magic number is {found}, expected {magic}.")
    ndim, dtype = data[3], np.dtype(IDX_DTYPES[data[2]])
    header = 4 + 4 * ndim
    if len(data) < header:
        raise CorruptDataError(f"{name}: IDX header is truncated ({len(data)} bytes).")
    dims = tuple(int(d) for d in np.frombuffer(data[:header], ">u4", offset=4))
    expected = header + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise CorruptDataError(
            f"{name}: IDX file has {len(data)} bytes but its header {dims} needs {expected} (truncated?)."
        )
    return np.frombuffer(data, dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def read_idx(path: str | Path, *, magic: int | None = None) -> np.ndarray:
    """Reads an IDX file (gzipped or not) into a NumPy array.

    Args:
        path: The file, e.g. `train-images-idx3-ubyte.gz`.
        magic: Expected magic number (2051 images, 2049 labels); None accepts any.

    Returns:
        The array, shape and dtype from the header (MNIST images: uint8 (N, 28, 28)).

    Raises:
        CorruptDataError: a truncated or damaged file; names it.
    """
    return parse_idx(read_bytes(Path(path)), name=str(path), magic=magic)


def idx_file(folder: Path, official: str) -> Path | None:
    """The IDX file `official` in `folder`, also as un-gzipped or with a `.idx3-ubyte` dot."""
    bare = official.removesuffix(".gz")
    for name in (official, bare, bare.replace("-idx", ".idx")):
        if (folder / name).is_file():
            return folder / name
    return None


def find_idx_files(folder: Path) -> Path | None:
    """`folder` if it holds the four MNIST IDX files, else None."""
    return folder if all(idx_file(folder, name) for name in IDX_FILES) else None


def read_idx_files(folder: Path, spec=None, **options) -> Splits:
    """Reads the four IDX files of MNIST or Fashion-MNIST in `folder`.

    Raises:
        CorruptDataError: a damaged file, or image and label counts that disagree.
    """
    paths = [idx_file(folder, name) for name in IDX_FILES]
    arrays = [read_idx(p, magic=m) for p, m in zip(paths, (IMAGES_MAGIC, LABELS_MAGIC) * 2)]
    for images, labels, path in ((arrays[0], arrays[1], paths[1]), (arrays[2], arrays[3], paths[3])):
        if len(images) != len(labels):
            raise CorruptDataError(f"{path}: {len(labels)} labels for {len(images)} images.")
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])


def find_mnist_npz(folder: Path) -> Path | None:
    """`folder/mnist.npz` if present, else None."""
    path = folder / NPZ_FILE
    return path if path.is_file() else None


def read_mnist_npz(path: Path, spec=None, **options) -> Splits:
    """Reads Keras' `mnist.npz` (arrays `x_train`, `y_train`, `x_test`, `y_test`).

    Raises:
        CorruptDataError: not a readable npz, or a key is missing.
    """
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise CorruptDataError(f"{path}: not a readable .npz file ({error}). Download it again.") from None
    missing = [key for key in NPZ_KEYS if key not in arrays]
    if missing:
        raise CorruptDataError(f"{path}: the npz file lacks {missing}; it has {sorted(arrays)}.")
    x_train, y_train, x_test, y_test = (arrays[key] for key in NPZ_KEYS)
    return (x_train, y_train), (x_test, y_test)


IDX_FORMAT = DataFormat("IDX files (.gz or not)", find_idx_files, read_idx_files)
MNIST_NPZ_FORMAT = DataFormat("Keras mnist.npz", find_mnist_npz, read_mnist_npz)
