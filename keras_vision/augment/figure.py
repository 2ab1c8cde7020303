"""One image under random augmentations: the figure that shows what a config does."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from keras_vision.augment.config import AugmentConfig
from keras_vision.augment.pipeline import FastAugmenter
from keras_vision.evaluation.plots import plot_image_grid


def augmentation_figure(image, config: AugmentConfig, path: str | Path, count: int = 16, *, seed: int = 0) -> Path:
    """Draws `image` (first panel) and `count` random augmentations of it, as one PNG grid.

    The geometric transforms and the `preprocessing_function` are shown; normalisation is left
    out (it changes no shape, only the range, and the figure rescales pixels anyway).

    Args:
        image: One image `(H, W)`, `(H, W, 1)` or `(H, W, 3)`, uint8 or float.
        config: The augmentation.
        path: The PNG file to write.
        count: Number of augmented copies. Defaults to `16`.
        seed: Seed of the random transforms. Defaults to `0`.

    Returns:
        The path written.

    Raises:
        ValueError: for another image shape or `count` below 1.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[-1] not in (1, 3):
        raise ValueError(f"`image` must be one image (H, W), (H, W, 1) or (H, W, 3). Received shape: {image.shape}.")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"`count` must be a positive integer. Received: count={count!r}.")
    display = dataclasses.replace(
        config,
        rescale=None,
        featurewise_center=False,
        featurewise_std_normalization=False,
        samplewise_center=False,
        samplewise_std_normalization=False,
    )
    augmented = FastAugmenter(display, seed=seed, threads=1).augment(np.repeat(image[None], count, axis=0))
    if image.dtype == np.uint8:  # keep the display scale of the original: round and clip back to uint8
        augmented = np.clip(np.rint(augmented), 0, 255).astype(np.uint8)
    panels = [image, *augmented]
    titles = ["original", *(f"#{k + 1}" for k in range(count))]
    return plot_image_grid(panels, path, titles=titles, cols=min(len(panels), 6))
