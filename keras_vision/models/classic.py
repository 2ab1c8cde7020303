"""The classic small CNN of the course: two conv/pool stages, then a dense classifier.

Input 28x28x1
block1_conv  Conv2D(64, 3x3, relu)   -> 26x26x64   (3*3*1*64 + 64   =     640 parameters)
block1_pool  MaxPooling2D(2)         -> 13x13x64
block2_conv  Conv2D(64, 3x3, relu)   -> 11x11x64   (3*3*64*64 + 64  =  36,928)
block2_pool  MaxPooling2D(2)         ->  5x5x64
flatten      Flatten                 ->  1600
fc1          Dense(128, relu)        ->  128       (1600*128 + 128  = 204,928)
predictions  Dense(10, softmax)      ->  10        (128*10 + 10     =   1,290)
"""

from __future__ import annotations

import keras
from keras import layers


def build_classic_cnn(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    num_classes: int = 10,
    *,
    filters: int = 64,
    kernel_size: int = 3,
    dense_units: int = 128,
    name: str = "classic_cnn",
) -> keras.Model:
    """Builds Conv2D-MaxPool-Conv2D-MaxPool-Flatten-Dense-Dense with readable layer names.

    Args:
        input_shape: Image shape (H, W, C). Defaults to `(28, 28, 1)` (MNIST).
        num_classes: Size of the softmax output. Defaults to `10`.
        filters: Filters of both convolutions. Defaults to `64`.
        kernel_size: Side of both square kernels. Defaults to `3`.
        dense_units: Units of the hidden dense layer. Defaults to `128`.
        name: Model name.

    Returns:
        An uncompiled `keras.Model` whose softmax output suits categorical cross-entropy.
    """
    if len(input_shape) != 3:
        raise ValueError(f"`input_shape` must be (height, width, channels), e.g. (28, 28, 1). Received: {input_shape}.")
    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for stage in (1, 2):
        x = layers.Conv2D(filters, kernel_size, activation="relu", name=f"block{stage}_conv")(x)
        x = layers.MaxPooling2D(2, name=f"block{stage}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(dense_units, activation="relu", name="fc1")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
