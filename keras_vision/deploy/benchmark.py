"""The deploy table: file size, latency on one thread and test accuracy of each format.

Latency is the median time of one image through the model (a batch of one, as a robot camera
delivers frames), after a warm-up, on one CPU thread. LiteRT interpreters take `num_threads=1`.
TensorFlow fixes its thread pools when it first runs, so the Keras model is timed in a fresh
child process that sets one thread before it loads the model (`keras_ms_per_image`).
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def ms_per_image(predict_one: Callable[[np.ndarray], object], images, *, count: int = 200, warmup: int = 10) -> float:
    """The median milliseconds of `predict_one(image[None])` over `count` images.

    Args:
        predict_one: Runs a batch of one image, e.g. `LiteModel(...).predict`.
        images: Inputs `(N, H, W, C)`; the first `count` are timed (cycled when N is smaller).
        count: Timed calls. Defaults to `200`.
        warmup: Untimed calls first (allocation, caches). Defaults to `10`.

    Returns:
        Median milliseconds per image.
    """
    images = np.asarray(images, dtype=np.float32)
    for i in range(warmup):
        predict_one(images[i % len(images)][None])
    times = []
    for i in range(count):
        batch = images[i % len(images)][None]
        start = time.perf_counter()
        predict_one(batch)
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def keras_ms_per_image(model_path: str | Path, images, *, count: int = 200, warmup: int = 10) -> float:
    """`ms_per_image` of a saved Keras model, measured in a child process limited to one thread.

    The model is called directly (`model(x, training=False)` in a `tf.function`), not through
    `model.predict`, whose per-call set-up would dominate a batch of one.

    Args:
        model_path: The `.keras` file.
        images: Inputs `(N, H, W, C)`.
        count: Timed calls. Defaults to `200`.
        warmup: Untimed calls first. Defaults to `10`.

    Returns:
        Median milliseconds per image.
    """
    with tempfile.TemporaryDirectory(prefix="keras_vision_latency_") as scratch:
        inputs = Path(scratch) / "images.npy"
        np.save(inputs, np.asarray(images[: max(count, warmup)], dtype=np.float32))
        context = multiprocessing.get_context("spawn")
        with context.Pool(1) as pool:
            return pool.apply(_time_keras_model, (str(model_path), str(inputs), count, warmup))


def _time_keras_model(model_path: str, inputs: str, count: int, warmup: int) -> float:
    """Child process of `keras_ms_per_image`: one TensorFlow thread, then the timing."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    model = keras.models.load_model(model_path, compile=False)
    call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    return ms_per_image(lambda x: call(tf.constant(x)).numpy(), np.load(inputs), count=count, warmup=warmup)


def accuracy(predict: Callable[[np.ndarray], np.ndarray], x, y) -> float:
    """Share of `x` whose highest output is the label `y` (class ids)."""
    probs = np.asarray(predict(x))
    return float(np.mean(np.argmax(probs, axis=-1) == np.asarray(y).reshape(-1)))
