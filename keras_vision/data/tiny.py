"""Tiny stand-ins for the course's datasets, written offline in their official on-disk formats.

A lesson that finds no dataset on disk and no network writes one of these into a folder and reads
it back with the ordinary loaders (`load_mnist`, `load_cifar10`, ...), so every line of the lesson
runs unchanged:

- `mnist`: the 1,797 real handwritten digits that scikit-learn ships (`load_digits`, 8x8 with 17
  grey levels, UCI), each scaled into a 20x20 box centred on a 28x28 canvas as in MNIST, written
  as the four gzipped IDX files (`train-images-idx3-ubyte.gz`, ...).
- `fashion_mnist`: the same digits in Fashion-MNIST's files and folder (`fashion-mnist/`): no
  clothes ship offline, so class "T-shirt/top" holds the zeros, "Trouser" the ones, and so on.
- `cifar10`, `cifar100`: 32x32 crops of the colour photographs embedded in scikit-image and
  scikit-learn (`keras_vision.data.SAMPLE_IMAGES`), labelled by the photograph each comes from
  (class 0 is the first photograph, ...), written as the official "python version" archive
  (`cifar-10-python.tar.gz`, `cifar-100-python.tar.gz`: pickled dicts with bytes keys, the
  R, G and B planes of each image in one row of `data`).
- a class-folder set (`write_tiny_image_folder`): the same crops as PNG files,
  `train/<photograph>/*.png` and `test/<photograph>/*.png`, for the `folder` experiment.

`lesson_image_folder` gives the `folder` lesson its images: the "small folder set" cut from the
CIFAR-10 JPEG archive when there is one (`write_cifar_folder_subset`: 9 classes, 126 training and
100 test images each, the size of the course's source project), else the class-folder stand-in.

Numbers measured on them show that the code runs and learns what there is to learn (which digit,
which photograph), not what the real datasets give.

    data_dir = lesson_data_dir("mnist", "../shared/data", tiny_dir="tiny_data")
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir)
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
import tarfile
import zlib
from pathlib import Path

import numpy as np

from keras_vision.data.lookup import downloads_available, locate
from keras_vision.data.registry import DATASETS
from keras_vision.data.samples import load_sample_image
from keras_vision.files import atomic_path

#: Datasets `write_tiny_dataset` can write.
TINY_DATASETS = ("mnist", "fashion_mnist", "cifar10", "cifar100")
#: The photographs the CIFAR stand-ins are cut from: one class each, in this order.
CIFAR_PHOTOS = ("chelsea", "coffee", "rocket", "astronaut", "china", "flower", "immunohistochemistry")
#: The small folder set: CIFAR-10's first 9 classes (truck left out), images per class and split.
FOLDER_SUBSET_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship")
FOLDER_SUBSET_PER_SPLIT = {"train": 126, "test": 100}
#: The CIFAR-10 JPEG archive (`train/<class>/NNNN.jpg`, `test/<class>/NNNN.jpg`) the subset is cut from.
CIFAR10_JPEG_ARCHIVE = "cifar10-jpg.tar.gz"
#: Share of the examples kept for the test split (the last ones of a seeded shuffle).
TEST_SHARE = 0.25


def tiny_mnist(seed: int = 0) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """scikit-learn's 1,797 handwritten digits as MNIST-like 28x28 uint8 images, split train/test.

    Args:
        seed: Seed of the shuffle before the split.

    Returns:
        `((x_train, y_train), (x_test, y_test))`: images (N, 28, 28) uint8, white digit on black,
        and labels (N,) uint8.
    """
    import cv2
    from sklearn.datasets import load_digits

    digits = load_digits()
    boxes = [
        cv2.resize(image.astype(np.float32) / 16.0, (20, 20), interpolation=cv2.INTER_CUBIC) for image in digits.images
    ]
    images = np.zeros((len(boxes), 28, 28), np.uint8)
    images[:, 4:24, 4:24] = np.clip(np.stack(boxes) * 255.0, 0, 255).round().astype(np.uint8)
    return _split(images, digits.target.astype(np.uint8), seed)


def tiny_cifar(*, per_photo: int = 120, seed: int = 0):
    """32x32 crops of the embedded colour photographs, labelled by photograph, split train/test.

    Each crop is a random square covering 1/8 to 1/2 of the photograph's shorter side, resized to
    32x32 (area interpolation), so the crops of one photograph share its colours and textures.

    Args:
        per_photo: Crops cut from each of the `CIFAR_PHOTOS`. Defaults to `120`.
        seed: Seed of the crop positions and of the shuffle.

    Returns:
        `((x_train, y_train), (x_test, y_test))`: images (N, 32, 32, 3) uint8 RGB and labels
        (N,) with class `i` for crops of `CIFAR_PHOTOS[i]`.
    """
    import cv2

    if per_photo < 2:
        raise ValueError(f"`per_photo` must be at least 2 (one train and one test crop). Received: {per_photo}.")
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, name in enumerate(CIFAR_PHOTOS):
        photo = load_sample_image(name)
        height, width = photo.shape[:2]
        shorter = min(height, width)
        for _ in range(per_photo):
            side = int(rng.integers(shorter // 8, shorter // 2 + 1))
            top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
            crop = photo[top : top + side, left : left + side]
            images.append(cv2.resize(crop, (32, 32), interpolation=cv2.INTER_AREA))
            labels.append(label)
    return _split(np.stack(images), np.asarray(labels, np.uint8), seed)


def _split(images: np.ndarray, labels: np.ndarray, seed: int):
    order = np.random.default_rng(seed).permutation(len(images))
    images, labels = images[order], labels[order]
    n_test = max(1, int(round(len(images) * TEST_SHARE)))
    return (images[:-n_test], labels[:-n_test]), (images[-n_test:], labels[-n_test:])


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file's bytes: two zeros, type 0x08 (uint8), the number of dimensions, the sizes, the data."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def write_mnist_files(folder: str | os.PathLike, train, test) -> Path:
    """Writes `(x, y)` train and test splits as MNIST's four gzipped IDX files into `folder`; returns it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = {
        "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    }
    for split, (x, y) in (("train", train), ("test", test)):
        for name, array in zip(names[split], (x, y)):
            with atomic_path(folder / f"{name}.gz") as path:
                path.write_bytes(gzip.compress(idx_bytes(array), mtime=0))
    return folder


