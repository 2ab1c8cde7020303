"""Writers of tiny dataset files in the official on-disk formats, for offline loader tests.

Each writer produces files the way the dataset's authors (or Keras) made them, so a loader that
reads these reads the real ones:

- IDX (MNIST, Fashion-MNIST): magic 2051 for images / 2049 for labels, big-endian uint32
  dimensions, raw uint8 data, gzipped; file names `train-images-idx3-ubyte.gz` etc.
- Keras `mnist.npz`: arrays `x_train`, `y_train`, `x_test`, `y_test`.
- CIFAR "python version": dicts with bytes keys pickled with protocol 2 (the official files were
  written by Python 2's cPickle): `b"data"` uint8 (N, 3072) with the R, G, B planes of each image
  one after another, `b"labels"` (CIFAR-10) or `b"fine_labels"` / `b"coarse_labels"`
  (CIFAR-100), `b"batch_label"`, `b"filenames"`; CIFAR-10 has data_batch_1..5, test_batch,
  batches.meta; CIFAR-100 train, test, meta. Optionally as the official `.tar.gz`.
- Class folders `train/<class>/NNNN.png`, `test/<class>/...`, written with Pillow (RGB order,
  lossless PNG), plain or tarred.

Importable from any test as `import official_formats` (pytest `pythonpath = tests`).
"""

from __future__ import annotations

import gzip
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np

IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
CIFAR10_LABEL_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def random_split(rng: np.random.Generator, n: int, shape: tuple[int, ...], num_classes: int):
    """`(x, y)`: `n` random uint8 images of `shape` and labels covering every class if n allows."""
    x = rng.integers(0, 256, size=(n, *shape), dtype=np.uint8)
    y = (np.arange(n) % num_classes)[rng.permutation(n)]
    return x, y


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file: zero, zero, type 0x08 (uint8), ndim, big-endian dims, then the data."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def write_idx(path: Path, array: np.ndarray, *, compress: bool = True) -> Path:
    """Writes `array` as an IDX file, gzipped when `compress`."""
    data = idx_bytes(array)
    Path(path).write_bytes(gzip.compress(data) if compress else data)
    return Path(path)


def write_mnist_idx(folder: Path, train, test, *, compress: bool = True) -> list[Path]:
    """Writes the four MNIST-style IDX files (`.gz` unless `compress=False`) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if compress else ""
    paths = []
    for split, (x, y) in (("train", train), ("test", test)):
        images, labels = IDX_NAMES[split]
        paths.append(write_idx(folder / (images + suffix), x, compress=compress))
        paths.append(write_idx(folder / (labels + suffix), y.astype(np.uint8), compress=compress))
    return paths


def write_mnist_npz(path: Path, train, test) -> Path:
    """Writes Keras' `mnist.npz` layout."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, x_train=train[0], y_train=train[1].astype(np.uint8), x_test=test[0], y_test=test[1].astype(np.uint8)
    )
    return Path(path)


def cifar_rows(x: np.ndarray) -> np.ndarray:
    """(N, 32, 32, 3) images -> (N, 3072) rows: all red values, then green, then blue."""
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2).reshape(len(x), 3072))


class Python2Pickler(pickle._Pickler):
    """Pickles like Python 2's cPickle (protocol 2), which wrote the official CIFAR files.

    Python 3 pickles `bytes` at protocol 2 as a call to `_codecs.encode`, a global the official
    files never contain (and Keras' restricted unpickler refuses). Python 2 wrote its byte
    strings, including NumPy's raw array data, as SHORT_BINSTRING / BINSTRING opcodes: so do we.
    """

    dispatch = dict(pickle._Pickler.dispatch)

    def save_python2_str(self, obj: bytes) -> None:
        n = len(obj)
        opcode = pickle.SHORT_BINSTRING + bytes([n]) if n < 256 else pickle.BINSTRING + struct.pack("<i", n)
        self.write(opcode + obj)
        self.memoize(obj)

    dispatch[bytes] = save_python2_str


def _dump(path: Path, obj: dict) -> None:
    with open(path, "wb") as f:
        Python2Pickler(f, protocol=2).dump(obj)


