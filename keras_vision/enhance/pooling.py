"""Brightening a dark photograph by max pooling, the way pixel binning brightens a phone photo.

A phone sensor in the dark combines the charge of neighbouring pixels (binning): fewer, brighter
pixels. Max pooling imitates it: every output pixel takes the brightest value of a `k x k`
neighbourhood, so dark pixels next to a lit one become lit. It only ever raises values, and it
pays in detail: thin dark lines vanish, bright spots grow into `k x k` squares, edges move.

Two ways to pool (`mode`):

- `"filter"`: a stride-1 max pooling with "same" padding, exactly
  `keras.layers.MaxPooling2D(pool_size=k, strides=1, padding="same")`: the size is kept. Computed
  with `cv2.dilate` and a `k x k` rectangle, which is the same operation (a grey-level dilation),
  separable and vectorised: about 20 ms for a 12-megapixel photograph.
- `"binning"`: non-overlapping `k x k` blocks (stride k), each replaced by its maximum, then the
  small image is resized back (bilinear) to the original size: the phone's binning, with its
  loss of resolution. The block maxima are the max filter read at every k-th pixel (faster with
  `cv2.dilate` than reshaping into blocks, see `benchmarks/lowlight.py`).

Two ways to treat colour (`channels`):

- `"luminance"` (the default): pool only the luma `Y = 0.299 R + 0.587 G + 0.114 B` of YCbCr and
  keep every pixel's chroma Cb/Cr (its colour differences). Colours stay those of the scene; only
  brightness spreads. (YCbCr is a linear transform of RGB: five times cheaper than CIELAB on a
  float photograph, and Y is the luma every measure of `evaluation.image_quality` reads.)
- `"each"`: pool R, G and B independently. Each channel takes its own maximum, possibly from a
  different neighbour, so the result is brighter than with `"luminance"` but shows colours that
  were nowhere in the neighbourhood (coloured fringes along edges, greyish whites).

Grey images have one channel and ignore `channels`.
"""

from __future__ import annotations

import cv2
import numpy as np

from keras_vision.data.preprocessing import resize_images
from keras_vision.pixels import check_image, restore

POOL_MODES = ("filter", "binning")
CHANNEL_MODES = ("luminance", "each")


def max_filter(image, size: int = 3) -> np.ndarray:
    """Stride-1 max pooling that keeps the size: each pixel becomes the maximum of its window.

    The `size x size` window of output pixel `(i, j)` covers rows `i - (size - 1) // 2` to
    `i + size // 2` (and the same for columns), clipped to the image: the placement of
    `keras.layers.MaxPooling2D(pool_size=size, strides=1, padding="same")`, whose padding never
    wins a maximum. Channels are pooled independently.

    Args:
        image: An array `(H, W)` or `(H, W, C)`, of any dtype `cv2.dilate` supports (uint8,
            uint16, int16, float32, float64).
        size: Side of the window, at least 1. Defaults to `3`.

    Returns:
        An array of the same shape and dtype.

    Raises:
        ValueError: for another shape or a `size` below 1.
    """
    image = _check_array(image, size)
    return _dilate(image, size, anchor=(size - 1) // 2)


def _dilate(image: np.ndarray, size: int, anchor: int) -> np.ndarray:
    """`cv2.dilate` with a `size x size` rectangle whose window starts `anchor` pixels before the pixel."""
    if image.ndim == 3 and image.shape[2] > 4:  # OpenCV filters at most 4 channels at once
        return np.stack([_dilate(image[:, :, c], size, anchor) for c in range(image.shape[2])], axis=-1)
    kernel = np.ones((size, size), dtype=np.uint8)
    # OpenCV's default border for dilation is the smallest value: like Keras' padding, it never wins.
    return cv2.dilate(np.ascontiguousarray(image), kernel, anchor=(anchor, anchor)).reshape(image.shape)


def block_max(image, size: int = 2) -> np.ndarray:
    """Max pooling with non-overlapping `size x size` blocks (stride `size`); a partial last block counts.

    Computed as a max filter whose window starts at each pixel, read at every `size`-th pixel:
    `cv2.dilate` does the work at about 2.5x the speed of reshaping into blocks and reducing them
    (`benchmarks/lowlight.py`), with the same result.

    Args:
        image: An array `(H, W)` or `(H, W, C)`.
        size: Side of a block, at least 1. Defaults to `2`.

    Returns:
        An array `(ceil(H / size), ceil(W / size)[, C])` of the input's dtype: like
        `MaxPooling2D(size, padding="same")` when `size` divides H and W, and like
        `skimage.measure.block_reduce(image, size, np.max)` always.
    """
    image = _check_array(image, size)
    return np.ascontiguousarray(_dilate(image, size, anchor=0)[::size, ::size])


def max_pool_brighten(image, *, pool_size: int = 3, mode: str = "filter", channels: str = "luminance") -> np.ndarray:
    """Brightens a dark photograph by max pooling (see the module docstring for the choices).

    Args:
        image: uint8 (0..255) or float (0..1) image, grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`.
        pool_size: Side k of the pooling window, at least 1 (1 returns the image). Defaults to `3`.
        mode: `"filter"` (stride 1, same size) or `"binning"` (stride k, resized back).
            Defaults to `"filter"`.
        channels: `"luminance"` (pool the luma Y, keep the chroma) or `"each"` (pool R, G, B
            independently). Defaults to `"luminance"`.

    Returns:
        The brightened image, with the dtype and shape of `image`.

    Raises:
        ValueError: for an unsupported image, or an unknown `mode` / `channels` / bad `pool_size`.
    """
    checked = check_image(image)
    _check_size(size=pool_size, name="pool_size")
    _check_choice("mode", mode, POOL_MODES)
    _check_choice("channels", channels, CHANNEL_MODES)
    pool = max_filter if mode == "filter" else _binning
    if checked.ndim == 2 or channels == "each":
        return restore(pool(checked, pool_size), image)
    ycrcb = cv2.cvtColor(checked, cv2.COLOR_RGB2YCrCb)  # OpenCV's channel order: Y, Cr, Cb
    ycrcb[:, :, 0] = pool(ycrcb[:, :, 0], pool_size)
    return restore(cv2.cvtColor(ycrcb, cv2.COLOR_YCrCb2RGB), image)


def _binning(image: np.ndarray, size: int) -> np.ndarray:
    """Block maxima resized back (bilinear) to the image's size; edge blocks are padded, then cropped."""
    height, width = image.shape[:2]
    small = block_max(image, size)
    return resize_images(small[None], (small.shape[0] * size, small.shape[1] * size))[0][:height, :width]


def _check_array(image, size) -> np.ndarray:
    image = np.asarray(image)
    _check_size(size)
    if image.ndim not in (2, 3) or image.size == 0:
        raise ValueError(f"`image` must be a non-empty (H, W) or (H, W, C) array. Received shape: {image.shape}.")
    return image


def _check_size(size, name: str = "size") -> None:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={size!r}.")


def _check_choice(name: str, value, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise ValueError(f"Unknown {name} {value!r}. Valid values: {', '.join(valid)}.")
