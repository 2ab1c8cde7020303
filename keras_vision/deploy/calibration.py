"""The representative dataset of full-integer quantisation: real inputs, one at a time.

The converter runs each sample through the float model and records the range of every tensor;
those ranges become the int8 scales. A few hundred training images drawn at random cover the
ranges well; test images must not be used (they would leak into the model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np


def representative_dataset(images, *, count: int = 300, seed: int = 0) -> Callable[[], Iterator[list[np.ndarray]]]:
    """A calibration generator over `count` images drawn at random from `images`.

    Args:
        images: The model's inputs, preprocessed as for `model.predict`, `(N, H, W, C)`.
        count: How many images to draw (all of them when N is smaller). Defaults to `300`.
        seed: Seed of the draw. Defaults to `0`.

    Returns:
        A function returning a fresh iterator of `[image[None]]` float32 batches of one, the form
        `TFLiteConverter.representative_dataset` expects.

    Raises:
        ValueError: for an empty `images` or `count` < 1.
    """
    images = np.asarray(images)
    if images.ndim < 2 or len(images) == 0 or count < 1:
        raise ValueError(
            f"Calibration needs at least one image and count >= 1. Received: {images.shape[0] if images.ndim else 0} "
            f"images, count={count}."
        )
    chosen = np.random.default_rng(seed).choice(len(images), size=min(count, len(images)), replace=False)

    def samples() -> Iterator[list[np.ndarray]]:
        for i in chosen:
            yield [images[i : i + 1].astype(np.float32)]

    return samples
