"""The degradation a super-resolution network learns to undo: bicubic down by a scale, back up.

SRCNN (Dong et al.) makes its training and test inputs from high-resolution (HR) images:

1. `modcrop`: crop the HR image so that its height and width are multiples of the scale (pixels
   are removed at the bottom and on the right, as the `modcrop.m` of the SRCNN code does);
2. `downscale`: bicubic down by the scale, the low-resolution (LR) image;
3. `upscale`: bicubic back up to the HR size. This blurry image is the network's input and also
   the *bicubic baseline* the network must beat.

`degrade` does the three steps. Resizing uses Pillow's bicubic filter (Keys' cubic with a = -0.5,
anti-aliased when shrinking), the kernel of MATLAB's `imresize` used by the SRCNN evaluation.
Images are float32 RGB (H, W, 3) in [0, 1]; results are clipped to [0, 1].

Reference: Dong, Loy, He and Tang, "Image Super-Resolution Using Deep Convolutional Networks",
TPAMI 2016 (arXiv:1501.00092).
"""

from __future__ import annotations

import numpy as np
from PIL import Image


def as_float_image(image, *, name: str = "image") -> np.ndarray:
    """An image as float32 (H, W, 3) in [0, 1]: uint8 is divided by 255, grey is repeated to RGB.

    Raises:
        ValueError: for a shape other than (H, W), (H, W, 1) or (H, W, 3).
    """
    array = np.asarray(image)
    scaled = array / 255.0 if array.dtype == np.uint8 else array
    scaled = scaled.astype(np.float32)
    if scaled.ndim == 3 and scaled.shape[-1] == 1:
        scaled = scaled[..., 0]
    if scaled.ndim == 2:
        scaled = np.repeat(scaled[..., None], 3, axis=-1)
    if scaled.ndim != 3 or scaled.shape[-1] != 3:
        raise ValueError(f"`{name}` must be an image (H, W), (H, W, 1) or (H, W, 3). Received: shape {array.shape}.")
    return scaled


def check_scale(scale) -> int:
    """Returns `scale` if it is an integer >= 2, else raises a `ValueError` saying so."""
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 2:
        raise ValueError(f"`scale` must be an integer of at least 2 (e.g. 2, 3, 4). Received: scale={scale!r}.")
    return int(scale)


def modcrop(image, scale: int) -> np.ndarray:
    """Crops the bottom rows and right columns so that height and width are multiples of `scale`.

    Args:
        image: An image (H, W[, C]).
        scale: The super-resolution factor.

    Returns:
        The top-left (H - H % scale, W - W % scale) part of `image` (a view).

    Raises:
        ValueError: for a bad scale or an image smaller than `scale`.
    """
    image = np.asarray(image)
    scale = check_scale(scale)
    height, width = image.shape[0] // scale * scale, image.shape[1] // scale * scale
    if height == 0 or width == 0:
        raise ValueError(f"An image of {image.shape[:2]} pixels is smaller than scale={scale}.")
    return image[:height, :width]


def bicubic_resize(image, size) -> np.ndarray:
    """Resizes a float image to `size` = (height, width) with Pillow's anti-aliased bicubic filter.

    Args:
        image: float image (H, W, C) or (H, W).

    Returns:
        float32 array (height, width[, C]), not clipped.
    """
    image = np.asarray(image, dtype=np.float32)
    height, width = int(size[0]), int(size[1])
    channels = image[..., None] if image.ndim == 2 else image
    resized = [
        np.asarray(
            Image.fromarray(np.ascontiguousarray(channels[..., c]), mode="F").resize((width, height), Image.BICUBIC)
        )
        for c in range(channels.shape[-1])
    ]
    out = np.stack(resized, axis=-1)
    return out[..., 0] if image.ndim == 2 else out


def downscale(image, scale: int) -> np.ndarray:
    """The low-resolution image: `modcrop`, then bicubic down by `scale`, clipped to [0, 1].

    Args:
        image: A high-resolution image (see `as_float_image` for the accepted forms).
        scale: The factor.

    Returns:
        float32 (H // scale, W // scale, 3).
    """
    hr = modcrop(as_float_image(image), scale)
    return np.clip(bicubic_resize(hr, (hr.shape[0] // scale, hr.shape[1] // scale)), 0.0, 1.0)


def upscale(image, scale: int) -> np.ndarray:
    """Bicubic up by `scale`, clipped to [0, 1]: the bicubic baseline of super-resolution.

    Returns:
        float32 (H * scale, W * scale, 3).
    """
    lr = as_float_image(image)
    scale = check_scale(scale)
    return np.clip(bicubic_resize(lr, (lr.shape[0] * scale, lr.shape[1] * scale)), 0.0, 1.0)


def degrade(image, scale: int) -> np.ndarray:
    """The network input made from a high-resolution image: bicubic down by `scale`, then back up.

    Args:
        image: A high-resolution image, uint8 or float in [0, 1], grey or RGB.
        scale: The super-resolution factor (2, 3, 4, ...).

    Returns:
        float32 (H', W', 3) in [0, 1], the size of `modcrop(image, scale)`: compare it with that
        crop, not with the uncropped image.
    """
    return upscale(downscale(image, scale), scale)
