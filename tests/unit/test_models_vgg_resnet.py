"""VGG and ResNet builders against keras.applications (built with weights=None) and official counts."""

import keras
import numpy as np
import pytest

from keras_vision.models import (
    CIFAR_RESNET_LAYOUTS,
    bottleneck_block,
    build_cifar_resnet,
    build_resnet,
    build_vgg,
    plain_block,
    residual_block,
    resnet_from_layout,
    vgg_block,
    vgg_from_layout,
)
from keras_vision.transfer import freeze_blocks, list_blocks


def trainable_count(model) -> int:
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def layer_names(model) -> list[str]:
    return [layer.name for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


# (ours, keras.applications' own model). Counts and names come from Keras itself.
KERAS_PAIRS = [
    pytest.param(lambda: build_vgg(16), lambda: keras.applications.VGG16(weights=None), id="vgg16"),
    pytest.param(lambda: build_resnet(50), lambda: keras.applications.ResNet50(weights=None), id="resnet50"),
    pytest.param(
        lambda: build_vgg(19), lambda: keras.applications.VGG19(weights=None), id="vgg19", marks=pytest.mark.slow
    ),
    pytest.param(
        lambda: build_resnet(101),
        lambda: keras.applications.ResNet101(weights=None),
        id="resnet101",
        marks=pytest.mark.slow,
    ),
]


@pytest.mark.parametrize("ours, theirs", KERAS_PAIRS)
def test_same_parameters_and_layer_names_as_keras_applications(ours, theirs):
    mine, reference = ours(), theirs()
    assert mine.count_params() == reference.count_params()
    assert sorted(layer_names(mine)) == sorted(layer_names(reference))
    for layer in reference.layers[1:]:
        assert mine.get_layer(layer.name).output.shape == layer.output.shape, layer.name


def test_issue_parameter_counts():
    # The two numbers the issue fixes, as printed by keras.applications' model summaries.
    assert build_resnet(50, (224, 224, 3), 1000).count_params() == 25_636_712
    assert build_vgg(16, (224, 224, 3), 1000).count_params() == 138_357_544


# Trainable parameters of torchvision's models (their docs' "num_params"): an independent source.
# torchvision's ResNet convolutions have no bias, and its VGGs keep the bias before batch norm.
TORCHVISION_COUNTS = [
    ("resnet18", lambda: build_resnet(18, use_bias=False), 11_689_512),
    ("resnet34", lambda: build_resnet(34, use_bias=False), 21_797_672),
    ("vgg11", lambda: build_vgg(11), 132_863_336),
    ("vgg13", lambda: build_vgg(13), 133_047_848),
    ("vgg16_bn", lambda: build_vgg(16, batch_norm=True), 138_365_992),
]


@pytest.mark.parametrize("name, build, expected", TORCHVISION_COUNTS, ids=[c[0] for c in TORCHVISION_COUNTS])
def test_trainable_parameters_match_torchvision(name, build, expected):
    assert trainable_count(build()) == expected


def _round_trip(reference, mine, path, *, by_name=False):
    """Random weights into `reference`, saved to `path`, loaded into `mine`; both predict the same."""
    keras.utils.set_random_seed(0)
    for w in reference.weights:
        w.assign(np.random.normal(0, 0.05, w.shape).astype("float32") + (1.0 if "variance" in w.path else 0.0))
    if str(path).endswith(".weights.h5"):
        reference.save_weights(path)
    else:
        reference.save(path)  # legacy HDF5, keyed by layer name like the ImageNet files
    mine.load_weights(path, **({"by_name": True} if by_name else {}))
    x = np.random.default_rng(0).uniform(0, 1, (2, *reference.input_shape[1:])).astype("float32")
    np.testing.assert_allclose(mine.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("suffix, by_name", [(".weights.h5", False), (".h5", True)])
def test_resnet50_loads_keras_weights(tmp_path, suffix, by_name):
    reference = keras.applications.ResNet50(weights=None, input_shape=(64, 64, 3), classes=10)
    _round_trip(reference, build_resnet(50, (64, 64, 3), 10), tmp_path / f"resnet50{suffix}", by_name=by_name)


@pytest.mark.parametrize("suffix, by_name", [(".weights.h5", False), (".h5", True)])
def test_vgg16_loads_keras_weights(tmp_path, suffix, by_name):
    reference = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    _round_trip(reference, build_vgg(16, (32, 32, 3), include_top=False), tmp_path / f"vgg16{suffix}", by_name=by_name)


def test_transfer_blocks_work_unchanged():
    resnet = build_resnet(50, (64, 64, 3), 10)
    assert list(list_blocks(resnet)) == ["conv1", "conv2", "conv3", "conv4", "conv5"]
    frozen = freeze_blocks(resnet, ["conv1", "conv2"])
    assert "conv2_block3_out" in frozen and not resnet.get_layer("conv2_block1_1_conv").trainable
    assert resnet.get_layer("conv3_block1_1_conv").trainable
    vgg = build_vgg(16, (32, 32, 3), include_top=False)
    assert list(list_blocks(vgg)) == [f"block{i}" for i in range(1, 6)]


def _block_model(block, input_shape, **kwargs):
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, block(inputs, **kwargs))


@pytest.mark.parametrize(
    "kwargs, in_channels, out_shape, projection",
    [
        ({"filters": 16, "stride": 1}, 16, (8, 8, 16), False),  # same shape: identity shortcut
        ({"filters": 32, "stride": 2}, 16, (4, 4, 32), True),  # halved, more channels: projection
        ({"filters": 32, "stride": 1}, 16, (8, 8, 32), True),  # more channels only: projection
    ],
)
def test_residual_block_shortcuts(kwargs, in_channels, out_shape, projection):
    model = _block_model(residual_block, (8, 8, in_channels), name="b", **kwargs)
    names = layer_names(model)
    assert model.output_shape[1:] == out_shape
    assert ("b_0_conv" in names) == projection
    f, c = kwargs["filters"], in_channels
    # Two 3x3 convolutions with bias and two batch norms (4 values per channel), by hand.
    expected = (9 * c * f + f) + (9 * f * f + f) + 2 * 4 * f + ((c * f + f) + 4 * f if projection else 0)
    assert model.count_params() == expected
    add = model.get_layer("b_add")
    assert isinstance(add, keras.layers.Add)


def test_identity_shortcut_passes_the_input_through():
    # With the residual branch zeroed, the block outputs relu(x): the shortcut is x itself.
    model = _block_model(residual_block, (4, 4, 8), filters=8, name="b")
    for w in model.get_layer("b_2_bn").weights:
        if w.name == "gamma":
            w.assign(np.zeros(w.shape))
        if w.name == "beta":
            w.assign(np.zeros(w.shape))
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 8)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), np.maximum(x, 0), atol=1e-6)


