"""A trained network on whole images, and the figure that shows what it did.

- `super_resolve`: the network on one degraded image of any size, clipped to [0, 1].
- `super_resolve_timed`: the network on several images, and its milliseconds per image.
- `plot_superres_comparison`: LR / bicubic / SR / HR side by side, with a zoomed crop of each.

Scores are computed by `keras_vision.evaluation.image_to_image_report` (Y-PSNR and SSIM, border
shaved, gain over the bicubic baseline), as for any image-to-image model.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from keras_vision.evaluation.image_quality import psnr_y
from keras_vision.evaluation.plots import plot_image_grid
from keras_vision.superres.degradation import as_float_image, check_scale, downscale, modcrop, upscale


def super_resolve(model, image) -> np.ndarray:
    """Runs a fully convolutional network on one degraded image (H, W, 3); output clipped to [0, 1].

    Args:
        model: A network from degraded image to restored image (e.g. `build_srcnn`).
        image: The degraded image (the bicubic upscale), uint8 or float in [0, 1], grey or RGB.

    Returns:
        float32 (H, W, 3) in [0, 1].
    """
    x = as_float_image(image)[None]
    return np.clip(np.asarray(model(x, training=False))[0], 0.0, 1.0)


def super_resolve_timed(model, images) -> tuple[list[np.ndarray], float]:
    """`super_resolve` on every image, and the network's mean wall time per image in milliseconds.

    The first image is run once more before timing (a warm-up: the first call of a Keras model
    builds and allocates), and only the network is timed: for SRCNN its input is already the
    bicubic upscale, for ESPCN and FSRCNN the LR image.

    Args:
        model: A fully convolutional super-resolution network.
        images: Its inputs (H, W, 3), uint8 or float in [0, 1].

    Returns:
        `(outputs, ms_per_image)`.
    """
    inputs = [as_float_image(image)[None] for image in images]
    if inputs:
        model(inputs[0], training=False)
    outputs, seconds = [], 0.0
    for x in inputs:
        start = time.perf_counter()
        y = np.asarray(model(x, training=False))[0]
        seconds += time.perf_counter() - start
        outputs.append(np.clip(y, 0.0, 1.0))
    return outputs, 1000.0 * seconds / max(len(inputs), 1)


def plot_superres_comparison(path, target, output, *, scale: int, crop: int = 64, title: str = "") -> Path:
    """Draws LR, bicubic, SR (the model's output) and HR, each whole and as a zoomed centre crop.

    Args:
        path: PNG file to write.
        target: One HR image (cropped by `modcrop`).
        output: The model's image for it, the size of `modcrop(target, scale)`.
        scale: Super-resolution factor.
        crop: Side of the zoomed crop in HR pixels (the LR crop is `crop // scale`). Defaults to `64`.
        title: Prefix of the panel titles, e.g. the loss name. Defaults to none.

    Returns:
        The path written.

    Raises:
        ValueError: when `output` is not the size of the cropped target.
    """
    hr = modcrop(as_float_image(target, name="target"), check_scale(scale))
    sr = as_float_image(output, name="output")
    if sr.shape != hr.shape:
        raise ValueError(f"`output` must be the size of the cropped target {hr.shape}. Received: {sr.shape}.")
    lr = downscale(hr, scale)
    panels = {"LR": (lr, scale), "bicubic": (upscale(lr, scale), 1), "SR": (sr, 1), "HR": (hr, 1)}
    scores = {label: psnr_y(hr, panels[label][0], shave=scale) for label in ("bicubic", "SR")}
    top, left = (max(hr.shape[0] - crop, 0) // 2 // scale * scale, max(hr.shape[1] - crop, 0) // 2 // scale * scale)
    pictures, titles = [], []
    for label, (picture, _step) in panels.items():
        pictures.append(picture)
        titles.append(f"{title} {label}".strip() + (f" {scores[label]:.2f} dB" if label in scores else ""))
    for label, (picture, step) in panels.items():
        pictures.append(picture[top // step : (top + crop) // step, left // step : (left + crop) // step])
        titles.append(f"{label} (crop)")
    return plot_image_grid(pictures, path, titles=titles, cols=4)
