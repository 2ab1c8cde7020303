"""Convolution and pooling from first principles, in NumPy.

A convolutional layer slides a small kernel over the image and, at every position, takes the sum of
the element-wise product of the kernel and the patch under it. Deep-learning libraries compute this
*cross-correlation* (the kernel is not flipped) and still call it convolution; these functions do the
same, so `convolve2d(image, kernel)` equals a `keras.layers.Conv2D` with that kernel and no bias.

Output sizes follow one rule for convolution and pooling alike:

    valid: floor((size - window) / stride) + 1        same: ceil(size / stride)
"""

from __future__ import annotations

import math

import numpy as np

#: Responds to vertical edges: bright on the left, dark on the right gives a large positive value.
VERTICAL_EDGE_KERNEL = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=np.float32)
HORIZONTAL_EDGE_KERNEL = VERTICAL_EDGE_KERNEL.T.copy()

PADDINGS = ("valid", "same")


def output_size(size: int, window: int, *, stride: int = 1, padding: str = "valid") -> int:
    """Spatial output size of a convolution or pooling window along one axis.

    Args:
        size: Input size along the axis.
        window: Kernel or pool size along the axis.
        stride: Step between windows. Defaults to `1`.
        padding: `"valid"` (no padding) or `"same"` (pad so that output = ceil(size / stride)).

    Returns:
        The output size, as Keras computes it.

    Raises:
        ValueError: for an unknown padding, or a window larger than a `"valid"` input.
    """
    _check_padding(padding)
    if padding == "same":
        return math.ceil(size / stride)
    if window > size:
        raise ValueError(f"A window of {window} does not fit an input of size {size} with 'valid' padding.")
    return (size - window) // stride + 1


def convolve2d(image, kernel, *, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """Slides `kernel` over `image` (cross-correlation, as `keras.layers.Conv2D` computes it).

    Args:
        image: Array of shape (H, W) or (H, W, C).
        kernel: Array of shape (kh, kw), or (kh, kw, C) for a multi-channel image; a 2-D kernel
            is applied to every channel and the results summed, like one Conv2D filter.
        stride: Step of the window in both directions. Defaults to `1`.
        padding: `"valid"` or `"same"` (zero padding, as Keras places it). Defaults to `"valid"`.

    Returns:
        A float32 array of shape (H_out, W_out).
    """
    image = np.asarray(image, dtype=np.float32)
    kernel = np.asarray(kernel, dtype=np.float32)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3:
        raise ValueError(f"`image` must have shape (H, W) or (H, W, C). Received: shape {image.shape}.")
    if kernel.ndim == 2:
        kernel = np.repeat(kernel[..., None], image.shape[-1], axis=-1)
    if kernel.ndim != 3 or kernel.shape[-1] != image.shape[-1]:
        raise ValueError(
            f"`kernel` must have shape (kh, kw) or (kh, kw, {image.shape[-1]}). Received: shape {kernel.shape}."
        )
    windows = _windows(image, kernel.shape[:2], stride, padding, pad_value=0.0)
    return np.einsum("hwijc,ijc->hw", windows, kernel).astype(np.float32)


def max_pool2d(image, pool_size: int = 2, *, stride: int | None = None, padding: str = "valid") -> np.ndarray:
    """Keeps the largest value of every `pool_size` x `pool_size` window, as `MaxPooling2D` does.

    Args:
        image: Array of shape (H, W) or (H, W, C); channels are pooled independently.
        pool_size: Window size. Defaults to `2`.
        stride: Step between windows. Defaults to `pool_size` (non-overlapping windows).
        padding: `"valid"` or `"same"`. Defaults to `"valid"`.

    Returns:
        An array of the input's dtype and shape (H_out, W_out[, C]).
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"`image` must have shape (H, W) or (H, W, C). Received: shape {image.shape}.")
    flat = image.ndim == 2
    data = image[..., None] if flat else image
    windows = _windows(data, (pool_size, pool_size), stride or pool_size, padding, pad_value=-np.inf)
    pooled = windows.max(axis=(2, 3)).astype(image.dtype)
    return pooled[..., 0] if flat else pooled


def _windows(image: np.ndarray, window: tuple[int, int], stride: int, padding: str, pad_value: float):
    """All windows of `image` (H, W, C) as an array (H_out, W_out, kh, kw, C)."""
    _check_padding(padding)
    if stride < 1:
        raise ValueError(f"`stride` must be a positive integer. Received: stride={stride}.")
    (h, w, _), (kh, kw) = image.shape, window
    if padding == "same":
        pads = [_same_padding(n, k, stride) for n, k in ((h, kh), (w, kw))]
        image = np.pad(image.astype(np.float32), [*pads, (0, 0)], constant_values=pad_value)
    out_h, out_w = (
        output_size(h, kh, stride=stride, padding=padding),
        output_size(w, kw, stride=stride, padding=padding),
    )
    view = np.lib.stride_tricks.sliding_window_view(image, (kh, kw), axis=(0, 1))  # (H', W', C, kh, kw)
    view = view[: (out_h - 1) * stride + 1 : stride, : (out_w - 1) * stride + 1 : stride]
    return view.transpose(0, 1, 3, 4, 2)


def _same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    total = max((math.ceil(size / stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def _check_padding(padding: str) -> None:
    if padding not in PADDINGS:
        raise ValueError(f"Unknown padding {padding!r}. Valid paddings: {', '.join(PADDINGS)}.")
