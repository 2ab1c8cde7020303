"""Images to train and evaluate super-resolution on, and the (input, target) pairs made from them.

Three sources of high-resolution (HR) photographs:

- `load_photo_folder(path)`: every image in a folder (recursively), e.g. Set5, Set14 or your own;
- `load_sample_photos()`: real photographs shipped inside scikit-image and scikit-learn (offline);
- `load_pet_photos(split, data_dir=..., download=...)`: Oxford-IIIT Pet through
  tensorflow-datasets, resized to 256x256 as in the course's source project (so at scale 2 the
  low-resolution image is 128x128).

`make_patches` cuts aligned (input, target) patches out of whole images: the input is the
degraded image (`degradation.degrade`), the target the HR image, as SRCNN trains (33x33 patches,
stride 14).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_vision.data.folders import load_images
from keras_vision.data.samples import load_sample_image
from keras_vision.superres.degradation import as_float_image, bicubic_resize, check_scale, degrade, modcrop

#: Photographs in scikit-image / scikit-learn used for offline training.
TRAINING_SAMPLES = ("astronaut", "coffee", "rocket", "china", "flower", "coins", "camera")
#: Held-out photographs evaluated on when no evaluation folder is given.
EVALUATION_SAMPLES = ("chelsea",)
#: Side of the Oxford-IIIT Pet HR images (the source resizes every photo to 256x256).
PET_SIZE = 256


def load_photo_folder(path) -> tuple[list[np.ndarray], list[str]]:
    """Reads every image in a folder (recursively) as float32 RGB in [0, 1].

    Args:
        path: A folder of PNG/JPEG/... files (e.g. `../shared/data/sr/CSet14`).

    Returns:
        `(images, names)`: images of any sizes (H, W, 3), and their file names without extension,
        sorted by path.

    Raises:
        FileNotFoundError: `path` does not exist.
        ValueError: `path` holds no image.
        CorruptDataError: a file is not a readable image.
    """
    photos = load_images(path)
    return [as_float_image(image) for image in photos.images], [Path(name).stem for name in photos.names]


def load_sample_photos(names=TRAINING_SAMPLES) -> tuple[list[np.ndarray], list[str]]:
    """Real photographs embedded in scikit-image / scikit-learn, as float32 RGB in [0, 1].

    Args:
        names: Names for `keras_vision.data.load_sample_image`. Defaults to `TRAINING_SAMPLES`.

    Returns:
        `(images, names)`.
    """
    return [as_float_image(load_sample_image(name)) for name in names], list(names)


def load_pet_photos(
    split: str = "train", *, data_dir=None, download: bool = False, limit: int | None = None, size: int = PET_SIZE
) -> tuple[list[np.ndarray], list[str]]:
    """Oxford-IIIT Pet photographs from tensorflow-datasets, resized to `size` x `size` (bicubic).

    Args:
        split: A tfds split, e.g. `"train"`, `"test"` or `"train[:10%]"`. Defaults to `"train"`.
        data_dir: tfds data folder. Defaults to tfds' own (`~/tensorflow_datasets`).
        download: Let tfds download and prepare the dataset (about 800 MB). Defaults to `False`.
        limit: Read at most this many images. Defaults to all.
        size: Side of the HR images. Defaults to `256`.

    Returns:
        `(images, names)`: float32 (size, size, 3) images in [0, 1], and the file names.

    Raises:
        DataNotFoundError: the dataset is not prepared in `data_dir` and `download` is False.
    """
    import tensorflow_datasets as tfds

    from keras_vision.errors import DataNotFoundError

    try:
        dataset = tfds.load("oxford_iiit_pet", split=split, data_dir=data_dir, download=download)
    except (AssertionError, FileNotFoundError) as error:  # tfds: "Dataset ... not found in data_dir"
        raise DataNotFoundError(
            f"Oxford-IIIT Pet is not prepared in {data_dir or '~/tensorflow_datasets'}: pass download=True "
            f"(--download) on a machine with network access, or the data_dir where tfds prepared it. ({error})"
        ) from error
    images, names = [], []
    for example in tfds.as_numpy(dataset.take(limit) if limit else dataset):
        images.append(np.clip(bicubic_resize(as_float_image(example["image"]), (size, size)), 0.0, 1.0))
        names.append(Path(example["file_name"].decode()).stem)
    return images, names


def make_patches(images, *, scale: int, patch_size: int = 33, stride: int = 14) -> tuple[np.ndarray, np.ndarray]:
    """Cuts aligned training patches: degraded input and high-resolution target.

    Each image is `modcrop`-ed and degraded whole (so patch borders see real neighbours), then
    windows of `patch_size` are taken every `stride` pixels from both.

    Args:
        images: HR images (H, W, 3) float in [0, 1] (or anything `as_float_image` accepts).
        scale: Super-resolution factor.
        patch_size: Side of the patches. Defaults to `33` (SRCNN).
        stride: Step between patches. Defaults to `14` (SRCNN).

    Returns:
        `(inputs, targets)`: two float32 arrays (N, patch_size, patch_size, 3).

    Raises:
        ValueError: no image is at least `patch_size` pixels on each side.
    """
    check_scale(scale)
    inputs, targets = [], []
    for image in images:
        hr = modcrop(as_float_image(image), scale)
        if min(hr.shape[:2]) < patch_size:
            continue
        lr_up = degrade(hr, scale)
        for top in range(0, hr.shape[0] - patch_size + 1, stride):
            for left in range(0, hr.shape[1] - patch_size + 1, stride):
                window = (slice(top, top + patch_size), slice(left, left + patch_size))
                inputs.append(lr_up[window])
                targets.append(hr[window])
    if not inputs:
        raise ValueError(f"No image is at least patch_size={patch_size} pixels high and wide.")
    return np.stack(inputs), np.stack(targets)
