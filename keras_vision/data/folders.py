"""Image folders, plain or inside a `.tar.gz`: class folders, or plain images with no labels.

The most common way photos for a classifier are shared is one folder per class:

    flowers/                    or    cifar10/
        daisy/0001.jpg                    train/airplane/0001.jpg
        tulip/0001.jpg                    ...
        ...                               test/airplane/0001.jpg

`load_image_folder` reads either layout (a single wrapping folder, as archives often have, is
skipped). With `train/` and `test/` it keeps that split; with class folders only it holds out a
stratified, seeded fraction as the test split. Class names are the folder names, sorted, and label
`i` is `class_names[i]`, like `keras.utils.image_dataset_from_directory`.

`load_images` reads a folder of images with no classes (an `unlabelled` dataset).

Images are decoded with OpenCV, which returns channels in BGR order: they are converted to RGB.
Decoded arrays are cached (see `keras_vision.data.cache`), so a second load takes a fraction of a
second instead of decoding every file again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from keras_vision.data.archives import read_tar_members
from keras_vision.data.cache import cache_path, load_arrays, save_arrays
from keras_vision.data.spec import DataFormat, DatasetSpec, Splits
from keras_vision.errors import CorruptDataError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
SPLITS = ("train", "test")


@dataclass(frozen=True)
class FolderDataset:
    """Images and labels read from class folders.

    Unpacks like `keras.datasets`: `(x_train, y_train), (x_test, y_test) = dataset`.

    Attributes:
        train: `(x, y)`: uint8 images (N, H, W) or (N, H, W, 3), int64 labels (N,).
        test: `(x, y)` of the test split.
        class_names: Folder names, sorted; label `i` means `class_names[i]`.
    """

    train: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    class_names: tuple[str, ...]

    def __iter__(self):
        return iter((self.train, self.test))


def is_image_name(name: str) -> bool:
    """True for image file names (by extension), skipping hidden files and `__MACOSX` debris."""
    parts = name.split("/")
    hidden = any(p.startswith(".") or p == "__MACOSX" for p in parts)
    return not hidden and name.lower().endswith(IMAGE_EXTENSIONS)


def list_image_files(path: Path) -> dict[str, bytes | Path]:
    """`{relative/posix/name: content}`: bytes for archive members, a Path for folder files.

    Raises:
        FileNotFoundError: `path` does not exist.
        CorruptDataError: the archive is damaged or truncated.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such folder or archive: {path}")
    if path.is_dir():
        files = (p for p in sorted(path.rglob("*")) if p.is_file())
        return {p.relative_to(path).as_posix(): p for p in files if is_image_name(p.relative_to(path).as_posix())}
    return read_tar_members(path, is_image_name)


def strip_wrapper(names: list[str]) -> tuple[list[str], str]:
    """Drops single enclosing folders (`cifar10/train/cat/1.png` -> `train/cat/1.png`).

    Returns:
        The shortened names and the removed prefix (`"cifar10/"`, or `""`).
    """
    prefix = ""
    while names and all(n.count("/") >= 2 for n in names):
        tops = {n.split("/", 1)[0] for n in names}
        if len(tops) != 1 or tops & set(SPLITS):
            break
        top = tops.pop()
        prefix += top + "/"
        names = [n[len(top) + 1 :] for n in names]
    return names, prefix


def group_by_split(names: list[str], source: Path) -> dict[str, dict[str, list[str]]]:
    """`{split: {class: [names]}}`: splits `train`/`test` when present, else one split `all`.

    Raises:
        ValueError: images outside class folders, or a `test/` without a `train/`.
    """
    tops = {n.split("/", 1)[0] for n in names}
    with_splits = bool(tops & set(SPLITS))
    if with_splits and "train" not in tops:
        raise ValueError(f"{source} has a test/ folder but no train/ folder.")
    depth = 3 if with_splits else 2
    groups: dict[str, dict[str, list[str]]] = {}
    for name in names:
        parts = name.split("/")
        if with_splits and parts[0] not in SPLITS:
            continue  # other folders (e.g. `val/`) and loose files next to train/ are not read
        if len(parts) < depth:
            where = "train/<class>/ or test/<class>/" if with_splits else "<class>/"
            raise ValueError(f"{source}: image {name!r} is not inside a class folder; expected {where}<image>.")
        split, label = (parts[0], parts[1]) if with_splits else ("all", parts[0])
        groups.setdefault(split, {}).setdefault(label, []).append(name)
    return groups


