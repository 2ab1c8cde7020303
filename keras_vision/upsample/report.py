"""What the `upsampling` experiment shows: both upsamplers' checkerboard scores and their outputs.

`plot_upsampler_outputs` draws what freshly initialised upsamplers make of a constant image and of
a photograph; `upsampling_report` scores both kinds (`checkerboard_score`) and draws that figure
to the path it is given.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from keras_vision.data.samples import load_sample_image
from keras_vision.evaluation.plots import plot_image_grid
from keras_vision.upsample.blocks import UPSAMPLERS, build_upsampler
from keras_vision.upsample.checkerboard import checkerboard_score


def plot_upsampler_outputs(
    path,
    *,
    image=None,
    factor: int = 2,
    kernel_size: int = 3,
    filters: int = 4,
    interpolation: str = "nearest",
    seed: int = 0,
) -> Path:
    """Draws what both freshly initialised upsamplers make of a constant image and of a photo.

    Row 1: `transpose_upsampler`, row 2: `resize_upsampler`; columns: the response to a constant
    input (one channel), a zoom into its centre, the response to `image` (one channel) and a zoom.
    The weights are random: the pattern, not the picture, is the point.

    Args:
        path: The PNG file to write.
        image: A grey image (H, W) in [0, 1] or uint8. Defaults to a 64x64 crop of scikit-image's
            "camera" photograph (`keras_vision.data.load_sample_image`).
        factor: Upsampling factor. Defaults to `2`.
        kernel_size: Kernel side. Defaults to `3`.
        filters: Output channels (the first is drawn). Defaults to `4`.
        interpolation: Resize interpolation. Defaults to `"nearest"`.
        seed: Initialisation seed. Defaults to `0`.

    Returns:
        The path written.
    """

    photo = _default_photo() if image is None else _grey_unit(image)
    inputs = {"constant": np.ones((1, *photo.shape, 1), np.float32), "photo": photo[None, :, :, None]}
    pictures, titles = [], []
    for kind in UPSAMPLERS.names():
        keras.utils.set_random_seed(seed)
        model = build_upsampler(
            kind,
            (*photo.shape, 1),
            filters=filters,
            factor=factor,
            kernel_size=kernel_size,
            interpolation=interpolation,
            activation=None,
        )
        for what, x in inputs.items():
            out = np.asarray(model(x))[0, :, :, 0]
            centre = [slice(s // 2 - 8 * factor, s // 2 + 8 * factor) for s in out.shape]
            pictures += [out, out[tuple(centre)]]
            titles += [f"{kind}: {what}", f"{kind}: {what} (zoom)"]
    return plot_image_grid([_stretch(p) for p in pictures], path, titles=titles, cols=4)


def _default_photo() -> np.ndarray:
    return _grey_unit(load_sample_image("camera")[96:352:4, 160:416:4])


def _grey_unit(image) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 3:
        image = image.mean(axis=-1)
    if image.ndim != 2:
        raise ValueError(f"`image` must be a grey image (H, W) or colour (H, W, 3). Received: shape {image.shape}.")
    return (image / 255.0 if image.dtype == np.uint8 else image).astype(np.float32)


def _stretch(image: np.ndarray) -> np.ndarray:
    """Min-max to [0, 1] per picture, so a faint checkerboard is visible; a constant picture is mid-grey."""
    low, high = float(image.min()), float(image.max())
    return (image - low) / (high - low) if high > low else np.full_like(image, 0.5)


def upsampling_report(
    figure_path: str | Path,
    *,
    factor: int,
    kernel_size: int,
    filters: int,
    interpolation: str,
    trials: int,
    seed: int,
) -> dict:
    """Checkerboard scores of both upsamplers at initialisation, and the figure of their outputs.

    Args:
        figure_path: The PNG file `plot_upsampler_outputs` writes (its folder must exist).
        factor: Upsampling factor.
        kernel_size: Kernel side of both upsamplers.
        filters: Channels of the scored upsamplers.
        interpolation: Resize interpolation, one of `INTERPOLATIONS`.
        trials: Random initialisations per score.
        seed: First seed.

    Returns:
        `{"checkerboard": {"transpose": float, "resize": float}, "figure": Path}`, scored on 16x16
        inputs (larger for kernels above 6, so that the border can be cropped). Resize +
        convolution with nearest-neighbour interpolation scores exactly 0 (its interior response
        is constant).
    """
    size = max(16, 2 * (kernel_size + 1) + 2)  # room to crop the border of a large kernel
    options = dict(
        factor=factor, kernel_size=kernel_size, filters=filters, interpolation=interpolation, trials=trials, seed=seed
    )
    scores = {kind: checkerboard_score(kind, size=size, **options) for kind in UPSAMPLERS.names()}
    figure = plot_upsampler_outputs(
        figure_path, factor=factor, kernel_size=kernel_size, interpolation=interpolation, seed=seed
    )
    return {"checkerboard": scores, "figure": figure}
