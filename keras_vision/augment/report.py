"""What the `augmentation` experiment does, as one library function: a figure and a speed table."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from keras_vision.augment.config import AugmentConfig
from keras_vision.augment.figure import augmentation_figure
from keras_vision.augment.throughput import measure_throughput

#: The pipelines compared by default (albumentations is added when it is installed).
DEFAULT_PIPELINES = ("imagedatagenerator", "keras_layers", "fast")


def augmentation_report(
    images,
    config: AugmentConfig,
    figure_path: str | Path,
    *,
    batch_size: int,
    rounds: int,
    seconds: float,
    image_index: int = 0,
    count: int = 16,
    pipelines: tuple[str, ...] | None = None,
    seed: int = 0,
) -> dict:
    """Saves one image under `count` random augmentations and measures every pipeline's speed.

    Args:
        images: `(N, H, W, C)` uint8 images; the speed is measured on them (tiled to at least two
            batches), the figure shows `images[image_index]`.
        config: The augmentation (no shear when `keras_layers` or `albumentations` are compared).
        figure_path: The PNG file the figure is written to (its folder is created).
        batch_size: Images per batch.
        rounds: Timing rounds (the median is reported).
        seconds: Seconds per pipeline per round.
        image_index: Which image the figure shows. Defaults to `0`.
        count: Augmented copies in the figure. Defaults to `16`.
        pipelines: Names from `keras_vision.augment.throughput.PIPELINES`. Defaults to
            imagedatagenerator, keras_layers, fast, and albumentations when it is installed.
        seed: Seed of the figure's transforms. Defaults to `0`.

    Returns:
        `{"figure": path, "images_per_second": {pipeline: rate}, "fast_speedup": {pipeline: fast / rate}}`.

    Raises:
        ValueError: for images that are not a uint8 batch, or an `image_index` out of range.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.dtype != np.uint8 or len(images) == 0:
        raise ValueError(
            f"`images` must be a non-empty uint8 batch (N, H, W, C). Received: shape {images.shape}, "
            f"dtype {images.dtype}."
        )
    if not 0 <= image_index < len(images):
        raise ValueError(f"`image_index` must be in [0, {len(images)}). Received: image_index={image_index!r}.")
    Path(figure_path).parent.mkdir(parents=True, exist_ok=True)
    figure = augmentation_figure(images[image_index], config, figure_path, count, seed=seed)
    pipelines = pipelines or DEFAULT_PIPELINES + (("albumentations",) if _has_albumentations() else ())
    tiled = np.resize(images, (max(len(images), 2 * batch_size), *images.shape[1:]))
    rates = measure_throughput(
        tiled, config, pipelines=pipelines, batch_size=batch_size, rounds=rounds, seconds=seconds
    )["rates"]
    speedups = {
        name: round(rates["fast"] / rate, 2) for name, rate in rates.items() if "fast" in rates and name != "fast"
    }
    return {"figure": str(figure), "images_per_second": rates, "fast_speedup": speedups}


def _has_albumentations() -> bool:
    return importlib.util.find_spec("albumentations") is not None