def decode_image(data: bytes, *, name: str) -> np.ndarray:
    """Decodes PNG/JPEG/... bytes into uint8 RGB (H, W, 3) or grayscale (H, W).

    Alpha is dropped; 16-bit images are reduced to 8 bits.

    Raises:
        CorruptDataError: the bytes are not a decodable image, or a JPEG is truncated.
    """

    if data[:2] == b"\xff\xd8" and b"\xff\xd9" not in data[-64:]:
        raise CorruptDataError(f"{name}: truncated JPEG (no end-of-image marker).")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED) if data else None
    if image is None:
        raise CorruptDataError(f"{name}: not a readable image ({len(data)} bytes).")
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        return image[:, :, 0]
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2RGB if image.shape[2] == 4 else cv2.COLOR_BGR2RGB
        return cv2.cvtColor(image, code)
    return image


def stack_images(images: list[np.ndarray], names: list[str], image_size, source: Path) -> np.ndarray:
    """Stacks images into one array, resizing to `image_size` (h, w) if given.

    Grayscale images are turned into RGB when the set mixes both.

    Raises:
        ValueError: images of different sizes and no `image_size`.
    """

    if image_size is not None:
        h, w = image_size
        images = [cv2.resize(im, (w, h), interpolation=cv2.INTER_AREA) for im in images]
    if any(im.ndim == 3 for im in images):
        images = [np.stack([im] * 3, axis=-1) if im.ndim == 2 else im for im in images]
    sizes = {im.shape[:2] for im in images}
    if len(sizes) > 1:
        first = next(i for i, im in enumerate(images) if im.shape[:2] != images[0].shape[:2])
        raise ValueError(
            f"Images in {source} have different sizes ({names[0]} is {images[0].shape[:2]}, "
            f"{names[first]} is {images[first].shape[:2]}). Pass image_size=(height, width) to resize them."
        )
    return np.stack(images) if images else np.zeros((0, 0, 0), np.uint8)


def decode_folder(path: Path, image_size=None) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], tuple[str, ...]]:
    """Decodes every image under `path` (folder or archive), grouped by split.

    Returns:
        `({split: (x, y)}, class_names)`, splits `train`/`test` or `all`, images in class
        then file-name order.
    """
    files = list_image_files(path)
    names, prefix = strip_wrapper(sorted(files))
    if not names:
        raise ValueError(f"No images ({', '.join(IMAGE_EXTENSIONS)}) found in {path}.")
    groups = group_by_split(names, path)
    class_names = tuple(sorted({label for split in groups.values() for label in split}))
    label_of = {name: i for i, name in enumerate(class_names)}
    splits = {}
    for split, by_class in groups.items():
        ordered = [(n, label_of[c]) for c in sorted(by_class) for n in sorted(by_class[c])]
        images = [decode_image(_content(files[prefix + n]), name=f"{path}:{prefix + n}") for n, _ in ordered]
        x = stack_images(images, [n for n, _ in ordered], image_size, path)
        splits[split] = (x, np.array([label for _, label in ordered], dtype=np.int64))
    return splits, class_names


def _content(item: bytes | Path) -> bytes:
    return item if isinstance(item, bytes) else item.read_bytes()


