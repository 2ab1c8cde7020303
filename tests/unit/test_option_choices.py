"""Every closed set of options in the catalog mirrors the library constant it stands for.

The catalog imports no TensorFlow, so it spells each `choices=` out; these tests hold every such
list (and every default naming library things) to the constant it mirrors.
"""

import dataclasses

import pytest

from keras_vision.augment import FILL_MODES
from keras_vision.data import DATASETS, SAMPLE_IMAGES
from keras_vision.experiments import EXPERIMENTS
from keras_vision.superres import SR_MODELS, SRCNN_LAYOUTS
from keras_vision.superres.data import SOURCES
from keras_vision.superres.losses import LOSSES, VGG16_FEATURE_LAYERS
from keras_vision.upsample import INTERPOLATIONS, UPSAMPLERS


def choices(experiment: str, option: str) -> tuple:
    fields = {f.name: f for f in dataclasses.fields(EXPERIMENTS.get(experiment).config)}
    return tuple(fields[option].metadata["choices"])


def default(experiment: str, option: str):
    return EXPERIMENTS.get(experiment).defaults()[option]


@pytest.mark.parametrize(
    "experiment,option,constant",
    [
        ("superres", "layout", tuple(SRCNN_LAYOUTS)),
        ("superres", "source", SOURCES),
        ("superres", "vgg_layer", VGG16_FEATURE_LAYERS),
        ("upsampling", "interpolation", INTERPOLATIONS),
        ("augmentation", "fill_mode", FILL_MODES),
    ],
)
def test_choices_are_the_library_constant(experiment, option, constant):
    assert choices(experiment, option) == tuple(constant)


def test_named_defaults_and_choices_exist_in_the_library():
    assert set(default("superres", "losses").split(",")) == set(LOSSES)
    assert set(default("superres", "models").split(",")) <= set(SR_MODELS.names())
    assert set(default("gan", "variants").split(",")) == set(UPSAMPLERS.names())
    assert set(choices("gan", "dataset")) <= set(DATASETS.names())
    quick_samples = EXPERIMENTS.get("lowlight").quick["samples"].split(",")
    assert set(quick_samples) <= set(SAMPLE_IMAGES)


def test_the_darkening_defaults_live_only_in_the_catalog():
    """`darken` has no defaults of its own for the three darkening parameters."""
    import inspect

    from keras_vision.enhance import darken

    parameters = inspect.signature(darken).parameters
    assert all(parameters[name].default is inspect.Parameter.empty for name in ("gamma", "scale", "noise"))


def test_verbosity_and_strategy_are_the_training_layer_s():
    from keras_vision.experiments.options import STRATEGY_NAMES, VERBOSITY
    from keras_vision.training import STRATEGIES
    from keras_vision.training.callbacks import VERBOSITY as KERAS_VERBOSITY

    assert set(VERBOSITY) == {"auto", *KERAS_VERBOSITY}
    assert list(STRATEGY_NAMES) == STRATEGIES.names()
