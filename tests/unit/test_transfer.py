"""keras_vision.transfer: the applications registry, build_classifier, weights and block freezing.

Offline: `weights=None` and tiny inputs; expected names and sizes come from the Keras source
(`keras/src/applications/*.py`) or the Keras applications table, never from running our code.
"""

import os
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest

from keras_vision import network
from keras_vision.errors import WeightsNotFoundError
from keras_vision.transfer import (
    APPLICATIONS,
    build_classifier,
    find_base,
    freeze_blocks,
    list_blocks,
    trainable_params,
    unfreeze_top,
)

REPO = Path(__file__).resolve().parents[2]

# name -> (keras.applications module, constructor, no-top weights file at 224 px), from the Keras source.
KERAS_SOURCE = {
    "densenet121": ("densenet", "DenseNet121", "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "resnet50": ("resnet50", "ResNet50", "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "vgg16": ("vgg16", "VGG16", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "mobilenet": ("mobilenet", "MobileNet", "mobilenet_1_0_224_tf_no_top.h5"),
    "mobilenetv2": ("mobilenet_v2", "MobileNetV2", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"),
    "efficientnetb0": ("efficientnet", "EfficientNetB0", "efficientnetb0_notop.h5"),
}
ARCHS = list(KERAS_SOURCE)
# The deeper relatives, stand-ins for the source project's models: name -> (module, constructor,
# no-top weights file, min_size, default_size), from the Keras source.
DEEPER = {
    "densenet169": ("densenet", "DenseNet169", "densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5", 32, 224),
    "densenet201": ("densenet", "DenseNet201", "densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5", 32, 224),
    "resnet50v2": ("resnet_v2", "ResNet50V2", "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5", 32, 224),
    "resnet101": ("resnet", "ResNet101", "resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5", 32, 224),
    "inceptionv3": ("inception_v3", "InceptionV3", "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", 75, 299),
}
# Small widths keep the MobileNets fast; the block structure does not depend on alpha.
BASE_KWARGS = {"mobilenet": {"alpha": 0.25}, "mobilenetv2": {"alpha": 0.35}}


def shared_data() -> Path | None:
    path = Path(os.environ.get("KERAS_VISION_SHARED", REPO.parent / "shared" / "data"))
    return path if path.is_dir() else None


@pytest.fixture(scope="module")
def classifiers():
    """One grayscale 28x28 classifier per architecture, built once (weights=None)."""
    return {arch: build_classifier(arch, 10, (28, 28, 1), weights=None, **BASE_KWARGS.get(arch, {})) for arch in ARCHS}


@pytest.fixture(scope="module")
def densenet_module_base():
    return keras.applications.DenseNet121(include_top=False, weights=None, input_shape=(32, 32, 3))


@pytest.fixture
def densenet_base(densenet_module_base):
    """The shared bare DenseNet121 base, all layers trainable again for each test."""
    all_trainable(densenet_module_base)
    yield densenet_module_base
    all_trainable(densenet_module_base)


def all_trainable(model):
    """Makes every layer trainable (Keras skips `trainable = True` on an already trainable model)."""
    model.trainable = False
    model.trainable = True


# --- registry ------------------------------------------------------------------------------------


def test_registry_holds_the_six_architectures_and_their_deeper_relatives():
    assert APPLICATIONS.names() == ARCHS + list(DEEPER)


@pytest.mark.parametrize("arch", list(DEEPER))
def test_deeper_entries_match_keras_source(arch):
    module, constructor, weights_file, min_size, default_size = DEEPER[arch]
    app = APPLICATIONS.get(arch)
    assert app.constructor is getattr(keras.applications, constructor)
    assert app._keras_module() is getattr(keras.applications, module)
    assert (app.min_size, app.default_size) == (min_size, default_size)
    assert app.weights_origin().endswith("/" + weights_file)


# Layer names that tell relatives apart (Keras source: ResNet101 has 23 blocks in conv4, ResNet50 6;
# ResNet50V2 ends in post_bn/post_relu; DenseNet169/201 have 32/48 dense layers in conv4, 121 has 24).
RESNET50 = {"conv1_conv", *(f"conv4_block{i}_out" for i in range(1, 7)), "conv5_block3_out"}
DENSENET121 = {"pool4_conv", *(f"conv4_block{i}_concat" for i in range(1, 25))}
DENSENET121 |= {f"conv5_block{i}_concat" for i in range(1, 17)}


@pytest.mark.parametrize(
    "names, expected",
    [
        (RESNET50, "resnet50"),
        (RESNET50 | {f"conv4_block{i}_out" for i in range(7, 24)}, "resnet101"),
        (RESNET50 | {"post_bn", "post_relu"}, "resnet50v2"),
        (DENSENET121, "densenet121"),
        (
            DENSENET121
            | {f"conv4_block{i}_concat" for i in range(25, 33)}
            | {f"conv5_block{i}_concat" for i in range(17, 33)},
            "densenet169",
        ),
        (
            DENSENET121
            | {f"conv4_block{i}_concat" for i in range(25, 49)}
            | {f"conv5_block{i}_concat" for i in range(17, 33)},
            "densenet201",
        ),
        ({f"mixed{i}" for i in range(11)} | {"mixed9_0", "conv2d_5"}, "inceptionv3"),
    ],
)
def test_exactly_one_layout_recognises_each_architecture(names, expected):
    assert [name for name, app in APPLICATIONS.items() if app.layout.matches(names)] == [expected]


def test_inceptionv3_blocks_end_at_each_mixed_concatenation():
    base = keras.applications.InceptionV3(include_top=False, weights=None, input_shape=(75, 75, 3))
    assert find_base(base)[1].name == "inceptionv3"
    blocks = list_blocks(base)
    assert list(blocks) == [f"mixed{i}" for i in range(11)]
    assert all(layers[-1] == name for name, layers in blocks.items())  # each block closes with its concatenation
    layers = [layer.name for layer in base.layers if not isinstance(layer, keras.layers.InputLayer)]
    assert [name for block in blocks.values() for name in block] == layers  # a partition, in model order
    assert unfreeze_top(base, 2) == ["mixed9", "mixed10"]
    trainable = {layer.name for layer in base.layers if layer.trainable_weights}
    assert trainable and trainable <= set(blocks["mixed9"] + blocks["mixed10"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "arch, size, blocks",
    [
        ("resnet50v2", 32, ["conv1", "conv2", "conv3", "conv4", "conv5", "post"]),
        ("resnet101", 32, ["conv1", "conv2", "conv3", "conv4", "conv5"]),
        ("densenet169", 32, None),
        ("densenet201", 32, None),
    ],
)
def test_deeper_blocks_partition_the_base(arch, size, blocks):
    base = APPLICATIONS.get(arch).constructor(include_top=False, weights=None, input_shape=(size, size, 3))
    _, app = find_base(base)
    assert app.name == arch
    listed = list_blocks(base)
    assert list(listed) == (blocks or APPLICATIONS.get("densenet121").layout.block_names)
    layers = [layer for layer in base.layers if not isinstance(layer, keras.layers.InputLayer)]
    assert sorted(n for names in listed.values() for n in names) == sorted(layer.name for layer in layers)
    assert all(app.layout.block_of(layer.name) for layer in layers if layer.trainable_weights)


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("spelling", [str.lower, str.upper, lambda s: s.capitalize()])
def test_lookup_ignores_case(arch, spelling):
    assert APPLICATIONS.get(spelling(arch)).name == arch


def test_unknown_architecture_lists_valid_names():
    with pytest.raises(
        ValueError, match=r"Unknown application 'densenet12'.*Valid applications: densenet121, resnet50"
    ):
        APPLICATIONS.get("densenet12")
    with pytest.raises(ValueError, match="Valid applications"):
        build_classifier("alexnet", 10, (32, 32, 3), weights=None)


@pytest.mark.parametrize("arch", ARCHS)
def test_entry_matches_keras_source(arch):
    module, constructor, weights_file = KERAS_SOURCE[arch]
    app = APPLICATIONS.get(arch)
    assert app.constructor is getattr(keras.applications, constructor)
    assert (app.min_size, app.default_size) == (32, 224)  # min_size=32 in every builder's obtain_input_shape
    assert app.weights_file() == weights_file
    assert app.weights_origin().startswith("https://storage.googleapis.com/") and app.weights_origin().endswith(
        weights_file
    )


@pytest.mark.parametrize("arch", ARCHS)
def test_preprocess_input_is_the_keras_one_and_copies(arch):
    module = KERAS_SOURCE[arch][0]
    x = np.random.default_rng(0).uniform(0, 255, (2, 8, 8, 3)).astype("float32")
    original = x.copy()
    expected = getattr(keras.applications, module).preprocess_input(x.copy())
    np.testing.assert_allclose(APPLICATIONS.get(arch).preprocess_input(x), expected, rtol=1e-6)
    np.testing.assert_array_equal(x, original)


@pytest.mark.parametrize(
    "arch, kwargs, expected",
    [
        ("mobilenet", {"alpha": 0.25, "input_size": 224}, "mobilenet_2_5_224_tf_no_top.h5"),
        ("mobilenet", {"alpha": 0.5, "input_size": 128}, "mobilenet_5_0_128_tf_no_top.h5"),
        ("mobilenet", {"alpha": 0.25, "input_size": 96}, "mobilenet_2_5_224_tf_no_top.h5"),  # Keras falls back to 224
        (
            "mobilenetv2",
            {"alpha": 0.35, "input_size": 96},
            "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5",
        ),
        ("densenet121", {"input_size": 64}, "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    ],
)
def test_weights_file_depends_on_size_and_alpha_like_keras(arch, kwargs, expected):
    assert APPLICATIONS.get(arch).weights_file(**kwargs) == expected


# --- build_classifier ----------------------------------------------------------------------------


@pytest.mark.parametrize("arch", ARCHS)
def test_grayscale_28x28_classifier(classifiers, arch):
    model = classifiers[arch]
    base, app = find_base(model)
    assert app.name == arch
    assert tuple(base.input.shape[1:]) == (32, 32, 3)  # raised to min_size, three channels
    names = [layer.name for layer in model.layers]
    for expected in (
        "input_adapter_rgb",
        "input_adapter_resize",
        "input_adapter_preprocess",
        "head_pool",
        "head_predictions",
    ):
        assert expected in names
    x = np.random.default_rng(0).integers(0, 256, (2, 28, 28, 1)).astype("float32")
    probs = keras.ops.convert_to_numpy(model(x))
    assert probs.shape == (2, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_rgb_input_at_min_size_has_no_adapter_layers():
    model = build_classifier("vgg16", 3, (32, 32, 3), weights=None, preprocess=False)
    assert not [layer.name for layer in model.layers if layer.name.startswith("input_adapter")]


@pytest.mark.parametrize("base_size, expected", [(64, (64, 64, 3)), ((48, 40), (48, 40, 3))])
def test_base_size_chosen_by_caller(base_size, expected):
    model = build_classifier("mobilenet", 10, (28, 28, 1), weights=None, base_size=base_size, alpha=0.25)
    assert tuple(find_base(model)[0].input.shape[1:]) == expected


def test_head_options():
    model = build_classifier("vgg16", 5, (32, 32, 3), weights=None, head="max", dropout=0.3, name="probe")
    assert model.name == "probe"
    assert isinstance(model.get_layer("head_pool"), keras.layers.GlobalMaxPooling2D)
    assert model.get_layer("head_dropout").rate == 0.3
    assert model.get_layer("head_predictions").units == 5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"base_size": 16}, r"`base_size` must be .* at least 32"),
        ({"input_shape": (32, 32, 4)}, r"`input_shape` must be \(height, width, channels\) with 1"),
        ({"input_shape": (32, 32)}, r"`input_shape` must be"),
        ({"num_classes": 1}, r"`num_classes` must be an integer >= 2"),
        ({"head": "gap"}, r"Unknown head 'gap'. Valid heads: avg, max, flatten"),
        ({"dropout": 1.5}, r"`dropout` must be in \[0, 1\)"),
        ({"weights": "imagenet21k"}, r"`weights` must be 'imagenet', None"),
        ({"weights": 3}, r"`weights` must be 'imagenet', None"),
        ({"include_top": True}, r"Do not pass \['include_top'\]"),
    ],
)
def test_bad_arguments_are_explained(kwargs, message):
    args = {"arch": "vgg16", "num_classes": 10, "input_shape": (28, 28, 1), "weights": None, **kwargs}
    with pytest.raises(ValueError, match=message):
        build_classifier(**args)


def test_missing_weights_file_is_named(tmp_path):
    missing = tmp_path / "base.weights.h5"
    with pytest.raises(WeightsNotFoundError, match=str(missing)):
        build_classifier("vgg16", 10, (32, 32, 3), weights=missing)


# --- weights -------------------------------------------------------------------------------------


def test_weights_path_loads_the_saved_base(tmp_path):
    source = keras.applications.MobileNet(include_top=False, weights=None, input_shape=(32, 32, 3), alpha=0.25)
    path = tmp_path / "mobilenet_base.weights.h5"
    source.save_weights(path)
    model = build_classifier("mobilenet", 10, (28, 28, 1), weights=str(path), alpha=0.25)
    loaded = find_base(model)[0].get_weights()
    assert len(loaded) == len(source.get_weights())
    for got, want in zip(loaded, source.get_weights()):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("arch", ARCHS)
def test_imagenet_offline_and_uncached_names_the_file(monkeypatch, tmp_path, arch):
    monkeypatch.setattr(network, "downloads_available", lambda *a, **k: False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    app = APPLICATIONS.get(arch)
    file = app.weights_file(**({"alpha": BASE_KWARGS[arch]["alpha"]} if arch in BASE_KWARGS else {}))
    with pytest.raises(WeightsNotFoundError) as error:
        build_classifier(arch, 10, (28, 28, 1), weights="imagenet", **BASE_KWARGS.get(arch, {}))
    message = str(error.value)
    assert file in message and str(tmp_path / "models" / file) in message
    assert app.weights_url + file in message


@pytest.mark.real_data
def test_imagenet_weights_from_keras_cache_offline(monkeypatch, tmp_path):
    data = shared_data()
    if data is None:
        pytest.skip("needs ../shared/data (or KERAS_VISION_SHARED) with weights/mobilenet_2_5_224_tf_no_top.h5")
    file = data / "weights" / "mobilenet_2_5_224_tf_no_top.h5"
    (tmp_path / "models").mkdir()
    shutil.copy(file, tmp_path / "models" / file.name)
    monkeypatch.setattr(network, "downloads_available", lambda *a, **k: False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    model = build_classifier("mobilenet", 10, (32, 32, 3), weights="imagenet", base_size=96, alpha=0.25)
    reference = keras.applications.MobileNet(include_top=False, weights=str(file), input_shape=(96, 96, 3), alpha=0.25)
    for got, want in zip(find_base(model)[0].get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, want)


# --- blocks --------------------------------------------------------------------------------------


def test_densenet121_parameter_count_matches_keras_table(densenet_base):
    # Keras applications table: DenseNet121 8,062,504 parameters with the 1000-way top (1024*1000 + 1000).
    assert densenet_base.count_params() == 8_062_504 - 1024 * 1000 - 1000


def _trainable_scalars(layers) -> int:
    return sum(int(np.prod(w.shape)) for layer in layers for w in layer.trainable_weights)


def test_freeze_denseblock1_freezes_exactly_conv2(densenet_base):
    conv2 = [layer for layer in densenet_base.layers if layer.name.startswith("conv2_")]
    before, in_conv2 = trainable_params(densenet_base), _trainable_scalars(conv2)
    frozen = freeze_blocks(densenet_base, ["denseblock1"])
    assert frozen == [layer.name for layer in conv2]
    assert [layer.name for layer in densenet_base.layers if not layer.trainable] == frozen
    assert trainable_params(densenet_base) == before - in_conv2


def test_freeze_transition1_adds_pool2(densenet_base):
    freeze_blocks(densenet_base, ["denseblock1"])
    frozen = freeze_blocks(densenet_base, "transition1")
    assert frozen == [layer.name for layer in densenet_base.layers if layer.name.startswith("pool2_")]
    assert {layer.name.split("_")[0] for layer in densenet_base.layers if not layer.trainable} == {"conv2", "pool2"}


@pytest.mark.parametrize(
    "torchvision, keras_name", [("denseblock1", "conv2"), ("transition3", "pool4"), ("denseblock4", "conv5")]
)
def test_keras_prefixes_are_aliases(densenet_base, torchvision, keras_name):
    blocks = list_blocks(densenet_base, aliases=True)
    assert blocks[torchvision] == blocks[keras_name]


def test_unknown_block_lists_valid_blocks(densenet_base):
    with pytest.raises(
        ValueError, match=r"^Unknown block 'denseblock9'. Valid blocks: stem, denseblock1, transition1, denseblock2"
    ):
        freeze_blocks(densenet_base, ["denseblock1", "denseblock9"])
    assert all(layer.trainable for layer in densenet_base.layers)  # validated before changing anything


@pytest.mark.parametrize(
    "arch, blocks",
    [
        (
            "densenet121",
            [
                "stem",
                "denseblock1",
                "transition1",
                "denseblock2",
                "transition2",
                "denseblock3",
                "transition3",
                "denseblock4",
                "norm5",
            ],
        ),
        ("resnet50", ["conv1", "conv2", "conv3", "conv4", "conv5"]),
        ("vgg16", ["block1", "block2", "block3", "block4", "block5"]),
        ("mobilenet", ["stem", "stage2", "stage3", "stage4", "stage5"]),
        ("mobilenetv2", ["stem", "stage2", "stage3", "stage4", "stage5", "top"]),
        ("efficientnetb0", ["stem", *[f"block{i}" for i in range(1, 8)], "top"]),
    ],
)
def test_blocks_partition_the_base(classifiers, arch, blocks):
    model = classifiers[arch]
    base, app = find_base(model)
    listed = list_blocks(model)
    assert list(listed) == ["input_adapter", *blocks, "head"]
    in_blocks = [name for block in blocks for name in listed[block]]
    layers = [layer for layer in base.layers if not isinstance(layer, keras.layers.InputLayer)]
    assert sorted(in_blocks) == sorted(layer.name for layer in layers)  # every layer exactly once
    assert all(listed[block] for block in blocks)
    # Every layer with trainable weights is matched by name, not by position.
    assert all(app.layout.block_of(layer.name) for layer in layers if layer.trainable_weights)
    assert list_blocks(base) == {block: listed[block] for block in blocks}


def test_freeze_on_classifier_reaches_inside_the_base(classifiers):
    model = classifiers["densenet121"]
    base, _ = find_base(model)
    all_trainable(base)
    try:
        frozen = freeze_blocks(model, ["denseblock1", "transition1"])
        assert frozen == [layer.name for layer in base.layers if layer.name.startswith(("conv2_", "pool2_"))]
        assert {layer.name.split("_")[0] for layer in base.layers if not layer.trainable} == {"conv2", "pool2"}
    finally:
        all_trainable(base)


@pytest.mark.parametrize(
    "arch, n_blocks, expected",
    [("densenet121", 2, ["denseblock4", "norm5"]), ("vgg16", 1, ["block5"]), ("mobilenetv2", 0, [])],
)
def test_unfreeze_top(classifiers, arch, n_blocks, expected):
    model = classifiers[arch]
    base, _ = find_base(model)
    try:
        assert unfreeze_top(model, n_blocks) == expected
        listed = list_blocks(model)
        unfrozen = {name for block in expected for name in listed[block]}
        assert {
            layer.name for layer in base.layers if layer.trainable and not isinstance(layer, keras.layers.InputLayer)
        } == unfrozen
        head = [model.get_layer(name) for name in listed["head"]]
        assert trainable_params(model) == _trainable_scalars(
            [layer for layer in base.layers if layer.name in unfrozen] + head
        )
    finally:
        all_trainable(base)


def test_unfreeze_top_rejects_too_many_blocks(classifiers):
    with pytest.raises(ValueError, match=r"`n_blocks` must be an integer from 0 to 5 \(the blocks of vgg16"):
        unfreeze_top(classifiers["vgg16"], 6)


def test_find_base_explains_unrelated_models():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="tiny")
    with pytest.raises(ValueError, match=r"Model 'tiny' contains none of the registered applications"):
        list_blocks(model)


def test_preprocess_input_delegates_to_the_architecture_registry():
    from keras_vision.transfer import preprocess_input

    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype=np.float32)
    # MobileNet uses Keras' "tf" mode: x / 127.5 - 1, mapping [0, 255] to [-1, 1].
    np.testing.assert_allclose(preprocess_input(x, "mobilenet"), [[[[-1.0, 0.0, 1.0]]]], atol=1e-6)
    assert x[0, 0, 0, 2] == 255.0  # the input is not modified
    with pytest.raises(ValueError, match="Valid .*mobilenet"):
        preprocess_input(x, "alexnet")
