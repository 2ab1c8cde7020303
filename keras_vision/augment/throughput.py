"""How many images per second each augmentation pipeline delivers, measured side by side.

    rates = measure_throughput(images, config, pipelines=("imagedatagenerator", "fast"))
    # {"imagedatagenerator": 3900.0, "fast": 52000.0}

Every pipeline returns float32 batches of `batch_size` augmented images. The pipelines are timed in
rounds, each pipeline once per round, and the median over rounds is reported, so that a change in
the machine's load hits every pipeline alike.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import tensorflow as tf

from keras_vision.augment.config import AugmentConfig
from keras_vision.augment.equivalents import albumentations_like, keras_layers_like
from keras_vision.augment.generator import image_data_generator
from keras_vision.augment.pipeline import FastAugmenter


class BatchSource:
    """Draws augmented batches from `images` in order, wrapping around; `reset` stops any background work."""

    def __init__(self, images: np.ndarray, batch_size: int, augment_batch):
        self.images, self.batch_size, self.augment_batch, self.cursor = images, batch_size, augment_batch, 0

    def __call__(self) -> np.ndarray:
        start = self.cursor % len(self.images)
        self.cursor += self.batch_size
        return self.augment_batch(self.images[start : start + self.batch_size])

    def reset(self) -> None:
        pass


class TfDataSource(BatchSource):
    """Batches of a `tf.data` pipeline. `reset` drops the iterator, so that its threads (parallel
    map, prefetch) neither work ahead nor take CPU while other pipelines are timed."""

    def __init__(self, dataset):
        self.dataset, self.iterator = dataset, None

    def __call__(self) -> np.ndarray:
        self.iterator = self.iterator or iter(self.dataset)
        return next(self.iterator).numpy()

    def reset(self) -> None:
        self.iterator = None


def imagedatagenerator_source(images, config, batch_size):
    iterator = image_data_generator(config).flow(images, batch_size=batch_size, shuffle=False, seed=0)
    return BatchSource(images, batch_size, lambda _: next(iterator))


def keras_layers_source(images, config, batch_size):
    layers = keras_layers_like(config)
    dataset = (
        tf.data.Dataset.from_tensor_slices(images)
        .repeat()
        .batch(batch_size)
        .map(lambda x: layers(tf.cast(x, tf.float32), training=True), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    return TfDataSource(dataset)


def albumentations_source(images, config, batch_size, threads=1):
    transform = albumentations_like(config)
    pool = ThreadPoolExecutor(threads) if threads > 1 else None

    def augment_one(image):
        return transform(image=image)["image"]

    def augment_batch(batch):
        augmented = pool.map(augment_one, batch) if pool else map(augment_one, batch)
        return np.stack(list(augmented)).astype(np.float32)

    return BatchSource(images, batch_size, augment_batch)


def fast_source(images, config, batch_size, threads=None):
    augmenter = FastAugmenter(config, seed=0, threads=threads)
    return BatchSource(images, batch_size, augmenter.augment)


#: The pipelines `measure_throughput` knows: name -> `(images, config, batch_size) -> source`.
PIPELINES = {
    "imagedatagenerator": imagedatagenerator_source,
    "keras_layers": keras_layers_source,
    "albumentations": albumentations_source,
    "albumentations_2threads": lambda images, config, batch_size: albumentations_source(images, config, batch_size, 2),
    "fast": fast_source,
    "fast_1thread": lambda images, config, batch_size: fast_source(images, config, batch_size, 1),
}


def images_per_second(source: BatchSource, seconds: float, batch_size: int) -> float:
    """Batches drawn for at least `seconds` (and at least two), in images per second.

    One batch is drawn before the clock starts (a tf.data iterator starts its threads then).
    """
    source()
    count, start = 0, time.perf_counter()
    while True:
        count += len(source())
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and count >= 2 * batch_size:
            source.reset()
            return count / elapsed


def measure_throughput(
    images,
    config: AugmentConfig,
    *,
    pipelines=("imagedatagenerator", "fast"),
    batch_size: int = 128,
    rounds: int = 3,
    seconds: float = 1.0,
) -> dict:
    """Images per second of several augmentation pipelines on the same images and config.

    Args:
        images: `(N, H, W, C)` uint8 images (N of a few batches is enough; they are reused).
        config: The augmentation (geometry only for `keras_layers` and `albumentations`).
        pipelines: Names from `PIPELINES`. Defaults to `("imagedatagenerator", "fast")`.
        batch_size: Images per batch. Defaults to `128`.
        rounds: Timing rounds; the median is reported. Defaults to `3`.
        seconds: Seconds per pipeline per round. Defaults to `1.0`.

    Returns:
        `{"rates": {name: median images per second}, "rounds": {name: [per-round rates]}}`.

    Raises:
        ValueError: for an unknown pipeline name.
    """
    unknown = [name for name in pipelines if name not in PIPELINES]
    if unknown:
        raise ValueError(f"Unknown pipelines {unknown}. Valid pipelines: {', '.join(PIPELINES)}.")
    images = np.asarray(images)
    sources = {name: PIPELINES[name](images, config, batch_size) for name in pipelines}
    for source in sources.values():
        source()  # warm-up: tracing, thread pools, first allocations
        source.reset()
    measured = {name: [] for name in sources}
    for _ in range(rounds):
        for name, source in sources.items():
            measured[name].append(images_per_second(source, seconds, batch_size))
    return {
        "rates": {name: round(statistics.median(values), 1) for name, values in measured.items()},
        "rounds": {name: [round(value, 1) for value in values] for name, values in measured.items()},
    }