def _tar_folder(folder: Path, archive: Path) -> Path:
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    return archive


def write_cifar10(root: Path, train, test, *, archive: bool = False, batches: int = 5) -> Path:
    """Writes `cifar-10-batches-py/` (or `cifar-10-python.tar.gz` when `archive`) into `root`.

    The training set is cut into `batches` consecutive batches `data_batch_1..`.

    Returns:
        The folder or the archive.
    """
    folder = Path(root) / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    x, y = train
    for i, idx in enumerate(np.array_split(np.arange(len(x)), batches), start=1):
        _dump(
            folder / f"data_batch_{i}",
            {
                b"batch_label": f"training batch {i} of {batches}".encode(),
                b"labels": [int(v) for v in y[idx]],
                b"data": cifar_rows(x[idx]),
                b"filenames": [f"image_{j}.png".encode() for j in idx],
            },
        )
    _dump(
        folder / "test_batch",
        {
            b"batch_label": b"testing batch 1 of 1",
            b"labels": [int(v) for v in test[1]],
            b"data": cifar_rows(test[0]),
            b"filenames": [f"test_{j}.png".encode() for j in range(len(test[0]))],
        },
    )
    _dump(
        folder / "batches.meta",
        {
            b"num_cases_per_batch": int(np.ceil(len(x) / batches)),
            b"label_names": [n.encode() for n in CIFAR10_LABEL_NAMES],
            b"num_vis": 3072,
        },
    )
    return _archive_and_remove(folder, Path(root) / "cifar-10-python.tar.gz") if archive else folder


def write_cifar100(root: Path, train, test, *, fine_names, coarse_names, archive: bool = False) -> Path:
    """Writes `cifar-100-python/` (train, test, meta) or `cifar-100-python.tar.gz` into `root`.

    Args:
        train, test: `(x, fine_labels, coarse_labels)` each.
        fine_names, coarse_names: Label names for `meta`.
    """
    folder = Path(root) / "cifar-100-python"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (x, fine, coarse) in (("train", train), ("test", test)):
        _dump(
            folder / name,
            {
                b"filenames": [f"{name}_{j}.png".encode() for j in range(len(x))],
                b"batch_label": f"{name}ing batch 1 of 1".encode(),
                b"fine_labels": [int(v) for v in fine],
                b"coarse_labels": [int(v) for v in coarse],
                b"data": cifar_rows(x),
            },
        )
    _dump(
        folder / "meta",
        {
            b"fine_label_names": [n.encode() for n in fine_names],
            b"coarse_label_names": [n.encode() for n in coarse_names],
        },
    )
    return _archive_and_remove(folder, Path(root) / "cifar-100-python.tar.gz") if archive else folder


def _archive_and_remove(folder: Path, archive: Path) -> Path:
    import shutil

    _tar_folder(folder, archive)
    shutil.rmtree(folder)
    return archive


def write_class_folders(
    root: Path, splits: dict, class_names, *, archive: str | None = None, ext: str = ".png"
) -> Path:
    """Writes `root/<split>/<class>/NNNN<ext>` with Pillow (RGB channel order).

    Args:
        root: Folder to create (its name becomes the wrapping folder inside an archive).
        splits: `{split: (x, y)}`, e.g. `{"train": ..., "test": ...}`; split `""` writes
            `root/<class>/...` (no train/test level).
        class_names: Folder name of each label.
        archive: A `.tar.gz` path to pack `root` into (then `root` is removed), or None.
        ext: Image format by extension (`.png` lossless, `.jpg` lossy).

    Returns:
        `root`, or the archive.
    """
    from PIL import Image

    root = Path(root)
    for split, (x, y) in splits.items():
        for i, (image, label) in enumerate(zip(x, y)):
            path = root / split / class_names[int(label)] / f"{i:04d}{ext}"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image).save(path)
    if archive is None:
        return root
    return _archive_and_remove(root, Path(archive))


def truncate(path: Path, fraction: float = 0.5) -> Path:
    """Cuts `path` to `fraction` of its bytes, like an interrupted download."""
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: int(len(data) * fraction)])
    return Path(path)
