"""The fast augmentation pipeline: `ImageDataGenerator`'s transforms at OpenCV speed.

    augmenter = FastAugmenter(config, seed=0).fit(x_train)     # fit only for feature-wise stats
    batches = AugmentedBatches(x_train, y_train, augmenter, batch_size=128, workers=2)
    model.fit(batches, epochs=10)

Per batch: the random parameters of all images are drawn at once (`affine.sample_parameters`),
composed into one matrix per image (`affine.inverse_matrices`, flips included) and each image is
resampled ONCE by `cv2.warpAffine` on its own dtype (uint8 stays uint8: four times less memory
traffic than float32). The batch is then converted to float32 and, in `ImageDataGenerator`'s
order, passed through the `preprocessing_function`, `rescale`, sample-wise and feature-wise
normalisation. OpenCV releases the GIL, so the warps of one batch run on several threads.

Where `ImageDataGenerator` spends its time: one SciPy `affine_transform` per CHANNEL in float64,
parameters drawn one image at a time, and a separate pass for each flip.
"""

from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import cv2
import keras
import numpy as np

from keras_vision.augment.affine import inverse_matrices, sample_parameters, warp_images
from keras_vision.augment.config import AugmentConfig
from keras_vision.augment.statistics import featurewise_statistics, normalize_featurewise, normalize_samplewise


class FastAugmenter:
    """Random augmentation of whole batches, with the distribution of `ImageDataGenerator`.

    Args:
        config: The augmentation (`AugmentConfig`).
        seed: Seed of the generator used when `augment` is given none. Defaults to `None`.
        threads: Threads sharing the warps of one batch. Defaults to `min(2, os.cpu_count())`.
            With more than one, OpenCV's own thread pool is switched off for the whole process
            (`cv2.setNumThreads(1)`): the batch is already split across threads, and OpenCV
            splitting each small image again only adds contention (measured: a 128x128 warp
            takes about 1.8x longer with OpenCV's two threads than with one on a busy 2-core
            machine).

    Raises:
        ValueError: for a `config` that is not an `AugmentConfig` or `threads` below 1.
    """

    def __init__(self, config: AugmentConfig, *, seed: int | None = None, threads: int | None = None):
        if not isinstance(config, AugmentConfig):
            raise ValueError(f"`config` must be an AugmentConfig. Received: {type(config).__name__}.")
        threads = min(2, os.cpu_count() or 1) if threads is None else threads
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"`threads` must be a positive integer. Received: threads={threads!r}.")
        self.config = config
        self.threads = threads
        self.rng = np.random.default_rng(seed)
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self._pool = ThreadPoolExecutor(threads) if threads > 1 else None
        self._buffers = threading.local()
        if self._pool is not None:
            cv2.setNumThreads(1)

    def fit(self, images) -> FastAugmenter:
        """Computes the feature-wise statistics of the training images (as `ImageDataGenerator.fit`).

        Args:
            images: `(N, H, W, C)` training images.

        Returns:
            The augmenter itself.
        """
        self.mean, self.std = featurewise_statistics(images, rescale=self.config.rescale)
        return self

    def augment(self, images, rng: np.random.Generator | None = None) -> np.ndarray:
        """One random augmentation of every image, then the configured normalisation.

        Args:
            images: `(N, H, W, C)` uint8 or float images (C from 1 to 4).
            rng: The random generator for this batch. Defaults to the augmenter's own.

        Returns:
            float32 images of the same shape.

        Raises:
            ValueError: for another shape, or feature-wise normalisation before `fit`.
        """
        images = _check_batch(images)
        if self.config.needs_fit and self.mean is None:
            raise ValueError(
                "This config normalises feature-wise (featurewise_center): call "
                "augmenter.fit(x_train) first, as with ImageDataGenerator.fit."
            )
        matrices = None
        if self.config.has_geometry and len(images):
            params = sample_parameters(self.config, len(images), images.shape[1:], self.rng if rng is None else rng)
            matrices = inverse_matrices(params, *images.shape[1:3])
        out = np.empty(images.shape, dtype=np.float32)
        if self._pool is None or len(images) < 2 * self.threads:
            return self._augment_chunk(images, matrices, out)
        bounds = np.linspace(0, len(images), self.threads + 1).astype(int)
        chunks = [
            self._pool.submit(self._augment_chunk, images[a:b], None if matrices is None else matrices[a:b], out[a:b])
            for a, b in zip(bounds[:-1], bounds[1:])
        ]
        for chunk in chunks:
            chunk.result()
        return out

    def _augment_chunk(self, images: np.ndarray, matrices: np.ndarray | None, out: np.ndarray) -> np.ndarray:
        """Warps (in the input dtype), converts to float32 into `out`, standardizes: one thread's share."""
        if matrices is not None:
            images = warp_images(
                images,
                matrices,
                fill_mode=self.config.fill_mode,
                cval=self.config.cval,
                out=self._scratch(images.shape, images.dtype),
            )
        np.copyto(out, images, casting="unsafe")
        return self.standardize(out)

    def _scratch(self, shape: tuple, dtype) -> np.ndarray:
        """This thread's reusable buffer for warped images (the float32 result is always new)."""
        buffer = getattr(self._buffers, "warped", None)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            buffer = self._buffers.warped = np.empty(shape, dtype)
        return buffer

    def standardize(self, images: np.ndarray) -> np.ndarray:
        """The custom function, `rescale`, then sample-wise and feature-wise normalisation, in place.

        Args:
            images: float32 `(N, H, W, C)` images (changed in place).

        Returns:
            The same array.
        """
        config = self.config
        if config.preprocessing_function is not None:
            for index, image in enumerate(images):
                images[index] = config.preprocessing_function(image)
        if config.rescale is not None:
            images *= np.float32(config.rescale)
        if config.samplewise_center:
            normalize_samplewise(images, scale=config.samplewise_std_normalization)
        if config.featurewise_center:
            normalize_featurewise(images, self.mean, self.std if config.featurewise_std_normalization else None)
        return images


