"""Exercise 1: convolutions and pooling, by hand and then in Keras.

A photograph is a grid of numbers. To find an edge, slide a small grid of weights, a 3x3 *filter*
(or *kernel*), over the image: at every position multiply the nine pixels under it by the nine
weights and add the products up. Where the image does not change, the sum is near zero; where it
changes in the way the kernel "looks for", the sum is large. The vertical-edge kernel

     1  0 -1
     1  0 -1
     1  0 -1

gives a large positive value where the image is bright on the left and dark on the right. Without
padding, the 3x3 window fits 26 times across a 28-pixel row, so the output is 26x26.

Max pooling then keeps the largest value of every 2x2 block: it halves the height and the width and
keeps the strongest responses. A classic network stacks both, and the sizes follow from the rule
`floor((size - window) / stride) + 1`:

    28x28x1 -> Conv2D(64, 3x3) -> 26x26x64 -> MaxPooling2D(2) -> 13x13x64
            -> Conv2D(64, 3x3) -> 11x11x64 -> MaxPooling2D(2) ->  5x5x64
            -> Flatten -> 1600 -> Dense(128, relu) -> Dense(10, softmax)

Work through the functions in order; check yourself with `python -m pytest tests/graded`.
"""

import numpy as np


def normalize_images(images):
    """Turns a batch of 8-bit grey images into what a network expects.

    Pixel values 0..255 become floats in [0, 1], and a channel axis is added, because Keras'
    Conv2D wants images shaped (height, width, channels).

    Args:
        images: uint8 array of shape (N, H, W) with values from 0 to 255.

    Returns:
        A float32 array of shape (N, H, W, 1) with values from 0 to 1.
    """
    # BEGIN SOLUTION
    scaled = np.asarray(images, dtype=np.float32) / 255.0
    return scaled[..., np.newaxis]
    # END SOLUTION


def apply_filter(image, kernel):
    """Slides `kernel` over `image` without padding and without flipping it.

    At each position (i, j) the output is the sum of `image[i:i+kh, j:j+kw] * kernel`. This is what
    deep-learning libraries call a convolution (mathematicians call it cross-correlation), so the
    result equals a Keras Conv2D layer with this kernel and no bias.

    Hint: two nested loops over the output positions are fine.

    Args:
        image: Array of shape (H, W).
        kernel: Array of shape (kh, kw), for example 3x3.

    Returns:
        A float32 array of shape (H - kh + 1, W - kw + 1).
    """
    image = np.asarray(image, dtype=np.float32)
    kernel = np.asarray(kernel, dtype=np.float32)
    kh, kw = kernel.shape
    out_h = image.shape[0] - kh + 1  # SOLUTION
    out_w = image.shape[1] - kw + 1  # SOLUTION
    # BEGIN SOLUTION
    output = np.zeros((out_h, out_w), dtype=np.float32)
    for i in range(out_h):
        for j in range(out_w):
            output[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return output
    # END SOLUTION


def vertical_edge_kernel():
    """The 3x3 kernel that responds to vertical edges (bright on the left, dark on the right).

    Returns:
        A float32 array of shape (3, 3): each row is 1, 0, -1.
    """
    # BEGIN SOLUTION
    return np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=np.float32)
    # END SOLUTION


def max_pool(image, size=2):
    """Keeps the largest value of every `size` x `size` block.

    Blocks do not overlap (the stride equals `size`); rows and columns that do not fill a whole
    block are dropped, so a 13x13 image pools to 6x6.

    Args:
        image: Array of shape (H, W) or (H, W, C); channels are pooled separately.
        size: Side of the pooling window. Defaults to `2`.

    Returns:
        An array of shape (H // size, W // size) or (H // size, W // size, C).
    """
    image = np.asarray(image)
    out_h, out_w = image.shape[0] // size, image.shape[1] // size
    # BEGIN SOLUTION
    output = np.zeros((out_h, out_w) + image.shape[2:], dtype=image.dtype)
    for i in range(out_h):
        for j in range(out_w):
            block = image[i * size : (i + 1) * size, j * size : (j + 1) * size]
            output[i, j] = block.max(axis=(0, 1))
    return output
    # END SOLUTION


def build_classic_cnn(input_shape=(28, 28, 1), num_classes=10):
    """Builds the classic network of this exercise with Keras layers.

    Conv2D(64, 3x3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3x3, relu) -> MaxPooling2D(2)
    -> Flatten -> Dense(128, relu) -> Dense(num_classes, softmax).

    Args:
        input_shape: Shape of one image. Defaults to `(28, 28, 1)`.
        num_classes: Number of classes. Defaults to `10`.

    Returns:
        A `keras.Model` (not compiled). For 28x28x1 inputs its layers have 640, 36,928, 204,928 and
        1,290 parameters.
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape)
    # BEGIN SOLUTION
    x = layers.Conv2D(64, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    # END SOLUTION
    outputs = layers.Dense(num_classes, activation="softmax")(x)  # SOLUTION
    return keras.Model(inputs, outputs)


def conv_output_shape(input_shape, layers):
    """Predicts the output shape of a stack of convolution and pooling layers, without Keras.

    Every layer uses "valid" padding (no padding), so along each axis
    `out = (size - window) // stride + 1`.

    Args:
        input_shape: `(height, width, channels)`.
        layers: A list of tuples, one per layer:
            `("conv", filters, kernel_size)` or `("conv", filters, kernel_size, stride)`;
            `("pool", pool_size)` or `("pool", pool_size, stride)` (stride defaults to pool_size);
            `("flatten",)`.

    Returns:
        The output shape as a tuple: `(height, width, channels)`, or `(units,)` after a flatten.
    """
    shape = tuple(input_shape)
    for layer in layers:
        kind = layer[0]
        # BEGIN SOLUTION
        height, width, channels = shape
        if kind == "conv":
            filters, kernel = layer[1], layer[2]
            stride = layer[3] if len(layer) > 3 else 1
            shape = ((height - kernel) // stride + 1, (width - kernel) // stride + 1, filters)
        elif kind == "pool":
            size = layer[1]
            stride = layer[2] if len(layer) > 2 else size
            shape = ((height - size) // stride + 1, (width - size) // stride + 1, channels)
        elif kind == "flatten":
            shape = (height * width * channels,)
        else:
            raise ValueError(f"Unknown layer kind {kind!r}. Valid kinds: conv, pool, flatten.")
        # END SOLUTION
    return shape
