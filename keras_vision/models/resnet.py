"""ResNet: blocks that learn a residual `F(x)` added to their input, so very deep networks train.

A plain stack of layers gets worse, even on its training set, beyond some depth: the optimizer
struggles to make extra layers even do nothing. A residual block computes `relu(x + F(x))`, so
doing nothing is `F = 0`, and the gradient flows back through the addition unchanged.

- `residual_block` (ResNet-18/34): two 3x3 convolutions with batch normalization.
- `bottleneck_block` (ResNet-50/101/152): 1x1 to reduce the channels, 3x3, 1x1 to expand them
  four-fold; cheaper than two 3x3 convolutions at the wide width.
- `plain_block`: the basic block without its shortcut, for the "plain" networks the paper
  compares against (same layers, same parameters, no addition).
- The shortcut is the identity when the block keeps the shape; when the block halves the
  resolution (stride 2) or changes the number of channels, the shortcut is a 1x1 convolution
  with the same stride and batch normalization (a "projection", `_0_conv` / `_0_bn`; the
  paper's option B), or, with `shortcut="zeros"` (option A, the paper's CIFAR networks), the
  input subsampled by the stride (`_0_pool`) and padded with zero channels (`_0_pad`): no
  parameters, so a residual network has exactly the weights of its plain twin.

A network is a stem (7x7 convolution with stride 2, then 3x3 max pooling with stride 2; or, for
32x32 images, a single 3x3 convolution with stride 1), four stages of blocks (`conv2` to
`conv5`; each stage but the first starts with stride 2 and the filters double), global average
pooling and a softmax classifier. `RESNET_LAYOUTS` lists the blocks per stage of each depth.

The CIFAR-10 networks of the paper's section 4.2 (`build_cifar_resnet`, `CIFAR_RESNET_LAYOUTS`)
have `6n + 2` weight layers: the 3x3 stem with 16 filters, three stages (`conv2` to `conv4`) of
`n` basic blocks with 16, 32 and 64 filters on 32x32, 16x16 and 8x8 maps, and the classifier;
ResNet-20 (`n = 3`) has 0.27 M parameters and ResNet-56 (`n = 9`) 0.85 M (the paper's Table 6).

Layer names are those of `keras.applications.ResNet50` (`conv1_conv`, `conv3_block2_1_conv`,
`conv3_block2_add`, `conv3_block2_out`, `avg_pool`, `predictions`), so its ImageNet weights load
into `build_resnet(50, ...)` by name and `keras_vision.transfer.freeze_blocks` works on it. As in
Keras, convolutions keep their bias by default; `use_bias=False` gives the paper's (and
torchvision's) convolutions without bias.

Reference: He et al., "Deep Residual Learning for Image Recognition", CVPR 2016.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import keras
from keras import layers

from keras_vision.models._head import classifier_model
from keras_vision.models.checks import check_input_shape, check_layout

BN_EPSILON = 1.001e-5  # keras.applications' ResNet value, so that ImageNet weights behave the same
RESNET_FILTERS = (64, 128, 256, 512)
CIFAR_RESNET_FILTERS = (16, 32, 64)
#: Kinds of shortcut where a block changes the shape: 1x1 convolution (option B) or zero padding (option A).
SHORTCUTS = ("projection", "zeros")


@dataclass(frozen=True)
class ResNetLayout:
    """Blocks per stage (`conv2` ... `conv5`) and the kind of block of one ResNet depth."""

    blocks: tuple[int, ...]
    bottleneck: bool


RESNET_LAYOUTS = {
    18: ResNetLayout((2, 2, 2, 2), bottleneck=False),
    34: ResNetLayout((3, 4, 6, 3), bottleneck=False),
    50: ResNetLayout((3, 4, 6, 3), bottleneck=True),
    101: ResNetLayout((3, 4, 23, 3), bottleneck=True),
    152: ResNetLayout((3, 8, 36, 3), bottleneck=True),
}
"""Depth (weight layers) -> `ResNetLayout`, from Table 1 of the paper."""

CIFAR_RESNET_LAYOUTS = {8: 1, 14: 2, 20: 3, 32: 5, 44: 7, 56: 9, 110: 18}
"""Depth `6n + 2` -> `n`, the basic blocks of each of the three CIFAR stages (the paper's section 4.2,
from 20 layers up; 8 and 14 are the same design made small, for quick tries and tests)."""


@keras.saving.register_keras_serializable(package="keras_vision")
class PadChannels(layers.Layer):
    """Appends `channels` zero channels to a feature map: the option-A shortcut's widening, no weights."""

    def __init__(self, channels: int, **kwargs):
        super().__init__(**kwargs)
        self.channels = int(channels)

    def call(self, inputs):
        return keras.ops.pad(inputs, [[0, 0], [0, 0], [0, 0], [0, self.channels]])

    def compute_output_shape(self, input_shape):
        channels = None if input_shape[-1] is None else input_shape[-1] + self.channels
        return (*input_shape[:-1], channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels}