def _check_batch(images) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4 or not 1 <= images.shape[-1] <= 4 or images.dtype.kind not in "uif":
        raise ValueError(
            "`images` must be a numeric batch (N, H, W, C) with 1 to 4 channels; add a channel "
            f"axis to grey images with images[..., None]. Received: shape {images.shape}, "
            f"dtype {images.dtype}."
        )
    if images.dtype.kind == "f" and images.dtype != np.float32:
        images = images.astype(np.float32)  # OpenCV warps uint8 and float32
    return np.ascontiguousarray(images)


class AugmentedBatches(keras.utils.PyDataset):
    """Augmented training batches for `model.fit`, drawn by Keras' data workers.

    Every epoch visits the images in a new random order; batch `i` of epoch `e` is augmented with
    a generator seeded by `(seed, e, i)`, so a run is reproducible whatever the number of workers.

    Args:
        x: `(N, H, W, C)` training images (uint8 keeps the warps fast).
        y: `N` labels (any array Keras accepts), or `None` for unlabelled images.
        augmenter: A `FastAugmenter` (fitted first if it normalises feature-wise).
        batch_size: Images per batch. Defaults to `32`.
        shuffle: Reorder the images every epoch. Defaults to `True`.
        seed: Seed of the order and of the augmentation. Defaults to `0`.
        workers: Threads Keras uses to prepare batches ahead of the model. Defaults to `1`.
        max_queue_size: Batches prepared ahead. Defaults to `10`.

    Raises:
        ValueError: for mismatched `x` and `y` or a batch size below 1.
    """

    def __init__(
        self,
        x,
        y,
        augmenter: FastAugmenter,
        *,
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int = 0,
        workers: int = 1,
        max_queue_size: int = 10,
    ):
        super().__init__(workers=workers, use_multiprocessing=False, max_queue_size=max_queue_size)
        self.x = _check_batch(x)
        self.y = None if y is None else np.asarray(y)
        if self.y is not None and len(self.y) != len(self.x):
            raise ValueError(
                f"`x` and `y` must have the same length. Received: {len(self.x)} images and {len(self.y)} labels."
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}.")
        self.augmenter, self.batch_size, self.shuffle, self.seed = augmenter, batch_size, shuffle, seed
        self.epoch = 0
        self.order = self._order()

    def _order(self) -> np.ndarray:
        if not self.shuffle:
            return np.arange(len(self.x))
        return np.random.default_rng([self.seed, self.epoch]).permutation(len(self.x))

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"Batch {index} out of range: there are {len(self)} batches.")
        chosen = np.sort(self.order[index * self.batch_size : (index + 1) * self.batch_size])
        rng = np.random.default_rng([self.seed, self.epoch, index])
        images = self.augmenter.augment(self.x[chosen], rng)
        return images if self.y is None else (images, self.y[chosen])

    def on_epoch_end(self):
        self.epoch += 1
        self.order = self._order()
