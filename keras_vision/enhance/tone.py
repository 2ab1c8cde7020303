"""Tone curves that brighten without blurring: a global gamma curve and local histogram equalization.

- `gamma_correct`: every value `v` in [0, 1] becomes `v ** gamma`. With `gamma < 1` dark values
  rise the most (0.04 -> 0.2 for gamma 0.5) while black stays black and white stays white. One
  curve for the whole image, applied to R, G and B alike (for uint8 a 256-entry lookup table,
  `gamma_lookup_table`). The simple baseline.
- `clahe`: Contrast Limited Adaptive Histogram Equalization (Zuiderveld 1994) through OpenCV. The
  image is cut into a grid of tiles; each tile gets the tone curve that spreads its own histogram
  evenly, with the histogram clipped at `clip_limit` times its mean height first so that flat
  regions (and their noise) are not stretched without limit; curves are blended bilinearly
  between tile centres. It runs on the lightness L* of CIELAB only, so hues stay, and
  on the image itself when it is grey.

Reference:
    K. Zuiderveld, "Contrast Limited Adaptive Histogram Equalization", Graphics Gems IV, 1994.
"""

from __future__ import annotations

import cv2
import numpy as np

from keras_vision.pixels import check_image, restore, to_uint8


def gamma_lookup_table(gamma: float) -> np.ndarray:
    """The uint8 lookup table of a gamma curve: entry `v` is `round(255 * (v / 255) ** gamma)`.

    Args:
        gamma: The exponent, > 0; below 1 brightens, above 1 darkens.

    Returns:
        A uint8 array of shape (256,).

    Raises:
        ValueError: for a `gamma` that is not a positive finite number.
    """
    _check_gamma(gamma)
    return np.round(255.0 * (np.arange(256) / 255.0) ** float(gamma)).astype(np.uint8)


def gamma_correct(image, gamma: float = 0.5) -> np.ndarray:
    """Applies the gamma curve `v -> v ** gamma` to every channel of `image` (values in [0, 1]).

    Args:
        image: uint8 (0..255) or float (0..1) image, grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`.
        gamma: The exponent, > 0; below 1 brightens. Defaults to `0.5`.

    Returns:
        The corrected image, with the dtype and shape of `image` (uint8 through
        `gamma_lookup_table`, floats computed exactly).

    Raises:
        ValueError: for an unsupported image or a bad `gamma`.
    """
    checked = check_image(image)
    _check_gamma(gamma)
    if checked.dtype == np.uint8:
        return restore(cv2.LUT(checked, gamma_lookup_table(gamma)), image)
    return restore(np.power(checked, np.float32(gamma)), image)


def clahe(image, *, clip_limit: float = 2.0, tile_grid: int | tuple[int, int] = 8) -> np.ndarray:
    """Contrast Limited Adaptive Histogram Equalization of the lightness, through OpenCV.

    RGB images go to CIELAB (8-bit, `cv2.COLOR_RGB2LAB`), `cv2.createCLAHE(clip_limit,
    tile_grid).apply` equalizes L*, and a*/b* come back unchanged. CLAHE works on 256-bin
    histograms, so float images are quantized to 8 bits first (the result is float again).

    Args:
        image: uint8 (0..255) or float (0..1) image, grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`.
        clip_limit: Histogram clip limit, relative to a flat histogram, > 0; higher gives more
            contrast (and more amplified noise). Defaults to `2.0`.
        tile_grid: Number of tiles along each axis, an int or `(rows, columns)`. Defaults to `8`.

    Returns:
        The equalized image, with the dtype and shape of `image`.

    Raises:
        ValueError: for an unsupported image, a non-positive `clip_limit` or a bad `tile_grid`.
    """
    checked = to_uint8(check_image(image))
    if not (isinstance(clip_limit, (int, float)) and np.isfinite(clip_limit) and clip_limit > 0):
        raise ValueError(f"`clip_limit` must be a positive number. Received: clip_limit={clip_limit!r}.")
    rows, cols = _tile_grid(tile_grid)
    equalizer = cv2.createCLAHE(clipLimit=float(clip_limit), tileGridSize=(cols, rows))  # OpenCV: (x, y)
    if checked.ndim == 2:
        return restore(equalizer.apply(checked), image)
    lab = cv2.cvtColor(checked, cv2.COLOR_RGB2LAB)
    lab[:, :, 0] = equalizer.apply(np.ascontiguousarray(lab[:, :, 0]))
    return restore(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB), image)


def _tile_grid(tile_grid) -> tuple[int, int]:
    pair = (tile_grid, tile_grid) if np.isscalar(tile_grid) else tuple(tile_grid)
    if len(pair) != 2 or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in pair):
        raise ValueError(f"`tile_grid` must be a positive int or (rows, columns). Received: tile_grid={tile_grid!r}.")
    return int(pair[0]), int(pair[1])


def _check_gamma(gamma) -> None:
    if (
        isinstance(gamma, bool)
        or not isinstance(gamma, (int, float, np.floating))
        or not np.isfinite(gamma)
        or gamma <= 0
    ):
        raise ValueError(f"`gamma` must be a positive number (below 1 brightens). Received: gamma={gamma!r}.")
