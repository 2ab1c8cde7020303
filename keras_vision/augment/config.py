"""One plain description of an augmentation, shared by `ImageDataGenerator` and the fast pipeline.

    config = AugmentConfig(rotation_range=15, width_shift_range=0.1, height_shift_range=0.1,
                           zoom_range=0.1, horizontal_flip=True)
    ImageDataGenerator(**config.generator_kwargs())       # what `image_data_generator` does

The fields have the names, meanings and defaults of `ImageDataGenerator`'s arguments, so that a
course notebook's generator translates one to one; unlike `ImageDataGenerator`, every value is
checked when the config is made, and contradictory switches are errors instead of warnings.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, fields

FILL_MODES = ("nearest", "constant", "reflect", "wrap")


@dataclass(frozen=True)
class AugmentConfig:
    """Random geometric transforms and normalisation, as `ImageDataGenerator` defines them.

    Attributes:
        rotation_range: Rotation angle drawn uniformly from `[-r, r]` degrees. Defaults to `0`.
        width_shift_range: Horizontal shift drawn uniformly from `[-s, s]`: a fraction of the width
            when `s < 1`, pixels otherwise; an integer `s >= 1` draws whole pixels from
            `{-(s-1), ..., s-1}` as `ImageDataGenerator` does. Defaults to `0`.
        height_shift_range: The same for the vertical shift and the height. Defaults to `0`.
        shear_range: Shear angle drawn uniformly from `[-s, s]` degrees (`s < 90`). Defaults to `0`.
        zoom_range: `z` for `[1 - z, 1 + z]`, or a pair `(low, high)`; the horizontal and vertical
            zoom factors are drawn independently from that interval. A factor above 1 samples a
            larger area, so the content looks smaller (zooms out). Defaults to `0` (no zoom).
        horizontal_flip: Mirror left-right with probability 1/2. Defaults to `False`.
        vertical_flip: Mirror top-bottom with probability 1/2. Defaults to `False`.
        fill_mode: How pixels sampled from outside the image are filled: `"nearest"` (repeat the
            edge), `"constant"` (`cval`), `"reflect"` or `"wrap"`. Defaults to `"nearest"`.
        cval: The fill value of `fill_mode="constant"`. Defaults to `0`.
        rescale: Factor every pixel is multiplied by after the transforms and the
            `preprocessing_function` (e.g. `1 / 255`). Defaults to `None` (no rescaling).
        featurewise_center: Subtract the per-channel mean of the training set (`fit` first).
            Defaults to `False`.
        featurewise_std_normalization: Then divide by its per-channel standard deviation; needs
            `featurewise_center`. Defaults to `False`.
        samplewise_center: Subtract each image's own mean. Defaults to `False`.
        samplewise_std_normalization: Then divide by its own standard deviation; needs
            `samplewise_center`. Defaults to `False`.
        preprocessing_function: A function from one float32 image `(H, W, C)` to an image of the
            same shape, applied after the geometric transforms and before rescaling and
            normalisation (e.g. `gaussian_noise(10.0, seed=0)`). Defaults to `None`.

    Raises:
        ValueError: naming the field, what is allowed and what was received.
    """

    rotation_range: float = 0.0
    width_shift_range: float = 0.0
    height_shift_range: float = 0.0
    shear_range: float = 0.0
    zoom_range: float | tuple[float, float] = 0.0
    horizontal_flip: bool = False
    vertical_flip: bool = False
    fill_mode: str = "nearest"
    cval: float = 0.0
    rescale: float | None = None
    featurewise_center: bool = False
    featurewise_std_normalization: bool = False
    samplewise_center: bool = False
    samplewise_std_normalization: bool = False
    preprocessing_function: Callable | None = None

    def __post_init__(self):
        for name in ("rotation_range", "width_shift_range", "height_shift_range", "shear_range"):
            _check_non_negative(name, getattr(self, name))
        if self.shear_range >= 90:
            raise ValueError(
                f"`shear_range` must be below 90 degrees (a 90-degree shear flattens the image). "
                f"Received: shear_range={self.shear_range!r}."
            )
        object.__setattr__(self, "zoom_range", _zoom_interval(self.zoom_range))
        for name in (
            "horizontal_flip",
            "vertical_flip",
            "featurewise_center",
            "featurewise_std_normalization",
            "samplewise_center",
            "samplewise_std_normalization",
        ):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"`{name}` must be True or False. Received: {name}={getattr(self, name)!r}.")
        if self.fill_mode not in FILL_MODES:
            raise ValueError(f"Unknown fill_mode {self.fill_mode!r}. Valid fill modes: {', '.join(FILL_MODES)}.")
        if not _is_real(self.cval) or not math.isfinite(self.cval):
            raise ValueError(f"`cval` must be a finite number. Received: cval={self.cval!r}.")
        if self.rescale is not None and (
            not _is_real(self.rescale) or not math.isfinite(self.rescale) or self.rescale == 0
        ):
            raise ValueError(
                f"`rescale` must be None or a finite non-zero number such as 1 / 255. "
                f"Received: rescale={self.rescale!r}."
            )
        for scale, center in (
            ("featurewise_std_normalization", "featurewise_center"),
            ("samplewise_std_normalization", "samplewise_center"),
        ):
            if getattr(self, scale) and not getattr(self, center):
                raise ValueError(
                    f"`{scale}=True` divides centred pixels by their standard deviation: set "
                    f"`{center}=True` as well. Received: {center}=False."
                )
        if self.preprocessing_function is not None and not callable(self.preprocessing_function):
            raise ValueError(
                "`preprocessing_function` must be None or a function of one image. "
                f"Received: {self.preprocessing_function!r}."
            )

    @property
    def has_geometry(self) -> bool:
        """True when some geometric transform (rotation, shift, shear, zoom, flip) is configured."""
        return bool(
            self.rotation_range
            or self.width_shift_range
            or self.height_shift_range
            or self.shear_range
            or self.zoom_range != (1.0, 1.0)
            or self.horizontal_flip
            or self.vertical_flip
        )

    @property
    def needs_fit(self) -> bool:
        """True when feature-wise statistics of the training set are needed (`fit` first)."""
        return self.featurewise_center or self.featurewise_std_normalization

    def generator_kwargs(self) -> dict:
        """The keyword arguments of `ImageDataGenerator` that reproduce this config.

        Returns:
            A dict with one entry per field (`zoom_range` as a `[low, high]` list).
        """
        kwargs = {field.name: getattr(self, field.name) for field in fields(self)}
        kwargs["zoom_range"] = list(self.zoom_range)
        return kwargs


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_non_negative(name: str, value) -> None:
    if not _is_real(value) or not math.isfinite(value) or value < 0:
        raise ValueError(f"`{name}` must be a finite number >= 0. Received: {name}={value!r}.")


def _zoom_interval(zoom) -> tuple[float, float]:
    """`z` -> `(1 - z, 1 + z)`; a pair is kept; both checked to give positive factors."""
    if _is_real(zoom):
        if not 0 <= zoom < 1:
            raise ValueError(
                f"`zoom_range` as one number z means factors in [1 - z, 1 + z] and must be in [0, 1). "
                f"Received: zoom_range={zoom!r}."
            )
        return (1.0 - float(zoom), 1.0 + float(zoom))
    if isinstance(zoom, (tuple, list)) and len(zoom) == 2 and all(_is_real(z) for z in zoom):
        low, high = (float(z) for z in zoom)
        if 0 < low <= high and math.isfinite(high):
            return (low, high)
    raise ValueError(
        "`zoom_range` must be a number in [0, 1) or a pair (low, high) with 0 < low <= high. "
        f"Received: zoom_range={zoom!r}."
    )
