"""Exercise 5: transfer learning, taking an ImageNet network apart and putting it back together.

A network such as DenseNet121 was trained on 1.2 million ImageNet photographs: 224x224 pixels,
three colour channels, 1000 classes. Its early layers detect edges and textures that are useful
for almost any image, its late layers combine them into ImageNet's objects. To reuse it for a new
task, change what does not fit and keep the rest:

1. The input. A handwritten digit is 28x28 pixels with ONE grey channel; DenseNet121 wants three
   channels and at least 32x32 pixels. Repeat the grey channel three times and resize the image,
   as layers at the front of the model, so the finished model takes the digits as they are.
2. The head. `include_top=False` drops ImageNet's 1000-way classifier and leaves a feature map
   (for a 32x32 input: 1x1x1024). Global average pooling turns it into one vector of 1024
   features, and a new Dense softmax layer maps those to YOUR classes.
3. Freezing. A layer with `trainable = False` keeps its weights during training. Keras names
   DenseNet121's layers after its blocks, so freezing a block is a loop over the layers:

       paper / torchvision     Keras layer names
       stem                    conv1_*, pool1
       denseblock1             conv2_block1_0_bn ... conv2_block6_concat     (6 dense layers)
       transition1             pool2_bn, pool2_relu, pool2_conv, pool2_pool
       denseblock2             conv3_*                                       (12 dense layers)
       transition2             pool3_*
       denseblock3             conv4_*                                       (24 dense layers)
       transition3             pool4_*
       denseblock4             conv5_*                                       (16 dense layers)

   so `denseblockN` is every layer whose name starts with `conv{N+1}_` and `transitionN` is
   `pool{N+1}_`. Freezing the early blocks trains fewer parameters, faster, and keeps the generic
   filters as they are.
4. Fine-tuning. After the new head has learned, unfreeze the LAST blocks (the most
   ImageNet-specific ones) and train on with a small learning rate. Keep every BatchNormalization
   layer frozen: a frozen BatchNormalization layer also stops updating its moving mean and
   variance, which protects the pretrained statistics from small, differently distributed batches.

Use `weights=None` (random initial weights) to try things quickly: layer names and shapes do not
depend on the weights. Work through the functions in order; check yourself with
`python -m pytest tests/graded`.
"""

import keras
from keras import layers

#: The smallest input side DenseNet121 accepts (keras.applications.densenet).
DENSENET_MIN_SIZE = 32
#: DenseNet121's dense blocks, first to last.
DENSE_BLOCKS = ("denseblock1", "denseblock2", "denseblock3", "denseblock4")


def build_input_adapter(input_shape=(28, 28, 1), size=DENSENET_MIN_SIZE):
    """A small model that makes grey images fit an ImageNet network.

    It repeats the single grey channel three times (`layers.Concatenate` of the input with itself)
    and resizes the result to `size` x `size` with `layers.Resizing` (bilinear, the default).
    Pixel values are not changed otherwise.

    Args:
        input_shape: Shape of one grey image, `(height, width, 1)`. Defaults to `(28, 28, 1)`.
        size: Side of the output images. Defaults to `32`.

    Returns:
        A `keras.Model` from `input_shape` to `(size, size, 3)`.
    """
    inputs = keras.Input(shape=input_shape)
    # BEGIN SOLUTION
    rgb = layers.Concatenate(axis=-1)([inputs, inputs, inputs])
    outputs = layers.Resizing(size, size)(rgb)
    # END SOLUTION
    return keras.Model(inputs, outputs, name="input_adapter")


def replace_head(base, num_classes):
    """Puts a new classifier on top of a network built with `include_top=False`.

    The base's output is a feature map (batch, h, w, channels). Add a `GlobalAveragePooling2D`
    layer (one number per channel) and a `Dense(num_classes, activation="softmax")` layer.

    Args:
        base: A `keras.Model` whose output is a 4-D feature map, e.g.
            `keras.applications.DenseNet121(include_top=False, weights=None, input_shape=(32, 32, 3))`.
        num_classes: Number of classes of the new task.

    Returns:
        A `keras.Model` from the base's input to `(num_classes,)` class probabilities. The base's
        layers and weights are reused, not copied.
    """
    # BEGIN SOLUTION
    features = layers.GlobalAveragePooling2D()(base.output)
    outputs = layers.Dense(num_classes, activation="softmax")(features)
    return keras.Model(base.input, outputs)
    # END SOLUTION


