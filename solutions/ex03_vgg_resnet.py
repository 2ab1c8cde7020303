"""Exercise 3: VGG and ResNet, the two ideas that made networks deep.

VGG (Simonyan & Zisserman, 2015) builds a network from one repeated *block*: a few 3x3
convolutions with 'same' padding and ReLU, then 2x2 max pooling that halves the height and width.
Two stacked 3x3 convolutions see a 5x5 window with fewer weights than one 5x5 convolution, and one
more non-linearity. VGG-16 is five such blocks (2, 2, 3, 3, 3 convolutions; 64 to 512 filters)
and three dense layers: 138 million parameters, 124 million of them in the dense layers.

Stacking more and more plain layers stops helping: beyond some depth even the *training* error
rises. ResNet (He et al., 2016) makes every block learn a correction to its input instead:

    output = relu(shortcut(x) + F(x)),   F = conv3x3 -> BN -> relu -> conv3x3 -> BN

If the best the block can do is nothing, it only has to push F to zero. The shortcut is `x`
itself (the *identity*) when F keeps the shape. When the block halves the resolution (stride 2)
or changes the number of channels, `x` no longer fits and the shortcut becomes a *projection*: a
1x1 convolution with the same stride and a BatchNormalization.

Layer names matter: Keras' own VGG16 and ResNet50 name their layers after the block
(`block2_conv1`, `block2_pool`; `conv3_block1_1_conv`, `conv3_block1_0_conv` for the projection,
`conv3_block1_add`, `conv3_block1_out`), so pretrained weights load by name and blocks can be
frozen by name. Every block here takes a `name` and names its layers the same way.

A block function takes a tensor and returns a tensor, e.g.
`x = vgg_block(x, 64, 2, name="block1")`. `block_as_model` (given) wraps one block in a model so
that you (and the grader) can look at it: `block_as_model("vgg_block", (32, 32, 3), filters=64,
convs=2, name="block1").summary()`.

Work through the functions in order; check yourself with `python -m pytest tests/graded`.
"""

import keras
from keras import layers


def vgg_block(x, filters, convs, *, batch_norm=False, name):
    """`convs` 3x3 convolutions with 'same' padding, then 2x2 max pooling with stride 2.

    Without batch norm each convolution has `activation="relu"`. With batch norm, each convolution
    has no activation and is followed by BatchNormalization and Activation("relu").

    Layer names: `{name}_conv1`, `{name}_conv2`, ... and `{name}_pool`; with batch norm also
    `{name}_bn1`, `{name}_relu1`, `{name}_bn2`, ... after each convolution.

    Args:
        x: Input tensor (N, H, W, C).
        filters: Filters of every convolution.
        convs: Number of convolutions.
        batch_norm: Insert BatchNormalization + ReLU after each convolution. Defaults to `False`.
        name: Prefix of the layer names, e.g. `"block1"`.

    Returns:
        The output tensor (N, H/2, W/2, filters).
    """
    # BEGIN SOLUTION
    for k in range(1, convs + 1):
        if batch_norm:  # convolution, then normalisation, then the ReLU
            x = layers.Conv2D(filters, (3, 3), padding="same", name=f"{name}_conv{k}")(x)
            x = layers.BatchNormalization(name=f"{name}_bn{k}")(x)
            x = layers.Activation("relu", name=f"{name}_relu{k}")(x)
        else:  # the ReLU inside the convolution, as in the original VGG
            x = layers.Conv2D(filters, (3, 3), padding="same", activation="relu", name=f"{name}_conv{k}")(x)
    x = layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2), name=f"{name}_pool")(x)
    return x
    # END SOLUTION