def cifar_batch(x: np.ndarray, labels: dict[str, np.ndarray], batch_label: str) -> bytes:
    """One CIFAR batch pickled as the official files are: a protocol-2 dict with bytes keys.

    Args:
        x: Images (N, 32, 32, 3) uint8; stored as `data` rows of 1024 red, 1024 green, 1024 blue.
        labels: Label key (`"labels"`, or `"fine_labels"` and `"coarse_labels"`) -> (N,) ids.
        batch_label: The batch's description.
    """
    rows = np.ascontiguousarray(x.transpose(0, 3, 1, 2).reshape(len(x), 3072), dtype=np.uint8)
    batch = {
        b"batch_label": batch_label.encode(),
        b"data": rows,
        b"filenames": [f"{i:05d}.png".encode() for i in range(len(x))],
        **{key.encode(): [int(v) for v in values] for key, values in labels.items()},
    }
    return pickle.dumps(batch, protocol=2)


def write_cifar_archive(folder: str | os.PathLike, name: str, train, test) -> Path:
    """Writes `cifar-10-python.tar.gz` (`name="cifar10"`) or `cifar-100-python.tar.gz` into `folder`.

    CIFAR-100's coarse label of class `c` is `c // 5` (a stand-in for the 20 superclasses).

    Returns:
        The archive's path.
    """
    if name not in ("cifar10", "cifar100"):
        raise ValueError(f"`name` must be 'cifar10' or 'cifar100'. Received: {name!r}.")
    class_names = list(DATASETS.get(name).class_names)
    if name == "cifar10":
        inner = "cifar-10-batches-py"
        members = {
            f"data_batch_{i + 1}": cifar_batch(
                train[0][part], {"labels": train[1][part]}, f"training batch {i + 1} of 5"
            )
            for i, part in enumerate(np.array_split(np.arange(len(train[0])), 5))
        }
        members["test_batch"] = cifar_batch(test[0], {"labels": test[1]}, "testing batch 1 of 1")
        members["batches.meta"] = pickle.dumps({b"label_names": [n.encode() for n in class_names]}, protocol=2)
    else:
        inner = "cifar-100-python"
        members = {
            split: cifar_batch(x, {"fine_labels": y, "coarse_labels": y // 5}, f"{split}ing batch 1 of 1")
            for split, (x, y) in (("train", train), ("test", test))
        }
        members["meta"] = pickle.dumps({b"fine_label_names": [n.encode() for n in class_names]}, protocol=2)
    archive = Path(folder) / f"{inner.replace('-batches-py', '-python')}.tar.gz"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(archive) as path, tarfile.open(path, "w:gz") as tar:
        for member, data in members.items():
            info = tarfile.TarInfo(f"{inner}/{member}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive


def write_tiny_dataset(name: str, folder: str | os.PathLike, *, seed: int = 0) -> Path:
    """Writes the tiny stand-in of dataset `name` into `folder` (see the module docstring).

    Args:
        name: One of `TINY_DATASETS`.
        folder: The data folder to write into (`load_mnist(folder)` etc. then read it).
        seed: Seed of the split (and of the CIFAR crops).

    Returns:
        The file or folder written.

    Raises:
        ValueError: `name` has no tiny stand-in (the message lists those that have).
    """
    if name not in TINY_DATASETS:
        raise ValueError(f"No tiny stand-in for dataset {name!r}. Valid names: {', '.join(TINY_DATASETS)}.")
    if name in ("mnist", "fashion_mnist"):
        return write_mnist_files(Path(folder) / DATASETS.get(name).folder_names[0], *tiny_mnist(seed))
    return write_cifar_archive(folder, name, *tiny_cifar(seed=seed))


def lesson_data_dir(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    tiny_dir: str | os.PathLike = "tiny_data",
    download: bool = False,
) -> Path | None:
    """A `data_dir` that dataset `name` loads from: the real data when there is any, else a stand-in.

    In order: `data_dir` (or `$KERAS_VISION_DATA`, or the Keras cache) when it holds the dataset;
    None (the loaders then download it) when `download` is set and the network answers; otherwise
    the tiny stand-in, written into `tiny_dir` once and reused.

    Args:
        name: A dataset of `TINY_DATASETS`.
        data_dir: A folder of real datasets (e.g. `../shared/data`), or None.
        tiny_dir: Where the stand-in goes. Defaults to `"tiny_data"`.
        download: Whether a missing dataset may be downloaded. Defaults to `False`.

    Returns:
        The folder to pass as `data_dir`, or None: the loaders' own search (`$KERAS_VISION_DATA`,
        the Keras cache, then the download).
    """
    if data_dir is not None and not Path(data_dir).is_dir():
        data_dir = None
    if locate(name, data_dir) is not None:
        print(f"{name}: {locate(name, data_dir)}")
        return Path(data_dir) if data_dir is not None else None
    if download and downloads_available():
        print(f"{name}: not on disk, downloading through keras.datasets")
        return None
    if locate(name, tiny_dir) is None:
        write_tiny_dataset(name, tiny_dir)
    print(f"{name}: the tiny offline stand-in, {locate(name, tiny_dir)} (see keras_vision.data.tiny)")
    return Path(tiny_dir)


def write_tiny_image_folder(folder: str | os.PathLike, *, seed: int = 0) -> Path:
    """Writes the CIFAR stand-in's crops as class folders of PNG files: `train/<photo>/`, `test/<photo>/`.

    Args:
        folder: The folder to write into.
        seed: Seed of the crops and of the split.

    Returns:
        `folder`.
    """
    import cv2

    folder = Path(folder)
    for split, (x, y) in zip(("train", "test"), tiny_cifar(seed=seed)):
        for index, (image, label) in enumerate(zip(x, y)):
            target = folder / split / CIFAR_PHOTOS[label] / f"{index:04d}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(target) as path:
                path.write_bytes(cv2.imencode(".png", image[..., ::-1])[1].tobytes())
    return folder


def folder_subset_members(names: list[str], *, classes=FOLDER_SUBSET_CLASSES, per_split=None) -> list[str]:
    """The archive members of the small folder set: the first `per_split[split]` JPEGs of each class, by name.

    Args:
        names: The member names of the CIFAR-10 JPEG archive (a leading `./` removed).
        classes: The classes kept. Defaults to `FOLDER_SUBSET_CLASSES`.
        per_split: Images per class of each split. Defaults to `FOLDER_SUBSET_PER_SPLIT`.

    Raises:
        ValueError: a class has fewer images than asked for.
    """
    chosen = []
    for split, count in (per_split or FOLDER_SUBSET_PER_SPLIT).items():
        for name in classes:
            prefix = f"{split}/{name}/"
            files = sorted(n for n in names if n.startswith(prefix) and n.endswith(".jpg"))
            if len(files) < count:
                raise ValueError(f"The archive has {len(files)} images under {prefix}, fewer than {count}.")
            chosen += files[:count]
    return chosen


def write_cifar_folder_subset(archive: str | os.PathLike, folder: str | os.PathLike, *, per_split=None) -> Path:
    """Copies the small folder set out of the CIFAR-10 JPEG archive, the JPEG bytes unchanged.

    Args:
        archive: `cifar10-jpg.tar.gz` (`train/<class>/*.jpg`, `test/<class>/*.jpg`).
        folder: Where `train/<class>/*.jpg` and `test/<class>/*.jpg` go.
        per_split: Images per class of each split. Defaults to `FOLDER_SUBSET_PER_SPLIT`.

    Returns:
        `folder`.

    Raises:
        ValueError: the archive has too few images of a class.
    """
    folder = Path(folder)
    try:
        with tarfile.open(archive) as tar:
            members = {m.name.removeprefix("./"): m for m in tar.getmembers() if m.isfile()}
            # In archive order: the gzip stream is then read once, forwards (a backward seek decompresses
            # from the start).
            chosen = folder_subset_members(list(members), per_split=per_split)
            for name in sorted(chosen, key=lambda n: members[n].offset_data):
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with atomic_path(target) as path:
                    path.write_bytes(tar.extractfile(members[name]).read())
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise ValueError(
            f"{archive} is not a readable .tar.gz ({type(error).__name__}: {str(error).splitlines()[0].rstrip(':')}): "
            "a damaged or partial copy; replace it (in the course's data folder, `sha256sum -c SHA256SUMS` "
            "checks it)."
        ) from None
    return folder


def lesson_image_folder(data_dir: str | os.PathLike | None, folder: str | os.PathLike = "folder_data") -> Path:
    """A class-folder dataset for the `folder` lesson, written into `folder` once and reused.

    Args:
        data_dir: A folder of real datasets (e.g. `../shared/data`); when it holds
            `cifar10-jpg.tar.gz`, the small folder set is cut from it. Else (or None) the stand-in.
        folder: Where the images go; a subfolder `cifar9` or `tiny_photos` is used. Defaults to
            `"folder_data"`.

    Returns:
        The dataset's folder (with `train/` and `test/`), to pass as `data_dir` of the experiment.
    """
    archive = Path(data_dir) / CIFAR10_JPEG_ARCHIVE if data_dir is not None else None
    real = archive is not None and archive.is_file()
    target = Path(folder) / ("cifar9" if real else "tiny_photos")
    done = target / "COMPLETE"  # written last: a folder left half-written by a killed run is rewritten
    if not done.is_file():
        write_cifar_folder_subset(archive, target) if real else write_tiny_image_folder(target)
        done.write_text("written by keras_vision.data.tiny.lesson_image_folder\n")
    what = f"{len(FOLDER_SUBSET_CLASSES)} CIFAR-10 classes from {archive}" if real else "the tiny offline stand-in"
    print(f"folder: {target}, {what} (see keras_vision.data.tiny)")
    return target
