"""Augmentation inside the model: Keras preprocessing layers, active only while training.

Two ways in:

- `augmentation_layers`: random flips, shifts and zooms (the classic `ImageDataGenerator` trio).
- `strategy_layers`: one of the named STRATEGIES the small-set transfer project compares,
  each a superset of the one before:

  | strategy    | layers                                                                  |
  | ----------- | ----------------------------------------------------------------------- |
  | `none`      | nothing (the identity)                                                  |
  | `flip`      | random flips (`flip`: horizontal, vertical or both)                    |
  | `geometric` | flips + rotation + affine (shift, zoom, shear)                         |
  | `full`      | geometric + colour jitter (brightness, contrast, saturation, hue)      |

The colour jitter follows torchvision's `ColorJitter(brightness, contrast, saturation, hue)` where
Keras allows: contrast and saturation factors drawn from `[1 - c, 1 + c]`, a hue shift of up to
`h` of the colour circle either way; brightness is Keras' additive shift of up to `b` of the value
range (torchvision multiplies). The layers expect raw pixels in [0, 255], as the course's loaders
return them.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers

#: The named augmentation strategies, from none to the most.
STRATEGIES = ("none", "flip", "geometric", "full")
#: `flip` values: the modes of `keras.layers.RandomFlip`, or `none` to switch flipping off.
FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical", "none")


def augmentation_layers(
    *, translation: float = 0.1, zoom: float = 0.1, flip: str | None = "horizontal", name: str = "augmentation"
) -> keras.Sequential:
    """Random flips, shifts and zooms as one block to put in front of a model.

    Args:
        translation: Largest random shift, as a fraction of the height and width.
        zoom: Largest random zoom in or out, as a fraction of the size.
        flip: `"horizontal"`, `"vertical"`, `"horizontal_and_vertical"` or None.
        name: Name of the block; its layers are `augment_flip`, `augment_translate`, `augment_zoom`.

    Returns:
        A `keras.Sequential`: random while training, the identity at inference.
    """
    steps = [layers.RandomFlip(flip, name="augment_flip")] if flip else []
    if translation:
        steps.append(layers.RandomTranslation(translation, translation, name="augment_translate"))
    if zoom:
        steps.append(layers.RandomZoom(zoom, name="augment_zoom"))
    return keras.Sequential(steps, name=name)


@dataclass(frozen=True)
class AugmentationStrengths:
    """How strong each random transform of `strategy_layers` is.

    Attributes:
        flip: One of `FLIP_MODES`; `"none"` switches flipping off in every strategy. Defaults to
            `"horizontal"`.
        rotation: Largest rotation either way, in degrees. Defaults to `15`.
        translation: Largest shift, as a fraction of the height and width. Defaults to `0.1`.
        zoom: Largest zoom in or out, as a fraction of the size. Defaults to `0.1`.
        shear: Largest shear, as a fraction (Keras' `RandomShear` factor). Defaults to `0.1`.
        brightness: Largest brightness shift, as a fraction of the value range. Defaults to `0.2`.
        contrast: Contrast factor drawn from `[1 - c, 1 + c]`. Defaults to `0.2`.
        saturation: Saturation factor drawn from `[1 - s, 1 + s]`. Defaults to `0.2`.
        hue: Largest hue shift, as a fraction of the colour circle (at most 0.5). Defaults to `0.05`.

    Raises:
        ValueError: for an unknown `flip` or a strength out of range, naming the field.
    """

    flip: str = "horizontal"
    rotation: float = 15.0
    translation: float = 0.1
    zoom: float = 0.1
    shear: float = 0.1
    brightness: float = 0.2
    contrast: float = 0.2
    saturation: float = 0.2
    hue: float = 0.05

    def __post_init__(self):
        if self.flip not in FLIP_MODES:
            raise ValueError(f"Unknown flip {self.flip!r}. Valid flips: {', '.join(FLIP_MODES)}.")
        limits = {"rotation": 180.0, "hue": 0.5, "translation": 1.0, "zoom": 1.0, "shear": 1.0}
        for name in ("rotation", "translation", "zoom", "shear", "brightness", "contrast", "saturation", "hue"):
            value, top = getattr(self, name), limits.get(name, 1.0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= top:
                raise ValueError(f"`{name}` must be a number from 0 to {top:g}. Received: {name}={value!r}.")


def check_strategy(strategy: str, strengths: AugmentationStrengths) -> None:
    """Refuses an unknown strategy, and `flip` when flipping is switched off (it would be `none`).

    Raises:
        ValueError: naming the strategy and the valid ones.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown augmentation {strategy!r}. Valid augmentations: {', '.join(STRATEGIES)}.")
    if strategy == "flip" and strengths.flip == "none":
        raise ValueError(
            "The augmentation 'flip' with flip 'none' flips nothing, the same as 'none': "
            "choose a flip (horizontal, vertical, horizontal_and_vertical) or leave 'flip' out."
        )


def strategy_layers(
    strategy: str, strengths: AugmentationStrengths | None = None, *, seed: int | None = None
) -> keras.Sequential:
    """The Keras layers of one named augmentation strategy (see the module docstring).

    Args:
        strategy: One of `STRATEGIES`.
        strengths: How strong each transform is. Defaults to `AugmentationStrengths()`.
        seed: Seed of the random layers (each gets `seed + i`), so that two models built with the
            same seed see the same augmentations. Defaults to `None` (Keras' global seed).

    Returns:
        A `keras.Sequential` named `augment_<strategy>`, layers `augment_flip`, `augment_rotate`,
        `augment_translate`, `augment_zoom`, `augment_shear`, `augment_brightness`,
        `augment_contrast`, `augment_saturation`, `augment_hue` (those the strategy uses;
        `augment_identity` alone for `none`):
        random while training, the identity at inference.

    Raises:
        ValueError: for an unknown strategy or `flip` with flipping switched off.
    """
    strengths = strengths or AugmentationStrengths()
    check_strategy(strategy, strengths)
    level = STRATEGIES.index(strategy)
    s = strengths
    steps = []
    if level >= 1 and s.flip != "none":
        steps.append(lambda seed: layers.RandomFlip(s.flip, seed=seed, name="augment_flip"))
    if level >= 2:
        steps += [
            lambda seed: layers.RandomRotation(
                s.rotation / 360.0, fill_mode="reflect", seed=seed, name="augment_rotate"
            ),
            lambda seed: layers.RandomTranslation(s.translation, s.translation, seed=seed, name="augment_translate"),
            lambda seed: layers.RandomZoom(s.zoom, seed=seed, name="augment_zoom"),
            lambda seed: layers.RandomShear(s.shear, s.shear, seed=seed, name="augment_shear"),
        ]
    if level >= 3:
        steps += color_jitter_steps(s)
    made = [make(None if seed is None else seed + i) for i, make in enumerate(steps)]
    # A Sequential with no layers cannot be built: `none` is an explicit identity.
    return keras.Sequential(made or [layers.Identity(name="augment_identity")], name=f"augment_{strategy}")


def color_jitter_steps(s: AugmentationStrengths) -> list:
    """Makers `seed -> layer` of the colour jitter (a strength of 0 leaves its layer out)."""

    def saturation_factor(c: float) -> float:  # Keras maps f to the multiplier f / (1 - f)
        return c / (1.0 + c)

    steps = []
    if s.brightness:
        steps.append(lambda seed: layers.RandomBrightness(s.brightness, seed=seed, name="augment_brightness"))
    if s.contrast:
        # A single number would give RandomContrast the factors [1, 1 + c] (Keras 3.15 sets (0, c)).
        contrast = (s.contrast, s.contrast)
        steps.append(lambda seed: layers.RandomContrast(contrast, seed=seed, name="augment_contrast"))
    if s.saturation:
        bounds = (saturation_factor(1.0 - s.saturation), saturation_factor(1.0 + s.saturation))
        steps.append(lambda seed: layers.RandomSaturation(bounds, seed=seed, name="augment_saturation"))
    if s.hue:
        steps.append(lambda seed: layers.RandomHue((0.0, 2.0 * s.hue), seed=seed, name="augment_hue"))
    return steps