def residual_block(x, filters, *, stride=1, use_bias=True, name):
    """The basic residual block of ResNet-18/34, with an identity or a projection shortcut.

    Main branch: Conv2D(filters, 3, strides=stride, padding="same") `{name}_1_conv`,
    BatchNormalization `{name}_1_bn`, Activation("relu") `{name}_1_relu`,
    Conv2D(filters, 3, padding="same") `{name}_2_conv`, BatchNormalization `{name}_2_bn`.

    Shortcut: `x` itself when `stride == 1` and `x` already has `filters` channels; otherwise
    Conv2D(filters, 1, strides=stride) `{name}_0_conv` and BatchNormalization `{name}_0_bn`.

    Then Add `{name}_add` (shortcut + main branch) and Activation("relu") `{name}_out`.
    Every BatchNormalization uses `epsilon=1.001e-5` (as Keras' ResNets) and every Conv2D
    `use_bias=use_bias`.

    Args:
        x: Input tensor (N, H, W, C).
        filters: Output channels.
        stride: Stride of the first convolution and of the projection. Defaults to `1`.
        use_bias: Whether the convolutions have a bias. Defaults to `True`.
        name: Prefix of the layer names, e.g. `"conv3_block1"`.

    Returns:
        The output tensor (N, H/stride, W/stride, filters).
    """

    # BEGIN SOLUTION
    def conv_bn(inputs, kernel_size, strides, part):
        y = layers.Conv2D(
            filters,
            kernel_size,
            strides=strides,
            padding="same" if kernel_size == 3 else "valid",
            use_bias=use_bias,
            name=f"{name}_{part}_conv",
        )(inputs)
        return layers.BatchNormalization(epsilon=1.001e-5, name=f"{name}_{part}_bn")(y)

    if stride == 1 and x.shape[-1] == filters:
        shortcut = x
    else:
        shortcut = conv_bn(x, 1, stride, 0)
    y = conv_bn(x, 3, stride, 1)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = conv_bn(y, 3, 1, 2)
    y = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.Activation("relu", name=f"{name}_out")(y)
    # END SOLUTION


def build_mini_vgg(input_shape=(32, 32, 3), num_classes=10):
    """A mini-VGG for 32x32 images, from your `vgg_block`.

    Two blocks without batch norm: `block1` with 2 convolutions of 16 filters, `block2` with 2
    convolutions of 32 filters; then Flatten `flatten`, Dense(64, relu) `fc1` and
    Dense(num_classes, softmax) `predictions`.

    Args:
        input_shape: Image shape. Defaults to `(32, 32, 3)`.
        num_classes: Number of classes. Defaults to `10`.

    Returns:
        An uncompiled `keras.Model`.
    """
    # BEGIN SOLUTION
    inputs = keras.Input(shape=input_shape)
    x = vgg_block(inputs, 16, 2, name="block1")
    x = vgg_block(x, 32, 2, name="block2")
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(64, activation="relu", name="fc1")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs)
    # END SOLUTION


def build_mini_resnet(input_shape=(32, 32, 3), num_classes=10):
    """A mini-ResNet for 32x32 images, from your `residual_block`.

    The small-image stem: Conv2D(16, 3, padding="same") `conv1_conv`, BatchNormalization
    (epsilon=1.001e-5) `conv1_bn`, Activation("relu") `conv1_relu`. Then three stages of one
    residual block each: `conv2_block1` (16 filters, stride 1), `conv3_block1` (32, stride 2),
    `conv4_block1` (64, stride 2). Then GlobalAveragePooling2D `avg_pool` and
    Dense(num_classes, softmax) `predictions`.

    Args:
        input_shape: Image shape. Defaults to `(32, 32, 3)`.
        num_classes: Number of classes. Defaults to `10`.

    Returns:
        An uncompiled `keras.Model`.
    """
    # BEGIN SOLUTION
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(16, 3, padding="same", name="conv1_conv")(inputs)
    x = layers.BatchNormalization(epsilon=1.001e-5, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    for stage, (filters, stride) in enumerate(((16, 1), (32, 2), (64, 2)), start=2):
        x = residual_block(x, filters, stride=stride, name=f"conv{stage}_block1")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs)
    # END SOLUTION


def block_as_model(block, input_shape, **kwargs):
    """Given: wraps the block function named `block` of this module in a `keras.Model`.

    Args:
        block: `"vgg_block"` or `"residual_block"`.
        input_shape: Shape of the block's input, e.g. `(8, 8, 16)`.
        **kwargs: The block's other arguments (`filters`, `convs`, `stride`, `name`, ...).

    Returns:
        A `keras.Model` from `keras.Input(shape=input_shape)` to the block's output.
    """
    blocks = {"vgg_block": vgg_block, "residual_block": residual_block}
    if block not in blocks:
        raise ValueError(f"Unknown block {block!r}. Valid blocks: {', '.join(blocks)}.")
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, blocks[block](inputs, **kwargs))
