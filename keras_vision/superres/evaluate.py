"""Applying a trained network to whole images, scoring it against bicubic, and drawing the result.

- `super_resolve`: the network on one degraded image of any size, clipped to [0, 1].
- `evaluate_superres`: Y-PSNR and Y-SSIM of bicubic and of the network on every evaluation image
  (border `scale` shaved, as SRCNN measures), per image and averaged.
- `plot_superres_comparison`: LR / bicubic / SR / HR side by side, with a zoomed crop of each.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from keras_vision.evaluation.image_quality import psnr_y, ssim_y
from keras_vision.superres.degradation import as_float_image, degrade, downscale, modcrop


def super_resolve(model, image) -> np.ndarray:
    """Runs a fully convolutional network on one degraded image (H, W, 3); output clipped to [0, 1]."""
    x = as_float_image(image)[None]
    return np.clip(np.asarray(model(x, training=False))[0], 0.0, 1.0)


def evaluate_superres(model, images, names=None, *, scale: int) -> dict:
    """Scores bicubic upscaling and `model` on HR images degraded by `scale`.

    Args:
        model: A network from degraded image to restored image (e.g. `build_srcnn`).
        images: HR images (any sizes; cropped by `modcrop`).
        names: One name per image. Defaults to "0", "1", ....
        scale: Super-resolution factor; also the border shaved before measuring.

    Returns:
        A JSON-ready dict: `psnr_bicubic`, `psnr_sr`, `ssim_bicubic`, `ssim_sr` (means over the
        images, PSNR in dB on Y) and `per_image`: one dict per image with its `name` and the four
        values.
    """
    names = [str(i) for i in range(len(images))] if names is None else list(names)
    if len(names) != len(images):
        raise ValueError(f"Got {len(images)} images but {len(names)} names: pass one name per image.")
    per_image = []
    for name, image in zip(names, images):
        hr = modcrop(as_float_image(image), scale)
        bicubic = degrade(hr, scale)
        sr = super_resolve(model, bicubic)
        per_image.append(
            {
                "name": name,
                "psnr_bicubic": psnr_y(hr, bicubic, shave=scale),
                "psnr_sr": psnr_y(hr, sr, shave=scale),
                "ssim_bicubic": ssim_y(hr, bicubic, shave=scale),
                "ssim_sr": ssim_y(hr, sr, shave=scale),
            }
        )
    keys = ("psnr_bicubic", "psnr_sr", "ssim_bicubic", "ssim_sr")
    return {**{key: float(np.mean([row[key] for row in per_image])) for key in keys}, "per_image": per_image}


def plot_superres_comparison(path, model, image, *, scale: int, crop: int = 64, title: str = "") -> Path:
    """Draws LR, bicubic, SR (the model) and HR, each whole and as a zoomed centre crop.

    Args:
        path: PNG file to write.
        model: The super-resolution network.
        image: One HR image.
        scale: Super-resolution factor.
        crop: Side of the zoomed crop in HR pixels (the LR crop is `crop // scale`). Defaults to `64`.
        title: Prefix of the panel titles, e.g. the loss name. Defaults to none.

    Returns:
        The path written.
    """
    from keras_vision.evaluation.plots import plot_image_grid

    hr = modcrop(as_float_image(image), scale)
    lr, bicubic = downscale(hr, scale), degrade(hr, scale)
    sr = super_resolve(model, bicubic)
    top, left = (hr.shape[0] - crop) // 2 // scale * scale, (hr.shape[1] - crop) // 2 // scale * scale
    panels = {
        "LR": (lr, scale),
        "bicubic": (bicubic, 1),
        "SR": (sr, 1),
        "HR": (hr, 1),
    }
    scores = {"bicubic": psnr_y(hr, bicubic, shave=scale), "SR": psnr_y(hr, sr, shave=scale)}
    pictures, titles = [], []
    for label, (picture, _step) in panels.items():
        pictures.append(picture)
        titles.append(f"{title} {label}".strip() + (f" {scores[label]:.2f} dB" if label in scores else ""))
    for label, (picture, step) in panels.items():
        pictures.append(picture[top // step : (top + crop) // step, left // step : (left + crop) // step])
        titles.append(f"{label} (crop)")
    return plot_image_grid(pictures, path, titles=titles, cols=4)
