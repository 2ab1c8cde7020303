"""The same geometric augmentation in other libraries: the modern Keras layers and albumentations.

These are the alternatives the course shows beside `ImageDataGenerator`, and the competitors the
fast pipeline is measured against. Each maps the GEOMETRY of an `AugmentConfig` (rotation, shifts,
zoom, flips, fill mode) as closely as the library allows; normalisation, `rescale` and the custom
`preprocessing_function` are not included (use `keras.layers.Rescaling`, `keras.layers.Normalization`
or a step of your own). The distributions agree only approximately: Keras' layers draw one zoom
factor per axis from `1 + [-z, z]` and shift by fractions of the image; albumentations' `scale`
magnifies where `ImageDataGenerator`'s zoom factor shrinks, so it gets the reciprocal range.
"""

from __future__ import annotations

import cv2
import keras

from keras_vision.augment.affine import BORDER_MODES
from keras_vision.augment.config import AugmentConfig


def _check_no_shear(config: AugmentConfig, library: str) -> None:
    if config.shear_range:
        raise ValueError(
            f"{library} has no shear with ImageDataGenerator's distribution: use shear_range=0. "
            f"Received: shear_range={config.shear_range!r}."
        )


def keras_layers_like(config: AugmentConfig, *, seed: int = 0):
    """Keras preprocessing layers with the config's geometric augmentation (active in training only).

    Args:
        config: The augmentation (`shear_range` must be 0; normalisation is not included).
        seed: Seed of the first layer; the others get `seed + 1`, `seed + 2`, ... Defaults to `0`.

    Returns:
        A `keras.Sequential` named `augmentation`, to call on float images with `training=True`.

    Raises:
        ValueError: for a config with a shear.
    """
    _check_no_shear(config, "Keras' preprocessing layers")
    fill = {"fill_mode": config.fill_mode, "fill_value": float(config.cval)}
    steps = []
    if config.rotation_range:
        steps.append((keras.layers.RandomRotation, {"factor": config.rotation_range / 360, **fill}))
    if config.width_shift_range or config.height_shift_range:
        steps.append(
            (
                keras.layers.RandomTranslation,
                {
                    "height_factor": _fraction(config.height_shift_range),
                    "width_factor": _fraction(config.width_shift_range),
                    **fill,
                },
            )
        )
    low, high = config.zoom_range
    if (low, high) != (1.0, 1.0):
        steps.append(
            (
                keras.layers.RandomZoom,
                {"height_factor": (low - 1, high - 1), "width_factor": (low - 1, high - 1), **fill},
            )
        )
    if config.horizontal_flip or config.vertical_flip:
        mode = "_and_".join(
            name for name, on in (("horizontal", config.horizontal_flip), ("vertical", config.vertical_flip)) if on
        )
        steps.append((keras.layers.RandomFlip, {"mode": mode}))
    return keras.Sequential(
        [layer(**kwargs, seed=seed + index) for index, (layer, kwargs) in enumerate(steps)], name="augmentation"
    )


def _fraction(shift: float) -> float:
    if shift >= 1:
        raise ValueError(
            f"Keras' RandomTranslation takes fractions of the image: use a shift below 1. Received: {shift!r}."
        )
    return float(shift)


def albumentations_like(config: AugmentConfig, *, seed: int = 0):
    """An albumentations `Compose` with the config's geometric augmentation (one image per call).

    Needs the optional package `albumentations` (`pip install albumentations`).

    Args:
        config: The augmentation (`shear_range` must be 0; shifts below 1).
        seed: Seed of the pipeline. Defaults to `0`.

    Returns:
        `A.Compose`; call it as `transform(image=image)["image"]`.

    Raises:
        ValueError: for a config with a shear or shifts in pixels.
        ModuleNotFoundError: when albumentations is not installed (with the pip command).
    """
    try:
        import albumentations as A
    except ModuleNotFoundError:
        raise ModuleNotFoundError("albumentations_like needs albumentations: pip install albumentations") from None
    _check_no_shear(config, "This mapping")
    low, high = config.zoom_range
    steps = [
        A.Affine(
            rotate=(-config.rotation_range, config.rotation_range),
            translate_percent={
                "x": _symmetric(_fraction(config.width_shift_range)),
                "y": _symmetric(_fraction(config.height_shift_range)),
            },
            scale=(1 / high, 1 / low),
            keep_ratio=False,
            interpolation=cv2.INTER_LINEAR,
            border_mode=BORDER_MODES[config.fill_mode],
            fill=float(config.cval),
            p=1.0,
        )
    ]
    if config.horizontal_flip:
        steps.append(A.HorizontalFlip(p=0.5))
    if config.vertical_flip:
        steps.append(A.VerticalFlip(p=0.5))
    return A.Compose(steps, seed=seed)


def _symmetric(limit: float) -> tuple[float, float]:
    return (-limit, limit)
