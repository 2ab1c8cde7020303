"""Transposed convolution from first principles, in NumPy, equal to `keras.layers.Conv2DTranspose`.

A transposed convolution is the gradient of a strided convolution. It can be computed in three
steps (`conv2d_transpose`): insert `stride - 1` zeros between the input pixels (`zero_insert`), pad
the result by `kernel - 1` pixels, and run an ordinary convolution with the kernel flipped upside
down and left to right. `transpose_output_size` gives the output size Keras computes.

Reference: Dumoulin and Visin, "A guide to convolution arithmetic for deep learning", arXiv:1603.07285.
"""

from __future__ import annotations

import numpy as np

from keras_vision.convolution import PADDINGS, convolve2d


def zero_insert(image, stride: int) -> np.ndarray:
    """Inserts `stride - 1` zeros between neighbouring pixels, along height and width.

    `[[1, 2], [3, 4]]` with `stride=2` becomes `[[1, 0, 2], [0, 0, 0], [3, 0, 4]]`: the first
    step of a transposed convolution.

    Args:
        image: Array of shape (H, W) or (H, W, C).
        stride: The upsampling factor, a positive integer (1 returns a copy).

    Returns:
        A float32 array of shape ((H - 1) * stride + 1, (W - 1) * stride + 1[, C]).

    Raises:
        ValueError: for another shape or a stride below 1.
    """
    image = np.asarray(image, dtype=np.float32)
    check_stride(stride)
    if image.ndim not in (2, 3):
        raise ValueError(f"`image` must have shape (H, W) or (H, W, C). Received: shape {image.shape}.")
    height, width = image.shape[:2]
    out = np.zeros(((height - 1) * stride + 1, (width - 1) * stride + 1, *image.shape[2:]), dtype=np.float32)
    out[::stride, ::stride] = image
    return out


def transpose_output_size(size: int, kernel_size: int, *, stride: int, padding: str) -> int:
    """Output size of `Conv2DTranspose` along one axis (no `output_padding`), as Keras computes it.

    `"same"`: `size * stride`; `"valid"`: `size * stride + max(kernel_size - stride, 0)`.
    """
    if padding not in PADDINGS:
        raise ValueError(f"Unknown padding {padding!r}. Valid paddings: {', '.join(PADDINGS)}.")
    return size * stride + (max(kernel_size - stride, 0) if padding == "valid" else 0)


def conv2d_transpose(image, kernel, bias=None, *, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """A transposed convolution in NumPy, equal to `keras.layers.Conv2DTranspose`.

    Three steps: `zero_insert` the input, pad it, and convolve with the kernel flipped in both
    spatial directions. The padding is `kernel - 1` pixels (a "full" convolution, so every
    input pixel spreads its kernel completely) less the pixels that `"same"` padding crops at the
    start, and enough at the end to reach Keras' output size (`transpose_output_size`).

    Args:
        image: Input of shape (H, W) or (H, W, C_in).
        kernel: Weights in the layout of `Conv2DTranspose.kernel`: (kh, kw, C_out, C_in), or
            (kh, kw) for one input and one output channel.
        bias: Optional (C_out,) values added to each output channel. Defaults to none.
        stride: Upsampling factor in both directions. Defaults to `1`.
        padding: `"valid"` or `"same"`, as in Keras. Defaults to `"valid"`.

    Returns:
        A float32 array (H_out, W_out, C_out), sizes from `transpose_output_size`.

    Raises:
        ValueError: for mismatched shapes, an unknown padding or a stride below 1.
    """
    image = np.asarray(image, dtype=np.float32)
    kernel = np.asarray(kernel, dtype=np.float32)
    image = image[..., None] if image.ndim == 2 else image
    kernel = kernel[:, :, None, None] if kernel.ndim == 2 else kernel
    if image.ndim != 3 or kernel.ndim != 4 or kernel.shape[3] != image.shape[2]:
        raise ValueError(
            f"`kernel` must have shape (kh, kw, C_out, C_in={image.shape[-1]}) for an image (H, W, C_in). "
            f"Received: image {image.shape}, kernel {kernel.shape}."
        )
    out_channels = kernel.shape[2]
    bias = np.zeros(out_channels, np.float32) if bias is None else np.asarray(bias, np.float32).reshape(-1)
    if bias.shape != (out_channels,):
        raise ValueError(f"`bias` must have shape ({out_channels},). Received: shape {bias.shape}.")
    padded = _pad_for_transpose(zero_insert(image, stride), image.shape[:2], kernel.shape[:2], stride, padding)
    flipped = kernel[::-1, ::-1]
    channels = [convolve2d(padded, flipped[:, :, o, :]) + bias[o] for o in range(out_channels)]
    return np.stack(channels, axis=-1).astype(np.float32)


def _pad_for_transpose(inserted, size, kernel_size, stride, padding) -> np.ndarray:
    """Pads the zero-inserted input so a valid convolution gives Keras' transposed output."""
    pads = []
    for n, k in zip(size, kernel_size):
        cropped = max(k - stride, 0) // 2 if padding == "same" else 0  # what "same" cuts at the start
        before = k - 1 - cropped
        length = transpose_output_size(n, k, stride=stride, padding=padding)
        pads.append((before, length + k - 1 - before - ((n - 1) * stride + 1)))
    return np.pad(inserted, [*pads, (0, 0)])


def check_stride(stride) -> None:
    """Raises a `ValueError` naming `stride` unless it is a positive integer."""
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"`stride` must be a positive integer. Received: stride={stride!r}.")
