"""`ImageDataGenerator` from an `AugmentConfig`: the classic Keras augmentation the course teaches.

`ImageDataGenerator` is DEPRECATED in Keras 3: it survives only as
`tf.keras.preprocessing.image.ImageDataGenerator` (a legacy copy inside `keras.src.legacy`), is
not part of `import keras`, and gets no fixes. Course material and many notebooks still use it,
so the course teaches it, and shows the modern ways beside it:

- Keras preprocessing layers, inside the model or in a `tf.data` pipeline (they run on the
  accelerator, are saved with the model, and are active only while training):

      augment = keras.Sequential([keras.layers.RandomFlip("horizontal"),
                                  keras.layers.RandomRotation(15 / 360),
                                  keras.layers.RandomTranslation(0.1, 0.1),
                                  keras.layers.RandomZoom(0.1)])
      dataset = keras.utils.image_dataset_from_directory("photos/train", image_size=(128, 128))
      dataset = dataset.map(lambda x, y: (augment(x, training=True), y)).prefetch(tf.data.AUTOTUNE)

- On a CPU, `keras_vision.augment.FastAugmenter` with `AugmentedBatches` (the same config and the
  same distribution of transforms as the generator, an order of magnitude faster), or
  albumentations.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from keras_vision.augment.config import AugmentConfig


def image_data_generator(config: AugmentConfig | None = None) -> tf.keras.preprocessing.image.ImageDataGenerator:
    """The `ImageDataGenerator` of a config (deprecated in Keras 3; see this module's docstring).

        generator = image_data_generator(AugmentConfig(rotation_range=15, horizontal_flip=True,
                                                       featurewise_center=True))
        generator.fit(x_train)                      # only for feature-wise statistics
        model.fit(generator.flow(x_train, y_train, batch_size=32), epochs=10)
        # or, from class folders photos/train/<class>/*.jpg:
        model.fit(generator.flow_from_directory("photos/train", target_size=(128, 128),
                                                class_mode="sparse"), epochs=10)

    Args:
        config: The augmentation. Defaults to `AugmentConfig()` (no augmentation).

    Returns:
        A new `tf.keras.preprocessing.image.ImageDataGenerator`.

    Raises:
        ValueError: if `config` is not an `AugmentConfig`.
    """
    config = AugmentConfig() if config is None else config
    if not isinstance(config, AugmentConfig):
        raise ValueError(f"`config` must be an AugmentConfig. Received: {type(config).__name__}.")
    return tf.keras.preprocessing.image.ImageDataGenerator(**config.generator_kwargs())


def flow_from_class_folders(
    generator,
    directory,
    *,
    image_size: tuple[int, int],
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int | None = None,
):
    """`generator.flow_from_directory` for a folder of class folders, with sparse integer labels.

    Classes are the sub-folder names in sorted order (label `i` is the i-th name), as in
    `keras_vision.data.load_image_folder` and `keras.utils.image_dataset_from_directory`.

    Args:
        generator: An `ImageDataGenerator`.
        directory: Folder with one sub-folder of images per class.
        image_size: `(height, width)` every image is resized to.
        batch_size: Images per batch. Defaults to `32`.
        shuffle: Shuffle the files every epoch. Defaults to `True`.
        seed: Seed of the shuffling and augmentation. Defaults to `None`.

    Returns:
        A `DirectoryIterator` yielding `(images, labels)`: float32 `(batch, h, w, 3)` and float32 labels.

    Raises:
        FileNotFoundError: if `directory` is not a folder.
        ValueError: if it holds no class folder with images.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"No such folder: {directory}")
    iterator = generator.flow_from_directory(
        str(directory),
        target_size=tuple(image_size),
        class_mode="sparse",
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
    )
    if iterator.samples == 0:
        raise ValueError(f"{directory} has no images in class folders; expected {directory}/<class>/<image>.")
    return iterator


def generator_batch(generator, images: np.ndarray, labels=None, *, batch_size: int = 32, seed: int = 0):
    """The first batch `generator.flow` yields for the images in order (a reproducible look).

    Args:
        generator: An `ImageDataGenerator` (fitted first if it normalises feature-wise).
        images: `(N, H, W, C)` images.
        labels: `N` labels, or `None`. Defaults to `None`.
        batch_size: Images in the batch. Defaults to `32`.
        seed: The seed `flow` uses for the augmentation. Defaults to `0`.

    Returns:
        float32 images `(min(batch_size, N), H, W, C)`, or `(images, labels)` when labels are given.
    """
    return next(generator.flow(images, labels, batch_size=batch_size, shuffle=False, seed=seed))