def build_digit_classifier(num_classes=10, weights=None):
    """DenseNet121 for 28x28 grey digits: input adapter, DenseNet121 base, new head.

    Hint: call a model like a layer: `x = adapter(inputs)` then `x = base(x)`. Build the base
    with `keras.applications.DenseNet121(include_top=False, weights=weights,
    input_shape=(32, 32, 3))` and reuse `build_input_adapter` and `replace_head`.

    Args:
        num_classes: Number of classes. Defaults to `10`.
        weights: `None` (random) or `"imagenet"`. Defaults to `None`.

    Returns:
        A `keras.Model` from `(28, 28, 1)` images to `(num_classes,)` probabilities.
    """
    inputs = keras.Input(shape=(28, 28, 1))
    # BEGIN SOLUTION
    adapter = build_input_adapter((28, 28, 1), DENSENET_MIN_SIZE)
    base = keras.applications.DenseNet121(
        include_top=False, weights=weights, input_shape=(DENSENET_MIN_SIZE, DENSENET_MIN_SIZE, 3)
    )
    classifier = replace_head(base, num_classes)
    outputs = classifier(adapter(inputs))
    # END SOLUTION
    return keras.Model(inputs, outputs, name="densenet121_digits")


def densenet_block_prefix(block):
    """The prefix Keras gives the layer names of a DenseNet121 block.

    `"denseblock1"` -> `"conv2_"`, `"denseblock4"` -> `"conv5_"`, `"transition1"` -> `"pool2_"`:
    Keras counts the stem as stage 1, so block N is stage N + 1.

    Args:
        block: `"denseblock1"` ... `"denseblock4"` or `"transition1"` ... `"transition3"`.

    Returns:
        The layer-name prefix, ending in an underscore.

    Raises:
        ValueError: for any other name.
    """
    # BEGIN SOLUTION
    for kind, keras_name in (("denseblock", "conv"), ("transition", "pool")):
        number = block[len(kind) :] if block.startswith(kind) else ""
        if number.isdigit() and 1 <= int(number) <= (4 if kind == "denseblock" else 3):
            return f"{keras_name}{int(number) + 1}_"
    # END SOLUTION
    raise ValueError(f"Unknown block {block!r}. Valid blocks: denseblock1-4, transition1-3.")


def freeze_dense_blocks(model, blocks):
    """Freezes every layer of the named DenseNet121 blocks; other layers are left as they are.

    Loop over `model.layers` and set `layer.trainable = False` where `layer.name` starts with the
    prefix of one of `blocks` (see `densenet_block_prefix`).

    Args:
        model: A DenseNet121 built with `include_top=False` (its layers are `model.layers`).
        blocks: Block names, e.g. `["denseblock1"]` or `["denseblock1", "transition1"]`.

    Returns:
        The same model (changed in place), so that calls can be chained.
    """
    prefixes = tuple(densenet_block_prefix(block) for block in blocks)  # SOLUTION
    # BEGIN SOLUTION
    for layer in model.layers:
        if layer.name.startswith(prefixes):
            layer.trainable = False
    # END SOLUTION
    return model


def unfreeze_top_dense_blocks(model, n_blocks):
    """Prepares DenseNet121 for fine-tuning: only the last `n_blocks` dense blocks may learn.

    First freeze every layer. Then make trainable the layers of the last `n_blocks` dense blocks
    (`n_blocks=1`: denseblock4, the `conv5_` layers; `n_blocks=2`: also denseblock3), except the
    BatchNormalization layers, which stay frozen (inference mode, moving statistics kept).

    Args:
        model: A DenseNet121 built with `include_top=False`.
        n_blocks: How many dense blocks, counted from the top, to unfreeze (1 to 4).

    Returns:
        The same model (changed in place).
    """
    top = DENSE_BLOCKS[len(DENSE_BLOCKS) - n_blocks :]
    # BEGIN SOLUTION
    prefixes = tuple(densenet_block_prefix(block) for block in top)
    for layer in model.layers:
        is_batchnorm = isinstance(layer, layers.BatchNormalization)
        layer.trainable = layer.name.startswith(prefixes) and not is_batchnorm
    # END SOLUTION
    return model
