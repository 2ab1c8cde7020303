"""The from-scratch baselines: parameter counts by hand, layer names, weight decay, bad arguments."""

import keras
import pytest

from keras_vision.models import build_ann, build_cifar10_cnn, build_fcn


def dense(a, b):
    return a * b + b


def conv(k, c_in, c_out, bias=True):
    return k * k * c_in * c_out + (c_out if bias else 0)


def test_ann_is_784_128_10():
    assert build_ann().count_params() == dense(784, 128) + dense(128, 10)  # 101,770


@pytest.mark.parametrize("size, units, dropout_layers", [("small", (100, 20), 0), ("large", (512, 256), 2)])
def test_fcn_layouts(size, units, dropout_layers):
    model = build_fcn(size)
    sizes = (3072, *units, 10)
    assert model.count_params() == sum(dense(a, b) for a, b in zip(sizes, sizes[1:]))
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in model.layers) == dropout_layers


def test_cifar10_cnn_blocks_by_hand():
    model = build_cifar10_cnn()
    convs = (
        conv(3, 3, 32, False)
        + conv(3, 32, 32, False)
        + conv(3, 32, 64, False)
        + conv(3, 64, 64, False)
        + conv(3, 64, 128, False)
        + conv(3, 128, 128, False)
    )
    batch_norms = 4 * 2 * (32 + 64 + 128)  # gamma, beta, moving mean and variance per channel
    assert model.count_params() == convs + batch_norms + dense(4 * 4 * 128, 128) + dense(128, 10)
    assert model.get_layer("block3_pool").output.shape[1:] == (4, 4, 128)
    assert [layer.name for layer in model.layers[1:8]] == [
        "block1_conv1",
        "block1_bn1",
        "block1_relu1",
        "block1_conv2",
        "block1_bn2",
        "block1_relu2",
        "block1_pool",
    ]
    assert not model.losses  # no weight decay by default


def test_cifar10_cnn_weight_decay_adds_one_penalty_per_kernel():
    model = build_cifar10_cnn(weight_decay=5e-4)
    model(keras.ops.zeros((1, 32, 32, 3)))
    assert len(model.losses) == 6 + 2  # six convolutions, two dense layers


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: build_fcn("huge"), r"Unknown FCN size 'huge'. Valid sizes: small, large"),
        (lambda: build_cifar10_cnn(dropout=(0.1, 0.2)), r"`dropout` needs one rate per block \(3"),
        (
            lambda: build_cifar10_cnn(weight_decay=-1),
            r"`weight_decay` must be a number in \[0, 1\). Received: weight_decay=-1",
        ),
        (lambda: build_ann((28, 0)), r"`input_shape` must be a tuple of positive integers"),
        (lambda: build_cifar10_cnn(filters=()), r"`filters` must be a non-empty sequence"),
    ],
)
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
