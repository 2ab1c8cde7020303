"""Gaussian noise: the worked example of a custom `preprocessing_function`."""

from __future__ import annotations

import math
import numbers

import numpy as np


def gaussian_noise(stddev: float, seed: int | None = None):
    """A `preprocessing_function` that adds zero-mean Gaussian noise to each image it is given.

    Noise makes a network robust to sensor noise and JPEG artefacts, and it is the simplest
    transform that is not geometric. `ImageDataGenerator` (and the fast pipeline) call the
    function on every augmented image, as float32 pixels BEFORE `rescale` and normalisation, so
    `stddev` is in pixel units: `10.0` for pixels in [0, 255]. The result is not clipped.

        config = AugmentConfig(horizontal_flip=True, preprocessing_function=gaussian_noise(10.0, seed=0))

    The returned function draws from one `np.random.default_rng(seed)`: its first call on an
    image `x` returns `x + rng.normal(0.0, stddev, size=x.shape)` (as float32), and every call
    draws new noise. Keras' own `keras.layers.GaussianNoise` does the same inside a model, during
    training only.

    Args:
        stddev: Standard deviation of the noise, >= 0.
        seed: Seed of the random generator. Defaults to `None` (fresh entropy).

    Returns:
        A function from an image (any shape) to a float32 image of the same shape.

    Raises:
        ValueError: if `stddev` is negative or not a finite number.
    """
    if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or not math.isfinite(stddev) or stddev < 0:
        raise ValueError(
            f"`stddev` must be a finite number >= 0, e.g. 10.0 for pixels in [0, 255]. Received: stddev={stddev!r}."
        )
    rng = np.random.default_rng(seed)

    def add_gaussian_noise(image):
        image = np.asarray(image, dtype=np.float32)
        return image + rng.normal(0.0, stddev, size=image.shape).astype(np.float32)

    return add_gaussian_noise
