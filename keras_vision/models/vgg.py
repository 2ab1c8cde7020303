"""VGG: stacks of 3x3 convolutions, halved in resolution by max pooling after each block.

Simonyan and Zisserman showed that depth built from small 3x3 convolutions beats larger kernels:
two stacked 3x3 convolutions see a 5x5 window, three see 7x7, with fewer parameters and more
non-linearities. The four networks of the paper differ only in how many convolutions each of the
five blocks holds (`VGG_LAYOUTS`); filters double from 64 to 512, and three dense layers classify.

    image 224x224x3
    block1  convs x Conv 3x3  64, relu, then MaxPool 2  -> 112x112x64
    block2  convs x Conv 3x3 128, relu, then MaxPool 2  ->  56x56x128
    block3  convs x Conv 3x3 256 ...                    ->  28x28x256
    block4  convs x Conv 3x3 512 ...                    ->  14x14x512
    block5  convs x Conv 3x3 512 ...                    ->   7x7x512
    flatten -> fc1 Dense(4096) -> fc2 Dense(4096) -> predictions Dense(1000, softmax)

Layer names are those of `keras.applications.VGG16`/`VGG19` (`block3_conv2`, `block3_pool`,
`fc1`, ...), so their ImageNet weights load into `build_vgg(16, ...)` by name and
`keras_vision.transfer.freeze_blocks` works on it. With `batch_norm=True` (the later "VGG-BN"
variant) each convolution is followed by `blockB_bnK` and `blockB_reluK`.

Reference: Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", ICLR 2015.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from keras_vision.models._head import classifier_model
from keras_vision.models.checks import check_input_shape, check_layout

VGG_FILTERS = (64, 128, 256, 512, 512)
VGG_LAYOUTS = {
    11: (1, 1, 2, 2, 2),
    13: (2, 2, 2, 2, 2),
    16: (2, 2, 3, 3, 3),
    19: (2, 2, 4, 4, 4),
}
"""Depth (weight layers) -> convolutions in each of the five blocks (configurations A, B, D, E)."""


def vgg_block(x, filters: int, convs: int, *, batch_norm: bool = False, name: str):
    """`convs` 3x3 convolutions ('same' padding, ReLU), then 2x2 max pooling with stride 2.

    Layers: `{name}_conv1` ... `{name}_conv{convs}` and `{name}_pool`; with `batch_norm`, each
    convolution is followed by `{name}_bn{k}` and `{name}_relu{k}` (the convolution then has no
    activation of its own, and keeps its bias, as in torchvision's `vgg16_bn`).

    Args:
        x: Input tensor (N, H, W, C).
        filters: Filters of every convolution in the block.
        convs: Number of convolutions (1 to 4 in the paper).
        batch_norm: Insert BatchNormalization between each convolution and its ReLU.
            Defaults to `False`.
        name: Prefix of the layer names, e.g. `"block1"`.

    Returns:
        Output tensor (N, H/2, W/2, filters).
    """
    for k in range(1, convs + 1):
        activation = None if batch_norm else "relu"
        x = layers.Conv2D(filters, 3, padding="same", activation=activation, name=f"{name}_conv{k}")(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"{name}_bn{k}")(x)
            x = layers.Activation("relu", name=f"{name}_relu{k}")(x)
    return layers.MaxPooling2D(2, strides=2, name=f"{name}_pool")(x)


def vgg_from_layout(
    convs: Sequence[int],
    filters: Sequence[int],
    input_shape: tuple[int, int, int],
    num_classes: int,
    *,
    batch_norm: bool = False,
    dense_units: Sequence[int] = (4096, 4096),
    dropout: float = 0.0,
    include_top: bool = True,
    name: str = "vgg",
) -> keras.Model:
    """Builds a VGG-style network from its layout: blocks of convolutions, then dense layers.

    `build_vgg` uses it for the paper's networks; small layouts make a mini-VGG for 32x32 images,
    e.g. `vgg_from_layout((1, 1), (16, 32), (32, 32, 3), 10, dense_units=(64,))`.

    Args:
        convs: Convolutions of each block (`block1`, `block2`, ...).
        filters: Filters of each block, as many as `convs`.
        input_shape: Image shape (H, W, C); H and W at least `2 ** len(convs)`.
        num_classes: Size of the softmax output `predictions`.
        batch_norm: BatchNormalization after every convolution. Defaults to `False`.
        dense_units: Units of the hidden dense layers `fc1`, `fc2`, .... Defaults to `(4096, 4096)`.
        dropout: Dropout rate after each hidden dense layer (torchvision uses 0.5, Keras 0);
            `0` adds no layer. Defaults to `0`.
        include_top: Add `flatten`, the dense layers and `predictions`; otherwise the model ends
            at the last pooling layer. Defaults to `True`.
        name: Model name. Defaults to `"vgg"`.

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        ValueError: a bad argument (named in the message).
    """
    shape = check_input_shape(input_shape)
    check_layout(convs, filters, name="convs", per="block")
    if min(shape[:2]) < 2 ** len(convs):
        raise ValueError(
            f"`input_shape` {shape} is too small for {len(convs)} pooling blocks: height and width must be "
            f"at least {2 ** len(convs)}."
        )
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    for b, (n_convs, n_filters) in enumerate(zip(convs, filters), start=1):
        x = vgg_block(x, n_filters, n_convs, batch_norm=batch_norm, name=f"block{b}")
    return classifier_model(
        inputs,
        x,
        num_classes,
        include_top=include_top,
        pooling="flatten",
        dense_units=dense_units,
        dropout=dropout,
        name=name,
    )


def build_vgg(
    depth: int,
    input_shape: tuple[int, int, int] = (224, 224, 3),
    num_classes: int = 1000,
    *,
    batch_norm: bool = False,
    dense_units: Sequence[int] = (4096, 4096),
    dropout: float = 0.0,
    include_top: bool = True,
    name: str | None = None,
) -> keras.Model:
    """Builds VGG-11, -13, -16 or -19 (`VGG_LAYOUTS`), with Keras' layer names.

    `build_vgg(16)` has the 138,357,544 parameters of `keras.applications.VGG16()`, and
    `build_vgg(19)` the 143,667,240 of `VGG19()`.

    Args:
        depth: 11, 13, 16 or 19.
        input_shape: Image shape (H, W, C). With `include_top`, the dense layers' size depends on
            it (224x224 gives 7x7x512 features). Defaults to `(224, 224, 3)`.
        num_classes: Size of the softmax output. Defaults to `1000` (ImageNet).
        batch_norm: BatchNormalization after every convolution (VGG-BN). Defaults to `False`.
        dense_units: Units of `fc1`, `fc2`. Defaults to `(4096, 4096)`.
        dropout: Dropout after `fc1` and `fc2`. Defaults to `0` (as Keras; the paper used 0.5).
        include_top: Add the classifier. Defaults to `True`.
        name: Model name. Defaults to `"vgg{depth}"` (`"vgg{depth}_bn"` with batch norm).

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        ValueError: an unknown `depth` (the message lists the valid ones) or another bad argument.
    """
    if depth not in VGG_LAYOUTS:
        raise ValueError(f"Unknown VGG depth {depth!r}. Valid depths: {', '.join(map(str, VGG_LAYOUTS))}.")
    return vgg_from_layout(
        VGG_LAYOUTS[depth],
        VGG_FILTERS,
        input_shape,
        num_classes,
        batch_norm=batch_norm,
        dense_units=dense_units,
        dropout=dropout,
        include_top=include_top,
        name=name or f"vgg{depth}{'_bn' if batch_norm else ''}",
    )
