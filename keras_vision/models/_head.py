"""The classifier end shared by the builders (dense baselines, VGG, ResNet), as keras.applications has it."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from keras_vision.models.checks import check_num_classes, check_rate

#: `pooling` -> the layer that turns the feature map into a vector, and its keras.applications name.
_POOLING = {"avg": (layers.GlobalAveragePooling2D, "avg_pool"), "flatten": (layers.Flatten, "flatten")}


def dense_stack(x, units: Sequence[int], *, dropout: float = 0.0, regularizer=None, name: str = "fc"):
    """Dense(relu) layers named `{name}1`, `{name}2`, ..., each followed by dropout if `dropout > 0`.

    Args:
        x: Input tensor (flat features).
        units: Units of each hidden layer, in order.
        dropout: Dropout rate after each hidden layer; `0` adds no dropout layer. Defaults to `0`.
        regularizer: Kernel regularizer of each layer (e.g. `keras.regularizers.L2(5e-4)`).
        name: Prefix of the layer names. Defaults to `"fc"`.

    Returns:
        The output tensor of the last layer.
    """
    for i, n in enumerate(units, start=1):
        x = layers.Dense(n, activation="relu", kernel_regularizer=regularizer, name=f"{name}{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"{name}{i}_dropout")(x)
    return x


def classifier_model(
    inputs,
    features,
    num_classes: int,
    *,
    include_top: bool,
    pooling: str,
    dense_units: Sequence[int] = (),
    dropout: float = 0.0,
    name: str,
) -> keras.Model:
    """`keras.Model(inputs, ...)` ending at `features`, or at a softmax classifier on them.

    With `include_top`, the top is keras.applications': the feature map becomes a vector
    (`pooling="avg"`: global average pooling `avg_pool`, as ResNet; `"flatten"`: `flatten`, as
    VGG, whose dense layers then depend on the input size), goes through the hidden dense layers
    `fc1`, `fc2`, ... and ends at `predictions` (Dense, softmax). Without it the model ends at
    `features`, ready for a new head (transfer learning); `num_classes` and `dropout` are then
    not checked.

    Args:
        inputs: The model's input tensor (`keras.Input`).
        features: The last feature map (N, H, W, C), computed from `inputs`.
        num_classes: Size of the softmax output.
        include_top: Add the classifier.
        pooling: `"avg"` or `"flatten"`.
        dense_units: Units of the hidden dense layers. Defaults to `()` (none).
        dropout: Dropout rate after each hidden dense layer; `0` adds no layer. Defaults to `0`.
        name: Model name.

    Returns:
        An uncompiled `keras.Model`.
    """
    x = features
    if include_top:
        pool, pool_name = _POOLING[pooling]
        x = dense_stack(pool(name=pool_name)(x), tuple(dense_units), dropout=check_rate(dropout, "dropout"))
        x = layers.Dense(  # float32 even under a mixed-precision policy: a stable softmax
            check_num_classes(num_classes), activation="softmax", dtype="float32", name="predictions"
        )(x)
    return keras.Model(inputs, x, name=name)
