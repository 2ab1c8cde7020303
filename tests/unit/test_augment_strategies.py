"""The named augmentation strategies of the small-set transfer project (`keras_vision.augment.layers`)."""

import numpy as np
import pytest

from keras_vision.augment.layers import FLIP_MODES, STRATEGIES, AugmentationStrengths, strategy_layers
from keras_vision.experiments import options

FLIPS = ["augment_flip"]
GEOMETRY = ["augment_rotate", "augment_translate", "augment_zoom", "augment_shear"]
COLOUR = ["augment_brightness", "augment_contrast", "augment_saturation", "augment_hue"]


@pytest.mark.parametrize(
    "strategy, flip, expected",
    [
        ("none", "horizontal", ["augment_identity"]),
        ("flip", "horizontal", FLIPS),
        ("geometric", "horizontal", FLIPS + GEOMETRY),
        ("full", "horizontal", FLIPS + GEOMETRY + COLOUR),
        ("geometric", "none", GEOMETRY),  # --flip none switches flipping off in every strategy
        ("full", "none", GEOMETRY + COLOUR),
    ],
)
def test_each_strategy_adds_to_the_one_before(strategy, flip, expected):
    block = strategy_layers(strategy, AugmentationStrengths(flip=flip), seed=0)
    assert [layer.name for layer in block.layers] == expected


@pytest.mark.parametrize("flip", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_flip_mode_reaches_the_layer(flip):
    assert strategy_layers("flip", AugmentationStrengths(flip=flip)).layers[0].mode == flip


def test_colour_jitter_follows_torchvision_ranges():
    block = strategy_layers("full", AugmentationStrengths(saturation=0.2, hue=0.05, contrast=0.3), seed=0)
    layer = {layer.name: layer for layer in block.layers}
    # Keras' saturation factor f multiplies saturation by f / (1 - f): 0.8/1.8 and 1.2/2.2 give 0.8 and 1.2.
    low, high = layer["augment_saturation"].factor
    assert (low / (1 - low), high / (1 - high)) == pytest.approx((0.8, 1.2))
    assert tuple(layer["augment_hue"].factor) == pytest.approx((0.0, 0.1))  # +-factor/2 of the circle
    assert tuple(layer["augment_contrast"].factor) == pytest.approx((0.3, 0.3))


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_strategies_are_the_identity_at_inference_and_random_in_training(strategy):
    x = np.random.default_rng(0).integers(0, 256, (4, 24, 24, 3)).astype("float32")
    block = strategy_layers(strategy, seed=1)
    np.testing.assert_array_equal(np.asarray(block(x, training=False)), x)
    out = np.asarray(block(x, training=True))
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 255
    assert np.array_equal(out, x) == (strategy == "none")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: strategy_layers("colour"), "Valid augmentations: none, flip, geometric, full"),
        (lambda: strategy_layers("flip", AugmentationStrengths(flip="none")), "same as 'none'"),
        (lambda: AugmentationStrengths(flip="diagonal"), "Valid flips: horizontal"),
        (lambda: AugmentationStrengths(hue=0.6), "hue"),
        (lambda: AugmentationStrengths(rotation=-1), "rotation"),
    ],
)
def test_bad_strategies_and_strengths_are_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_cli_flip_choices_are_the_layer_modes():
    assert options.FLIP_MODES == FLIP_MODES
