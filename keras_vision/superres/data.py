"""Images to train and evaluate super-resolution on, and the (input, target) pairs made from them.

Three sources of high-resolution (HR) photographs:

- `load_photo_folder(path)`: every image in a folder (recursively), e.g. Set5, Set14 or your own;
- `load_sample_photos()`: real photographs shipped inside scikit-image and scikit-learn (offline);
- `load_pet_photos(split, data_dir=..., download=...)`: Oxford-IIIT Pet through
  tensorflow-datasets, resized to 256x256 as in the course's source project (so at scale 2 the
  low-resolution image is 128x128).

`load_training_photos(source, ...)` picks one of them by name (`SOURCES`);
`load_evaluation_photos` the images a run is scored on, and `make_test_pairs` their whole-image
(target, input) pairs.

`make_patches` cuts aligned (input, target) patches out of whole images: the input is the
degraded image (`degradation.degrade`), the target the HR image, as SRCNN trains (33x33 patches,
stride 14); with `low_resolution=True` the input is the LR image itself, for the networks that
upsample inside (`learned`). `flipped_patches` serves them shuffled and randomly flipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_vision.data.folders import load_images
from keras_vision.data.samples import load_sample_image
from keras_vision.errors import DataNotFoundError
from keras_vision.superres.degradation import as_float_image, bicubic_resize, check_scale, degrade, downscale, modcrop

#: Where training photographs come from (`load_training_photos`).
SOURCES = ("samples", "folder", "pet")
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
    import tensorflow_datasets as tfds  # here, not at the top: 1.4 s more for every import of superres (measured)

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


def load_training_photos(source: str, *, data_dir=None, download: bool = False, limit: int | None = None):
    """Training HR photographs from one of the `SOURCES`.

    Args:
        source: `"samples"` (`load_sample_photos`, offline), `"folder"` (`load_photo_folder(data_dir)`)
            or `"pet"` (`load_pet_photos("train", ...)`, `data_dir` being tfds' data folder).
        data_dir: See `source`. Defaults to none.
        download: Let tfds download Oxford-IIIT Pet (`"pet"` only). Defaults to `False`.
        limit: At most this many Pet images (`"pet"` only). Defaults to all.

    Returns:
        `(images, names)`.

    Raises:
        ValueError: for an unknown source (the valid ones are listed), or `"folder"` without `data_dir`.
    """
    if source == "samples":
        return load_sample_photos()
    if source == "folder":
        if data_dir is None:
            raise ValueError("source='folder' needs data_dir, the folder of training photographs.")
        return load_photo_folder(data_dir)
    if source == "pet":
        return load_pet_photos("train", data_dir=data_dir, download=download, limit=limit)
    raise ValueError(f"Unknown training source {source!r}. Valid sources: {', '.join(SOURCES)}.")


def load_evaluation_photos(source: str, *, eval_dir=None, data_dir=None, limit: int | None = None):
    """Evaluation HR photographs: `eval_dir` when given, else Pet's test split for `source="pet"`
    (at most `limit` images, 50 without one), else the held-out `EVALUATION_SAMPLES`.

    Returns:
        `(images, names)`.
    """
    if eval_dir is not None:
        return load_photo_folder(eval_dir)
    if source == "pet":
        return load_pet_photos("test", data_dir=data_dir, limit=limit or 50)
    return load_sample_photos(EVALUATION_SAMPLES)


def make_patches(
    images, *, scale: int, patch_size: int, stride: int, low_resolution: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Cuts aligned training patches: network input and high-resolution target.

    Each image is `modcrop`-ed and degraded whole (so patch borders see real neighbours), then
    windows of `patch_size` are taken every `stride` pixels from both.

    Args:
        images: HR images (H, W, 3) float in [0, 1] (or anything `as_float_image` accepts).
        scale: Super-resolution factor.
        patch_size: Side of the HR patches (SRCNN: 33). With `low_resolution` it is rounded down to
            a multiple of `scale`.
        stride: Step between patches in HR pixels (SRCNN: 14); with `low_resolution` rounded down
            to a multiple of `scale` (at least `scale`), so every window starts on an LR pixel.
        low_resolution: Inputs are the LR image (`downscale`), `scale` times smaller than the
            targets, for networks that upsample inside (ESPCN, FSRCNN). Defaults to `False`: the
            inputs are the bicubic upscale (`degrade`), the size of the targets, for SRCNN.

    Returns:
        `(inputs, targets)`: float32 arrays (N, p, p, 3) and (N, P, P, 3), P the HR patch side and
        p = P (or P / scale with `low_resolution`).

    Raises:
        ValueError: no image is at least `patch_size` pixels on each side.
    """
    check_scale(scale)
    step = scale if low_resolution else 1
    size, stride = patch_size // step * step, max(stride // step, 1) * step
    inputs, targets = [], []
    for image in images:
        hr = modcrop(as_float_image(image), scale)
        if min(hr.shape[:2]) < max(size, 1):
            continue
        source = downscale(hr, scale) if low_resolution else degrade(hr, scale)
        for top in range(0, hr.shape[0] - size + 1, stride):
            for left in range(0, hr.shape[1] - size + 1, stride):
                inputs.append(source[top // step : (top + size) // step, left // step : (left + size) // step])
                targets.append(hr[top : top + size, left : left + size])
    if not inputs or size == 0:
        raise ValueError(f"No image is at least patch_size={patch_size} pixels high and wide.")
    return np.stack(inputs), np.stack(targets)


def flipped_patches(patches, *, batch_size: int, seed: int | None = None):
    """A shuffled, batched `tf.data.Dataset` of patch pairs, each randomly flipped (augmentation).

    The input and its target get the same flips: left-right with probability 1/2 and up-down with
    probability 1/2, drawn again every epoch. A photograph's statistics do not change under these
    flips, so the network sees four times as many distinct patches for free (the source project
    flips its training images too).

    Args:
        patches: `(inputs, targets)` from `make_patches` (the two may differ in size).
        batch_size: Pairs per batch.
        seed: Seed of the shuffle and the flips. Defaults to TensorFlow's global seed.

    Returns:
        A `tf.data.Dataset` of `(inputs, targets)` batches.
    """
    import tensorflow as tf  # here: reading photographs and cutting patches needs no TensorFlow

    inputs, targets = patches

    def flip(x, y):
        coins = tf.random.uniform([2], seed=seed) < 0.5
        x, y = tf.cond(coins[0], lambda: (x[:, ::-1], y[:, ::-1]), lambda: (x, y))
        return tf.cond(coins[1], lambda: (x[::-1], y[::-1]), lambda: (x, y))

    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets))
    dataset = dataset.shuffle(len(inputs), seed=seed, reshuffle_each_iteration=True)
    return dataset.map(flip, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size).prefetch(tf.data.AUTOTUNE)


def make_test_pairs(images, *, scale: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Whole-image pairs to score a model on: the HR targets and their degraded inputs.

    Args:
        images: HR images of any sizes (anything `as_float_image` accepts).
        scale: Super-resolution factor.

    Returns:
        `(targets, inputs)`: per image the `modcrop`-ped HR image and `degrade` of it (the
        bicubic upscale: the network's input and the baseline it must beat), float32 (H, W, 3).
    """
    check_scale(scale)
    targets = [modcrop(as_float_image(image), scale) for image in images]
    return targets, [degrade(target, scale) for target in targets]
