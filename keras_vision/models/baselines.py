"""Baselines trained from scratch: a dense network (ANN), fully connected nets (FCN), a small CNN.

They tell the story of why convolutions won on images:

- `build_ann`: Fashion-MNIST's 784 pixels -> Dense(128) -> Dense(10), 88.9 % test accuracy
  (the README's "Expected results").
- `build_fcn`: CIFAR-10's 3072 pixels through dense layers only (3072-100-20-10, or the wider
  3072-512-256-10 with dropout); it sees no neighbourhood, and stays at 50-55 %.
- `build_cifar10_cnn`: three convolution blocks (two 3x3 convolutions with batch normalization,
  then 2x2 max pooling and dropout) and a dense head; with augmentation, 85.0 % after 25 epochs.

Every builder returns an uncompiled `keras.Model` with a softmax output (for categorical or sparse
categorical cross-entropy) and readable layer names (`fc1`, `block2_conv1`, `block2_pool`, ...).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from keras_vision.models._head import classifier_model, dense_stack
from keras_vision.models.checks import check_input_shape, check_num_classes, check_rate, check_units

FCN_LAYOUTS = {
    "small": {"units": (100, 20), "dropout": 0.0},
    "large": {"units": (512, 256), "dropout": 0.3},
}
"""Hidden layers of the two CIFAR-10 fully connected baselines, by size name."""


def build_ann(
    input_shape: tuple[int, ...] = (28, 28, 1),
    num_classes: int = 10,
    *,
    units: Sequence[int] = (128,),
    name: str = "ann",
) -> keras.Model:
    """Builds the dense baseline: Flatten -> Dense(128, relu) -> Dense(num_classes, softmax).

    For Fashion-MNIST that is 784-128-10: 784*128 + 128 = 100,480 and 128*10 + 10 = 1,290
    parameters, 101,770 in all.

    Args:
        input_shape: Shape of one image, e.g. `(28, 28, 1)` or `(28, 28)`. Defaults to `(28, 28, 1)`.
        num_classes: Size of the softmax output. Defaults to `10`.
        units: Units of the hidden layers (`fc1`, `fc2`, ...). Defaults to `(128,)`.
        name: Model name. Defaults to `"ann"`.

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        ValueError: a bad `input_shape`, `num_classes` or `units`.
    """
    shape = check_input_shape(input_shape, rank=None)
    check_units(units)
    inputs = keras.Input(shape=shape, name="image")
    return classifier_model(
        inputs, inputs, num_classes, include_top=True, pooling="flatten", dense_units=units, name=name
    )


def build_fcn(
    size: str = "small",
    input_shape: tuple[int, int, int] = (32, 32, 3),
    num_classes: int = 10,
    *,
    name: str | None = None,
) -> keras.Model:
    """Builds a fully connected CIFAR-10 baseline from `FCN_LAYOUTS`.

    - `"small"`: 3072-100-20-10 (309,530 parameters).
    - `"large"`: 3072-512-256-10 with Dropout(0.3) after each hidden layer (1,707,274 parameters).

    Args:
        size: `"small"` or `"large"`. Defaults to `"small"`.
        input_shape: Shape of one image. Defaults to `(32, 32, 3)`.
        num_classes: Size of the softmax output. Defaults to `10`.
        name: Model name. Defaults to `"fcn_<size>"`.

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        ValueError: an unknown `size`, or a bad `input_shape` or `num_classes`.
    """
    if size not in FCN_LAYOUTS:
        raise ValueError(f"Unknown FCN size {size!r}. Valid sizes: {', '.join(FCN_LAYOUTS)}.")
    layout = FCN_LAYOUTS[size]
    inputs = keras.Input(shape=check_input_shape(input_shape), name="image")
    return classifier_model(
        inputs,
        inputs,
        num_classes,
        include_top=True,
        pooling="flatten",
        dense_units=layout["units"],
        dropout=layout["dropout"],
        name=name or f"fcn_{size}",
    )


def conv_bn_block(x, filters: int, *, convs: int = 2, dropout: float = 0.0, regularizer=None, name: str):
    """`convs` x (Conv2D 3x3 same, no bias -> BatchNormalization -> ReLU), 2x2 max pooling, dropout.

    Layers are named `{name}_conv1`, `{name}_bn1`, `{name}_relu1`, ..., `{name}_pool`,
    `{name}_dropout`. The convolutions have no bias: the batch normalization that follows
    subtracts the mean and adds its own offset (beta), so a bias would do nothing.

    Args:
        x: Input tensor (N, H, W, C).
        filters: Filters of every convolution of the block.
        convs: Number of convolutions. Defaults to `2`.
        dropout: Dropout rate after pooling; `0` adds no dropout layer. Defaults to `0`.
        regularizer: Kernel regularizer of the convolutions (weight decay).
        name: Prefix of the layer names, e.g. `"block1"`.

    Returns:
        The output tensor, (N, H/2, W/2, filters).
    """
    for i in range(1, convs + 1):
        x = layers.Conv2D(
            filters, 3, padding="same", use_bias=False, kernel_regularizer=regularizer, name=f"{name}_conv{i}"
        )(x)
        x = layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = layers.Activation("relu", name=f"{name}_relu{i}")(x)
    x = layers.MaxPooling2D(2, name=f"{name}_pool")(x)
    if dropout:
        x = layers.Dropout(dropout, name=f"{name}_dropout")(x)
    return x


def build_cifar10_cnn(
    input_shape: tuple[int, int, int] = (32, 32, 3),
    num_classes: int = 10,
    *,
    filters: Sequence[int] = (32, 64, 128),
    convs: int = 2,
    dense_units: int = 128,
    dropout: Sequence[float] = (0.1, 0.2, 0.3),
    head_dropout: float = 0.3,
    weight_decay: float = 0.0,
    name: str = "cifar10_cnn",
) -> keras.Model:
    """Builds the CIFAR-10 CNN: conv blocks with batch norm and max pooling, then a dense head.

        image 32x32x3
        block1  2 x [Conv 3x3 32  -> BN -> ReLU], MaxPool 2, Dropout  -> 16x16x32
        block2  2 x [Conv 3x3 64  -> BN -> ReLU], MaxPool 2, Dropout  ->  8x8x64
        block3  2 x [Conv 3x3 128 -> BN -> ReLU], MaxPool 2, Dropout  ->  4x4x128
        flatten -> fc1 Dense(128, relu) -> Dropout -> predictions Dense(10, softmax)

    Args:
        input_shape: Image shape (H, W, C); H and W divisible by `2 ** len(filters)`.
            Defaults to `(32, 32, 3)`.
        num_classes: Size of the softmax output. Defaults to `10`.
        filters: Filters of each block (`block1`, `block2`, ...). Defaults to `(32, 64, 128)`.
        convs: Convolutions per block. Defaults to `2`.
        dense_units: Units of the hidden dense layer `fc1`. Defaults to `128`.
        dropout: Dropout rate after each block's pooling, one per block. Defaults to `(0.1, 0.2, 0.3)`.
        head_dropout: Dropout rate after `fc1`. Defaults to `0.3`.
        weight_decay: L2 factor on every kernel (added to the loss as
            `weight_decay * sum(w ** 2)`); `0` for none. Defaults to `0`.
        name: Model name. Defaults to `"cifar10_cnn"`.

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        ValueError: a bad argument (named in the message).
    """
    shape = check_input_shape(input_shape)
    check_units(filters, name="filters")
    if len(dropout) != len(filters):
        raise ValueError(
            f"`dropout` needs one rate per block ({len(filters)} for filters={tuple(filters)}). "
            f"Received: dropout={tuple(dropout)}."
        )
    rates = [check_rate(r, "dropout") for r in dropout]
    regularizer = keras.regularizers.L2(check_rate(weight_decay, "weight_decay")) if weight_decay else None
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    for i, (n, rate) in enumerate(zip(filters, rates), start=1):
        x = conv_bn_block(x, n, convs=convs, dropout=rate, regularizer=regularizer, name=f"block{i}")
    x = layers.Flatten(name="flatten")(x)
    x = dense_stack(x, (dense_units,), dropout=check_rate(head_dropout, "head_dropout"), regularizer=regularizer)
    outputs = layers.Dense(  # float32 even under a mixed-precision policy: a stable softmax
        check_num_classes(num_classes),
        activation="softmax",
        kernel_regularizer=regularizer,
        dtype="float32",
        name="predictions",
    )(x)
    return keras.Model(inputs, outputs, name=name)