def conv_bn(
    x, filters: int, kernel_size: int, *, strides: int = 1, use_bias: bool = True, zero_gamma: bool = False, name: str
):
    """Conv2D (`{name}_conv`) then BatchNormalization (`{name}_bn`), no activation.

    `zero_gamma` starts the batch normalization's scale at 0 instead of 1, so the output starts at
    its `beta` (0): see `zero_init_residual` of `residual_block`.
    """
    padding = "valid" if kernel_size == 1 else "same"
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias, name=f"{name}_conv")(x)
    gamma = "zeros" if zero_gamma else "ones"
    return layers.BatchNormalization(axis=-1, epsilon=BN_EPSILON, gamma_initializer=gamma, name=f"{name}_bn")(x)


def shortcut(x, filters: int, *, stride: int, kind: str = "projection", use_bias: bool = True, name: str):
    """The identity if `x` already has `filters` channels and `stride` is 1, else a projection or zero padding.

    `kind="projection"`: a 1x1 convolution with stride `stride` and batch normalization, named
    `{name}_0_conv` and `{name}_0_bn`. `kind="zeros"`: every `stride`-th pixel (`{name}_0_pool`,
    1x1 max pooling) and zero channels up to `filters` (`{name}_0_pad`). Either way the shortcut
    has the shape of the block's output.

    Raises:
        ValueError: an unknown `kind`, or zero padding that would have to drop channels.
    """
    if kind not in SHORTCUTS:
        raise ValueError(f"Unknown shortcut {kind!r}. Valid shortcuts: {', '.join(SHORTCUTS)}.")
    if stride == 1 and x.shape[-1] == filters:
        return x
    if kind == "projection":
        return conv_bn(x, filters, 1, strides=stride, use_bias=use_bias, name=f"{name}_0")
    if filters < x.shape[-1]:
        raise ValueError(
            f"A zero-padding shortcut can only add channels: {x.shape[-1]} -> {filters}. Use shortcut='projection'."
        )
    if stride > 1:
        x = layers.MaxPooling2D(1, strides=stride, name=f"{name}_0_pool")(x)
    return PadChannels(filters - x.shape[-1], name=f"{name}_0_pad")(x) if filters > x.shape[-1] else x


