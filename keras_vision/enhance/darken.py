"""Synthetic low light: a well exposed photograph made dark, so that the original can be the reference.

Real low-light photographs have no "correct" version to compare with. Darkening good photographs on
purpose gives pairs (dark input, original) on which PSNR and SSIM can be measured. `darken` imitates
three things a short exposure does, on values `v` in [0, 1]:

    dark = clip(scale * v ** gamma + noise * N(0, 1), 0, 1)

- `scale` < 1: less light reaches the sensor (0.4 is about 1.3 stops under).
- `gamma` > 1: the shadows sink faster than the highlights (the tone curve of an underexposed
  photo once the camera's own curve is applied).
- `noise`: Gaussian sensor and read noise, of standard deviation `noise`, from a seeded generator,
  so the same seed gives the same dark image.

A uint8 input gives a uint8 output (its quantization is part of the damage).
"""

from __future__ import annotations

import numpy as np

from keras_vision.pixels import check_image, restore, to_float


def darken(image, *, gamma: float, scale: float, noise: float, seed: int = 0) -> np.ndarray:
    """Makes a photograph look underexposed: `clip(scale * v ** gamma + noise * N(0, 1))`.

    Args:
        image: uint8 (0..255) or float (0..1) image, grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`.
        gamma: Exponent of the tone curve, > 0 (above 1 crushes the shadows), e.g. `1.8`.
        scale: Exposure factor, in (0, 1], e.g. `0.4`.
        noise: Standard deviation of the Gaussian noise, >= 0, in units of the full range, e.g.
            `0.01` (2.5 grey levels). The `lowlight` experiment's `--darken-*` options hold the
            values of its synthetic set.
        seed: Seed of the noise generator. Defaults to `0`.

    Returns:
        The dark image, with the dtype and shape of `image`.

    Raises:
        ValueError: for an unsupported image or a parameter out of range.
    """
    checked = to_float(check_image(image))
    for name, value, ok, allowed in (
        ("gamma", gamma, gamma > 0, "> 0"),
        ("scale", scale, 0 < scale <= 1, "in (0, 1]"),
        ("noise", noise, noise >= 0, ">= 0"),
    ):
        if not (np.isfinite(value) and ok):
            raise ValueError(f"`{name}` must be {allowed}. Received: {name}={value!r}.")
    rng = np.random.default_rng(seed)
    dark = scale * checked.astype(np.float64) ** gamma + noise * rng.standard_normal(checked.shape)
    return restore(np.clip(dark, 0.0, 1.0).astype(np.float32), image)
