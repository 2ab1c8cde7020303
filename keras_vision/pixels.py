"""What an image array may hold, checked once, and the conversions between pixel formats.

The image functions of the library (`keras_vision.enhance`, the image measures of
`keras_vision.evaluation.image_quality`) accept one photograph in either of the two usual formats:

- `uint8` with values 0..255 (what a decoder returns), or
- floating point with values in [0, 1] (what `scale_pixels` returns);

and either layout: grey `(H, W)` or `(H, W, 1)`, or RGB `(H, W, 3)`. `check_image` enforces this
with one clear `ValueError`, `to_float` / `to_uint8` convert, and `restore` gives a result the
dtype and layout of the input, so that a uint8 photograph comes back as uint8 and a float one as
float.
"""

from __future__ import annotations

import cv2
import numpy as np


def check_image(image, *, name: str = "image") -> np.ndarray:
    """Checks that `image` is one grey or RGB picture in a supported pixel format.

    Args:
        image: An array-like `(H, W)`, `(H, W, 1)` or `(H, W, 3)`; uint8 (0..255) or float
            (finite, in [0, 1]).
        name: The argument name used in error messages. Defaults to `"image"`.

    Returns:
        The image as a NumPy array, `(H, W)` for grey (a single channel axis is dropped) or
        `(H, W, 3)`; uint8 stays uint8 and floats become float32.

    Raises:
        ValueError: for an empty image, another shape or dtype, NaN/inf, or floats outside [0, 1].
    """
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3):
        raise ValueError(
            f"`{name}` must be one grey (H, W) or (H, W, 1) or RGB (H, W, 3) image. Received shape: {np.shape(image)}."
        )
    if array.size == 0:
        raise ValueError(f"`{name}` is empty: its height and width must be at least 1. Received shape: {array.shape}.")
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind != "f":
        raise ValueError(
            f"`{name}` must be uint8 (0..255) or float (0..1). Received dtype: {array.dtype}. "
            f"Convert it, e.g. `{name}.astype(np.uint8)` for 8-bit values."
        )
    array = array.astype(np.float32, copy=False)
    low, high = float(array.min()), float(array.max())  # NaN propagates, infinities show: two passes
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"`{name}` contains NaN or infinite values ({int(np.sum(~np.isfinite(array)))} pixels).")
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"A float `{name}` must have values in [0, 1]. Received values in [{low:.4g}, {high:.4g}]; "
            f"divide 0..255 values by 255."
        )
    return array


def to_float(image: np.ndarray) -> np.ndarray:
    """A checked image as float32 in [0, 1] (uint8 values are divided by 255)."""
    if image.dtype != np.uint8:
        return image
    scaled = image.astype(np.float32)
    scaled *= np.float32(1 / 255)
    return scaled


def to_uint8(image: np.ndarray) -> np.ndarray:
    """A checked image as uint8 0..255 (floats, which must be in [0, 1], are scaled by 255 and rounded)."""
    if image.dtype == np.uint8:
        return image
    return cv2.convertScaleAbs(image, alpha=255.0)  # round(255 v), saturated: 25x faster than NumPy


def restore(result: np.ndarray, original) -> np.ndarray:
    """Gives `result` (uint8 or float in [0, 1], the checked layout) the dtype and shape of `original`.

    Args:
        result: The processed image, `(H, W)` or `(H, W, 3)`, uint8 or float; a float `result`
            is clipped in place, so pass a fresh array, never the caller's image.
        original: The image the caller passed in (before `check_image`).

    Returns:
        uint8 when `original` is uint8, else `original`'s float dtype clipped to [0, 1]; a grey
        `(H, W, 1)` input gets its channel axis back.
    """
    original = np.asarray(original)
    if result.dtype != np.uint8:
        np.clip(result, 0.0, 1.0, out=result)
    result = to_uint8(result) if original.dtype == np.uint8 else to_float(result).astype(original.dtype, copy=False)
    return result.reshape(original.shape)