def residual_block(
    x,
    filters: int,
    *,
    stride: int = 1,
    shortcut_kind: str = "projection",
    use_bias: bool = True,
    zero_init_residual: bool = False,
    name: str,
):
    """The basic block of ResNet-18/34: `relu(shortcut(x) + BN(conv3x3(relu(BN(conv3x3(x))))))`.

    Layers: `{name}_1_conv` (3x3, stride `stride`), `{name}_1_bn`, `{name}_1_relu`,
    `{name}_2_conv` (3x3), `{name}_2_bn`, the projection `{name}_0_conv`/`{name}_0_bn` when the
    shape changes, `{name}_add` and `{name}_out` (the final ReLU).

    Args:
        x: Input tensor (N, H, W, C).
        filters: Filters of both convolutions (the block's output channels).
        stride: Stride of the first convolution and the projection; 2 halves H and W.
            Defaults to `1`.
        shortcut_kind: `"projection"` or `"zeros"` where the shape changes (see `shortcut`).
            Defaults to `"projection"`.
        use_bias: Convolutions with bias (as Keras' ResNets). Defaults to `True`.
        zero_init_residual: Start `{name}_2_bn`'s scale (gamma) at 0, so that `F(x) = 0` and the
            block starts as `relu(shortcut(x))`: the identity on the non-negative outputs of a
            previous block. A deep ResNet then starts as a shallow one and trains at least as
            fast early on (Goyal et al. 2017, "Accurate, Large Minibatch SGD", section 5.1;
            torchvision's `zero_init_residual`). The same weights, only their initial values
            differ. Defaults to `False`.
        name: Prefix of the layer names, e.g. `"conv3_block1"`.

    Returns:
        Output tensor (N, H/stride, W/stride, filters).
    """
    skip = shortcut(x, filters, stride=stride, kind=shortcut_kind, use_bias=use_bias, name=name)
    x = conv_bn(x, filters, 3, strides=stride, use_bias=use_bias, name=f"{name}_1")
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = conv_bn(x, filters, 3, use_bias=use_bias, zero_gamma=zero_init_residual, name=f"{name}_2")
    x = layers.Add(name=f"{name}_add")([skip, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def plain_block(x, filters: int, *, stride: int = 1, use_bias: bool = True, name: str):
    """The basic block without a shortcut: `relu(BN(conv3x3(relu(BN(conv3x3(x))))))`.

    The "plain" counterpart of `residual_block` in the paper's comparison: the same layers and
    names (`{name}_1_conv`, `{name}_1_bn`, `{name}_1_relu`, `{name}_2_conv`, `{name}_2_bn`,
    `{name}_out`), no `{name}_add`.

    Args:
        x: Input tensor (N, H, W, C).
        filters: Filters of both convolutions.
        stride: Stride of the first convolution. Defaults to `1`.
        use_bias: Convolutions with bias. Defaults to `True`.
        name: Prefix of the layer names, e.g. `"conv3_block1"`.

    Returns:
        Output tensor (N, H/stride, W/stride, filters).
    """
    x = conv_bn(x, filters, 3, strides=stride, use_bias=use_bias, name=f"{name}_1")
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = conv_bn(x, filters, 3, use_bias=use_bias, name=f"{name}_2")
    return layers.Activation("relu", name=f"{name}_out")(x)


def bottleneck_block(x, filters: int, *, stride: int = 1, expansion: int = 4, use_bias: bool = True, name: str):
    """The bottleneck block of ResNet-50/101/152: 1x1 reduce, 3x3, 1x1 expand, plus the shortcut.

    Layers: `{name}_1_conv` (1x1, `filters`, stride `stride`, as in Keras' ResNet50),
    `{name}_1_bn`, `{name}_1_relu`, `{name}_2_conv` (3x3, `filters`), `{name}_2_bn`,
    `{name}_2_relu`, `{name}_3_conv` (1x1, `expansion * filters`), `{name}_3_bn`, the projection
    `{name}_0_conv`/`{name}_0_bn` when the shape changes, `{name}_add` and `{name}_out`.

    Args:
        x: Input tensor (N, H, W, C).
        filters: Filters of the two inner convolutions; the output has `expansion * filters`.
        stride: Stride of the first convolution and the projection. Defaults to `1`.
        expansion: Output channels per inner filter. Defaults to `4`.
        use_bias: Convolutions with bias (as Keras' ResNets). Defaults to `True`.
        name: Prefix of the layer names, e.g. `"conv4_block3"`.

    Returns:
        Output tensor (N, H/stride, W/stride, expansion * filters).
    """
    skip = shortcut(x, expansion * filters, stride=stride, use_bias=use_bias, name=name)
    x = conv_bn(x, filters, 1, strides=stride, use_bias=use_bias, name=f"{name}_1")
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = conv_bn(x, filters, 3, use_bias=use_bias, name=f"{name}_2")
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = conv_bn(x, expansion * filters, 1, use_bias=use_bias, name=f"{name}_3")
    x = layers.Add(name=f"{name}_add")([skip, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def resnet_stem(x, filters: int = 64, *, small_inputs: bool = False, use_bias: bool = True):
    """The first layers: `conv1` (7x7/2 and 3x3/2 max pooling `pool1`), or 3x3/1 for small images.

    The ImageNet stem divides the resolution by 4 before the first stage; on a 32x32 image that
    would leave 8x8 for `conv2`, so `small_inputs` uses one 3x3 convolution with stride 1 and no
    pooling instead (as ResNets for CIFAR do).
    """
    if small_inputs:
        x = conv_bn(x, filters, 3, use_bias=use_bias, name="conv1")
        return layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(3, name="conv1_pad")(x)
    x = layers.Conv2D(filters, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    return layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)


def resnet_from_layout(
    blocks: Sequence[int],
    filters: Sequence[int],
    input_shape: tuple[int, int, int],
    num_classes: int,
    *,
    bottleneck: bool = False,
    residual: bool = True,
    shortcut: str = "projection",
    small_inputs: bool = False,
    stem_filters: int | None = None,
    use_bias: bool = True,
    zero_init_residual: bool = False,
    include_top: bool = True,
    name: str = "resnet",
) -> keras.Model:
    """Builds a ResNet from its layout: a stem, stages of residual blocks, pooling and a classifier.

    Stage `i` (named `conv{i + 2}`, as in the paper's Table 1) has `blocks[i]` blocks of
    `filters[i]` filters; every stage but the first starts with a block of stride 2. `build_resnet`
    uses it for the paper's networks; small layouts make a mini-ResNet, e.g.
    `resnet_from_layout((1, 1), (16, 32), (32, 32, 3), 10, small_inputs=True)`.

    Args:
        blocks: Blocks of each stage.
        filters: Filters of each stage (bottleneck blocks output four times as many).
        input_shape: Image shape (H, W, C).
        num_classes: Size of the softmax output `predictions`.
        bottleneck: Bottleneck blocks instead of basic residual blocks. Defaults to `False`.
        residual: `False` builds the plain network: `plain_block`s, no shortcuts (basic blocks
            only). Defaults to `True`.
        shortcut: Where a block changes the shape, `"projection"` (1x1 convolution) or
            `"zeros"` (subsampling and zero channels; basic blocks only). Defaults to `"projection"`.
        small_inputs: The 3x3 stride-1 stem for 32x32 images. Defaults to `False`.
        stem_filters: Filters of the stem convolution. Defaults to `filters[0]`.
        use_bias: Convolutions with bias. Defaults to `True` (as Keras).
        zero_init_residual: Each residual block's last batch normalization starts with scale 0,
            so each block starts as (nearly) the identity (see `residual_block`; basic residual
            blocks only, plain blocks keep scale 1). Defaults to `False`.
        include_top: Add `avg_pool` (global average pooling) and `predictions`; otherwise the
            model ends at the last block. Defaults to `True`.
        name: Model name. Defaults to `"resnet"`.

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        ValueError: a bad argument (named in the message).
    """
    shape = check_input_shape(input_shape)
    check_layout(blocks, filters, name="blocks", per="stage")
    if shortcut not in SHORTCUTS:
        raise ValueError(f"Unknown shortcut {shortcut!r}. Valid shortcuts: {', '.join(SHORTCUTS)}.")
    if bottleneck and (not residual or shortcut != "projection"):
        raise ValueError(
            "Bottleneck blocks come only with projection shortcuts: plain networks and zero-padding shortcuts "
            f"use basic blocks. Received: bottleneck=True, residual={residual}, shortcut={shortcut!r}."
        )
    if zero_init_residual and (bottleneck or not residual):
        raise ValueError(
            "zero_init_residual=True needs basic residual blocks: plain blocks would start with no signal. "
            f"Received: bottleneck={bottleneck}, residual={residual}."
        )
    if bottleneck:
        block_fn = bottleneck_block
    elif residual:
        block_fn = functools.partial(residual_block, shortcut_kind=shortcut, zero_init_residual=zero_init_residual)
    else:
        block_fn = plain_block
    inputs = keras.Input(shape=shape, name="image")
    x = resnet_stem(inputs, stem_filters or filters[0], small_inputs=small_inputs, use_bias=use_bias)
    for stage, (n_blocks, n_filters) in enumerate(zip(blocks, filters)):
        for b in range(1, n_blocks + 1):
            stride = 2 if stage > 0 and b == 1 else 1
            x = block_fn(x, n_filters, stride=stride, use_bias=use_bias, name=f"conv{stage + 2}_block{b}")
    return classifier_model(inputs, x, num_classes, include_top=include_top, pooling="avg", name=name)


def build_resnet(
    depth: int,
    input_shape: tuple[int, int, int] = (224, 224, 3),
    num_classes: int = 1000,
    *,
    small_inputs: bool = False,
    use_bias: bool = True,
    include_top: bool = True,
    name: str | None = None,
) -> keras.Model:
    """Builds ResNet-18, -34 (basic blocks), -50, -101 or -152 (bottlenecks) from `RESNET_LAYOUTS`.

    `build_resnet(50)` has the 25,636,712 parameters of `keras.applications.ResNet50()` and the
    same layer names. With `use_bias=False`, the trainable parameters of ResNet-18 and -34 are
    torchvision's 11,689,512 and 21,797,672.

    Args:
        depth: 18, 34, 50, 101 or 152.
        input_shape: Image shape (H, W, C). Defaults to `(224, 224, 3)`.
        num_classes: Size of the softmax output. Defaults to `1000` (ImageNet).
        small_inputs: The 3x3 stride-1 stem without pooling, for 32x32 images. Defaults to `False`.
        use_bias: Convolutions with bias. Defaults to `True` (as Keras).
        include_top: Add global average pooling and the classifier. Defaults to `True`.
        name: Model name. Defaults to `"resnet{depth}"`.

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        ValueError: an unknown `depth` (the message lists the valid ones) or another bad argument.
    """
    if depth not in RESNET_LAYOUTS:
        raise ValueError(f"Unknown ResNet depth {depth!r}. Valid depths: {', '.join(map(str, RESNET_LAYOUTS))}.")
    layout = RESNET_LAYOUTS[depth]
    return resnet_from_layout(
        layout.blocks,
        RESNET_FILTERS,
        input_shape,
        num_classes,
        bottleneck=layout.bottleneck,
        small_inputs=small_inputs,
        use_bias=use_bias,
        include_top=include_top,
        name=name or f"resnet{depth}",
    )


def build_cifar_resnet(
    depth: int,
    input_shape: tuple[int, int, int] = (32, 32, 3),
    num_classes: int = 10,
    *,
    residual: bool = True,
    shortcut: str = "zeros",
    zero_init_residual: bool = False,
    include_top: bool = True,
    name: str | None = None,
) -> keras.Model:
    """Builds the CIFAR-10 ResNet (or its plain twin) of depth `6n + 2` from `CIFAR_RESNET_LAYOUTS`.

    As in the paper's section 4.2: a 3x3 convolution with 16 filters (`conv1`), three stages of
    `n` basic blocks with 16, 32 and 64 filters, the first block of the second and third stage
    with stride 2, global average pooling and a softmax classifier; convolutions without bias,
    each followed by batch normalization. `build_cifar_resnet(20)` has 0.27 M parameters and
    `build_cifar_resnet(56)` 0.85 M (Table 6); with `residual=False` the same layers without
    shortcuts (with the default zero-padding shortcuts, the same parameters too).

        plain56 = build_cifar_resnet(56, residual=False)    # layers conv1_conv ... conv4_block9_out
        resnet56 = build_cifar_resnet(56)                    # plus conv{2,3,4}_block{i}_add

    Reference: He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, section 4.2.

    Args:
        depth: Weight layers: 8, 14, 20, 32, 44, 56 or 110 (the paper trains 20 to 110).
        input_shape: Image shape (H, W, C), H and W divisible by 4. Defaults to `(32, 32, 3)`.
        num_classes: Size of the softmax output. Defaults to `10`.
        residual: Residual blocks; `False` builds the plain network. Defaults to `True`.
        shortcut: `"zeros"` (the paper's option A: no parameters) or `"projection"` (option B).
            Defaults to `"zeros"`.
        zero_init_residual: Start each residual block's `_2_bn` scale at 0, so that the network
            starts as its stem and classifier with identity blocks in between (Goyal et al. 2017,
            section 5.1); residual networks only. Defaults to `False`.
        include_top: Add global average pooling and the classifier. Defaults to `True`.
        name: Model name. Defaults to `"resnet{depth}"` or `"plain{depth}"`.

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        ValueError: an unknown `depth` (the message lists the valid ones) or another bad argument.
    """
    if depth not in CIFAR_RESNET_LAYOUTS:
        raise ValueError(
            f"Unknown CIFAR ResNet depth {depth!r}. Valid depths (6n + 2): {', '.join(map(str, CIFAR_RESNET_LAYOUTS))}."
        )
    n = CIFAR_RESNET_LAYOUTS[depth]
    return resnet_from_layout(
        (n, n, n),
        CIFAR_RESNET_FILTERS,
        input_shape,
        num_classes,
        residual=residual,
        shortcut=shortcut,
        small_inputs=True,
        use_bias=False,
        zero_init_residual=zero_init_residual,
        include_top=include_top,
        name=name or f"{'resnet' if residual else 'plain'}{depth}",
    )