def test_bottleneck_block_expands_four_fold():
    model = _block_model(bottleneck_block, (8, 8, 64), filters=16, stride=2, name="c")
    assert model.output_shape[1:] == (4, 4, 64)
    assert model.get_layer("c_1_conv").strides == (2, 2)  # stride on the 1x1, as Keras' ResNet50
    assert model.get_layer("c_3_conv").filters == 64


def test_vgg_block_layers():
    model = _block_model(vgg_block, (8, 8, 3), filters=4, convs=2, batch_norm=True, name="block1")
    assert layer_names(model) == [
        "block1_conv1",
        "block1_bn1",
        "block1_relu1",
        "block1_conv2",
        "block1_bn2",
        "block1_relu2",
        "block1_pool",
    ]
    assert model.output_shape[1:] == (4, 4, 4)


def test_small_inputs_stem_keeps_32x32():
    model = build_resnet(18, (32, 32, 3), 10, small_inputs=True)
    assert model.get_layer("conv2_block2_out").output.shape[1:] == (32, 32, 64)
    assert model.get_layer("conv5_block2_out").output.shape[1:] == (4, 4, 512)
    assert model.output_shape == (None, 10)
    assert "pool1_pool" not in layer_names(model)


def test_mini_layouts():
    vgg = vgg_from_layout((1, 1), (16, 32), (32, 32, 3), 10, dense_units=(64,))
    # 3*3*3*16+16, 3*3*16*32+32, 8*8*32*64+64, 64*10+10, by hand.
    assert vgg.count_params() == 448 + 4640 + 131_136 + 650
    resnet = resnet_from_layout((1, 1), (16, 32), (32, 32, 3), 10, small_inputs=True)
    assert resnet.output_shape == (None, 10)
    assert "conv3_block1_0_conv" in layer_names(resnet) and "conv2_block1_0_conv" not in layer_names(resnet)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: build_vgg(17), r"Unknown VGG depth 17. Valid depths: 11, 13, 16, 19"),
        (lambda: build_resnet(20), r"Unknown ResNet depth 20. Valid depths: 18, 34, 50, 101, 152"),
        (lambda: build_vgg(16, (224, 224)), r"`input_shape` must be 3 positive integers.*\(224, 224\)"),
        (lambda: build_vgg(11, (16, 16, 3)), r"too small for 5 pooling blocks"),
        (lambda: build_resnet(18, num_classes=1), r"`num_classes` must be an integer >= 2. Received: num_classes=1"),
        (lambda: resnet_from_layout((1, 1), (16,), (32, 32, 3), 10), r"`blocks` and `filters` need one entry"),
        (lambda: vgg_from_layout((1, 0), (8, 8), (32, 32, 3), 10), r"`convs` must be a non-empty sequence"),
    ],
)
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# The CIFAR networks of He et al. 2016, section 4.2. Reference counts: the paper's Table 6 (0.27 M,
# 0.85 M) and, exactly, the PyTorch re-implementation akamaster/pytorch_resnet_cifar10 (option A
# shortcuts, convolutions without bias): ResNet-20 269,722 and ResNet-56 853,018 trainable weights.
CIFAR_COUNTS = [(20, 269_722), (56, 853_018)]