def decode_folder_cached(path: Path, image_size=None, use_cache: bool = True):
    """`decode_folder`, through the disk cache of decoded arrays."""
    size = tuple(int(s) for s in image_size) if image_size is not None else None
    entry = cache_path(path, image_size=size) if use_cache else None
    arrays = load_arrays(entry) if entry is not None and entry.exists() else None
    if arrays is not None:
        class_names = tuple(str(c) for c in arrays.pop("class_names"))
        splits = {k[2:]: (arrays[k], arrays["y_" + k[2:]]) for k in arrays if k.startswith("x_")}
        return splits, class_names
    splits, class_names = decode_folder(path, size)
    if entry is not None:
        flat = {f"{v}_{split}": a for split, xy in splits.items() for v, a in zip("xy", xy)}
        save_arrays(entry, {**flat, "class_names": np.array(class_names)})
    return splits, class_names


def stratified_split(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices `(keep, held_out)`: `round(fraction * n)` of each class's n examples held out, seeded."""
    rng = np.random.default_rng(seed)
    held = [rng.permutation(np.flatnonzero(y == c))[: int(round(fraction * np.sum(y == c)))] for c in np.unique(y)]
    held_out = np.sort(np.concatenate(held)) if held else np.zeros(0, np.int64)
    return np.setdiff1d(np.arange(len(y)), held_out), held_out


def shuffled(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`x` and `y` in the same seeded random order."""
    order = np.random.default_rng(seed).permutation(len(y))
    return x[order], y[order]


def load_image_folder(
    path: str | Path,
    *,
    image_size: tuple[int, int] | None = None,
    validation_split: float | None = None,
    seed: int = 0,
    shuffle: bool = True,
    cache: bool = True,
) -> FolderDataset:
    """Loads an image classification dataset stored as class folders.

    Args:
        path: A folder or a `.tar.gz`/`.tgz`/`.tar` archive holding `train/<class>/*` and
            `test/<class>/*`, or only `<class>/*`.
        image_size: `(height, width)` to resize every image to. Required when sizes differ.
        validation_split: Fraction of each class held out as the test split when there are no
            `train/`/`test/` folders. Defaults to 0.2 in that case.
        seed: Seed of the held-out selection and of the shuffling.
        shuffle: Return each split in a seeded random order (so its first N examples are a
            fair sample of all classes), like `keras.utils.image_dataset_from_directory`.
            False keeps class, then file-name order.
        cache: Cache decoded arrays under `$KERAS_HOME/datasets/keras_vision/`.

    Returns:
        A `FolderDataset`: uint8 images (N, H, W) for grayscale-only folders, else
        (N, H, W, 3) RGB; int64 labels (N,) indexing `class_names` (sorted folder names).

    Raises:
        FileNotFoundError: `path` does not exist.
        ValueError: no images, images outside class folders, sizes that differ without
            `image_size`, a `validation_split` outside (0, 1) or given with train/test folders.
        CorruptDataError: an image or the archive is damaged; names the file.
    """
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"validation_split must be between 0 and 1. Received: validation_split={validation_split}.")
    splits, class_names = decode_folder_cached(Path(path), image_size, cache)
    if "all" in splits:
        x, y = splits["all"]
        keep, held_out = stratified_split(y, 0.2 if validation_split is None else validation_split, seed)
        splits = {"train": (x[keep], y[keep]), "test": (x[held_out], y[held_out])}
    elif validation_split is not None:
        raise ValueError(
            f"{path} already has train/ and test/ folders; validation_split applies only to folders "
            "of classes. Split the training arrays yourself to get a validation set."
        )
    splits.setdefault("test", (splits["train"][0][:0], splits["train"][1][:0]))
    if shuffle:
        splits = {k: shuffled(*xy, seed=seed) for k, xy in splits.items()}
    return FolderDataset(train=splits["train"], test=splits["test"], class_names=class_names)


@dataclass(frozen=True)
class ImageFiles:
    """Images without labels (`unlabelled`): a folder of photos, a test set for super-resolution.

    Attributes:
        images: uint8 images, RGB (H, W, 3) or grayscale (H, W), each at its own size.
        names: Their file names, relative to the folder, in the same (sorted) order.
    """

    images: list[np.ndarray]
    names: tuple[str, ...]

    def stack(self) -> np.ndarray:
        """The images as one `(N, H, W[, 3])` array.

        Raises:
            ValueError: when their sizes differ (load them with `image_size=` to resize).
        """
        return stack_images(self.images, list(self.names), None, Path("."))


def load_images(path: str | Path, *, image_size: tuple[int, int] | None = None) -> ImageFiles:
    """Loads every image below a folder (or in an archive), with no labels: an `unlabelled` dataset.

    Args:
        path: A folder or a `.tar.gz`/`.tgz`/`.tar` archive of images, in any subfolders.
        image_size: `(height, width)` to resize every image to. Defaults to each image's own size.

    Returns:
        `ImageFiles`, sorted by file name.

    Raises:
        FileNotFoundError: `path` does not exist.
        ValueError: no images in it.
        CorruptDataError: an image is damaged; names the file.
    """
    files = list_image_files(Path(path))
    if not files:
        raise ValueError(f"No images ({', '.join(IMAGE_EXTENSIONS)}) found in {path}.")
    names = sorted(files)
    images = [decode_image(_content(files[n]), name=f"{path}:{n}") for n in names]
    if image_size is not None:
        images = list(stack_images(images, names, image_size, Path(path)))
    return ImageFiles(images, tuple(names))


def normalize_class_name(name: str) -> str:
    """`"T-shirt/top"` and `"t_shirt top"` both become `"t_shirt_top"`."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def label_mapping(folder_names: tuple[str, ...], spec: DatasetSpec, source: Path) -> np.ndarray:
    """Maps folder label i to the dataset's label: by class name, or folder names "0".."9".

    Raises:
        CorruptDataError: a folder name that is not a class of the dataset.
    """
    wanted = {normalize_class_name(n): i for i, n in enumerate(spec.class_names)}
    digits = all(n.isdigit() for n in folder_names)
    index = [int(n) if digits else wanted.get(normalize_class_name(n), -1) for n in folder_names]
    unknown = [n for n, i in zip(folder_names, index) if not 0 <= i < spec.num_classes]
    if unknown:
        raise CorruptDataError(
            f"{source}: class folders {unknown} are not {spec.title} classes "
            f"({', '.join(spec.class_names)}; or 0..{spec.num_classes - 1})."
        )
    return np.array(index, dtype=np.int64)


def class_folder_format(folder_names: tuple[str, ...]) -> DataFormat:
    """The format "train/<class>/ and test/<class>/ folders", plain or as an archive.

    Found as `train/` + `test/` folders directly in a searched folder, or as an archive whose
    name starts with one of `folder_names` (`cifar10-jpg.tar.gz`, `cifar10.tgz`).
    """
    pattern = re.compile(rf"^({'|'.join(map(re.escape, folder_names))})([-_.][^/]*)?\.(tar\.gz|tgz|tar)$", re.I)

    def find(folder: Path) -> Path | None:
        if all((folder / split).is_dir() for split in SPLITS):
            return folder
        return next((p for p in sorted(folder.iterdir()) if p.is_file() and pattern.match(p.name)), None)

    return DataFormat("class folders train/<class>/, test/<class>/ (plain or .tar.gz)", find, read_class_folders)


def read_class_folders(path: Path, spec: DatasetSpec, label_mode: str = "fine") -> Splits:
    """Reads a dataset's train/test class folders, labels in the dataset's class order.

    Each split comes in a seeded (seed 0) random order, like the official files.

    Raises:
        CorruptDataError: no train/ and test/ folders, or unknown class names.
        ValueError: `label_mode="coarse"` (folders carry one label per image).
    """
    if label_mode != "fine":
        raise ValueError(
            f"Class folders hold fine labels only; use the official {spec.title} files for label_mode={label_mode!r}."
        )
    splits, class_names = decode_folder_cached(path)
    if set(splits) != set(SPLITS):
        raise CorruptDataError(f"{path}: {spec.title} class folders need both train/<class>/ and test/<class>/.")
    mapping = label_mapping(class_names, spec, path)
    return tuple(shuffled(x, mapping[y], seed=0) for x, y in (splits["train"], splits["test"]))