@pytest.mark.parametrize("depth, expected", CIFAR_COUNTS)
@pytest.mark.parametrize("residual", [True, False], ids=["residual", "plain"])
def test_cifar_resnets_have_the_papers_weights_and_depth(depth, expected, residual):
    model = build_cifar_resnet(depth, residual=residual)
    assert trainable_count(model) == expected  # zero-padding shortcuts: the plain twin has the same weights
    weight_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D | keras.layers.Dense)]
    assert len(weight_layers) == depth  # 6n + 2
    assert model.output_shape == (None, 10)
    assert model.name == ("resnet" if residual else "plain") + str(depth)
    adds = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Add)]
    assert len(adds) == (3 * CIFAR_RESNET_LAYOUTS[depth] if residual else 0)
    n = CIFAR_RESNET_LAYOUTS[depth]
    assert model.get_layer(f"conv4_block{n}_out").output.shape[1:] == (8, 8, 64)
    assert model.get_layer("conv2_block1_1_conv").output.shape[1:] == (32, 32, 16)


def test_zero_padding_shortcut_subsamples_and_pads_with_zeros():
    inputs = keras.Input((8, 8, 4))
    block = keras.Model(inputs, residual_block(inputs, 8, stride=2, shortcut_kind="zeros", name="b"))
    shortcut_out = keras.Model(block.input, block.get_layer("b_0_pad").output)
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 4)).astype("float32")
    expected = np.concatenate([x[:, ::2, ::2, :], np.zeros((2, 4, 4, 4), "float32")], axis=-1)
    np.testing.assert_allclose(shortcut_out.predict(x, verbose=0), expected)
    assert not block.get_layer("b_0_pad").weights


def test_plain_block_is_the_residual_block_without_its_shortcut():
    inputs = keras.Input((8, 8, 4))
    plain = keras.Model(inputs, plain_block(inputs, 8, stride=2, name="b"))
    names = [layer.name for layer in plain.layers[1:]]
    assert names == ["b_1_conv", "b_1_bn", "b_1_relu", "b_2_conv", "b_2_bn", "b_out"]
    assert plain.output_shape == (None, 4, 4, 8)


def test_zero_init_residual_block_starts_as_the_identity():
    # Goyal et al. 2017, 5.1: with its last batch-norm scale at 0 the block computes relu(x + 0) = x for x >= 0
    inputs = keras.Input((8, 8, 4))
    block = keras.Model(inputs, residual_block(inputs, 4, zero_init_residual=True, name="b"))
    x = np.abs(np.random.default_rng(0).normal(size=(2, 8, 8, 4))).astype("float32")
    np.testing.assert_array_equal(block.predict(x, verbose=0), x)
    np.testing.assert_array_equal(block(x, training=True), x)
    assert np.all(block.get_layer("b_1_bn").gamma.numpy() == 1)  # only the last scale starts at 0
    ordinary = keras.Model(inputs, residual_block(inputs, 4, name="c"))
    assert not np.allclose(ordinary.predict(x, verbose=0), x)


def test_zero_init_cifar_resnet_has_the_same_weights_with_zero_last_scales():
    zero, ordinary = build_cifar_resnet(14, zero_init_residual=True), build_cifar_resnet(14)
    assert zero.count_params() == ordinary.count_params()
    zeroed = sorted(layer.name for layer in zero.layers if layer.name.endswith("_bn") and not np.any(layer.gamma))
    assert zeroed == [f"conv{stage}_block{b}_2_bn" for stage in (2, 3, 4) for b in (1, 2)]
    # a stride-2 block's shortcut is subsample + zero channels: the network starts as stem, pooling and classifier
    trunk = keras.Model(zero.input, zero.get_layer("conv4_block2_out").output)
    stem = keras.Model(zero.input, zero.get_layer("conv1_relu").output)
    x = np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(trunk.predict(x, verbose=0)[..., :16], stem.predict(x, verbose=0)[:, ::4, ::4, :])


def test_cifar_resnet_saves_and_loads(tmp_path):
    model = build_cifar_resnet(20)
    x = np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32")
    model.save(tmp_path / "resnet20.keras")
    loaded = keras.models.load_model(tmp_path / "resnet20.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: build_cifar_resnet(18),
            r"Unknown CIFAR ResNet depth 18. Valid depths \(6n \+ 2\): 8, 14, 20, 32, 44, 56, 110",
        ),
        (lambda: build_cifar_resnet(20, shortcut="identity"), r"Unknown shortcut 'identity'. Valid shortcuts"),
        (
            lambda: resnet_from_layout((1,), (16,), (32, 32, 3), 10, bottleneck=True, residual=False),
            r"Bottleneck blocks come only with projection shortcuts",
        ),
        (
            lambda: build_cifar_resnet(14, residual=False, zero_init_residual=True),
            r"zero_init_residual=True needs basic residual blocks: plain blocks would start with no signal",
        ),
    ],
)
def test_bad_cifar_resnet_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
