"""Transfer-learning classifiers: an ImageNet base with a new head, any image size in.

`build_classifier("densenet121", 10, (28, 28, 1))` gives one Keras model:

    image (28, 28, 1), raw pixels 0..255
    input_adapter_rgb, input_adapter_resize, input_adapter_preprocess   (see `adapt.py`)
    densenet121          the keras.applications base, include_top=False, as ONE nested layer
    head_pool            GlobalAveragePooling2D ("avg"), GlobalMaxPooling2D ("max") or Flatten
    head_dropout         Dropout (only when dropout > 0)
    head_predictions     Dense(num_classes, softmax)

Why nested: the base is exactly the model `keras.applications` builds, so its ImageNet (or
your own) weights file loads unchanged, `classifier.get_layer(base_name)` hands it back whole for
feature extraction, and freezing by block (`keras_vision.transfer.blocks`) looks inside it by
Keras' layer names. Layers of the base are reached with
`classifier.get_layer("densenet121").get_layer("conv2_block1_1_conv")`.

Why preprocessing inside: the model then takes the raw 0..255 RGB (or grayscale) pixels that the
course's loaders return, in training, evaluation and after saving. Pass `preprocess=False` if
your pipeline already applies `APPLICATIONS.get(arch).preprocess_input`.
"""

from __future__ import annotations

import os

import keras
from keras import layers

from keras_vision.errors import UsageError
from keras_vision.transfer.adapt import adapt_input, base_input_size
from keras_vision.transfer.applications import Application, get_application
from keras_vision.transfer.weights import resolve_weights

#: Pooling layers of the new head.
HEAD_POOLING = {
    "avg": layers.GlobalAveragePooling2D,
    "max": layers.GlobalMaxPooling2D,
    "flatten": layers.Flatten,
}
#: Builder arguments `build_classifier` sets itself.
_RESERVED_BASE_KWARGS = ("include_top", "weights", "input_shape", "input_tensor", "pooling", "classes")


def build_base(
    arch: str,
    input_shape: tuple[int | None, int | None, int],
    *,
    weights: str | os.PathLike | None = None,
    **base_kwargs,
) -> keras.Model:
    """Builds the `keras.applications` model `arch` without its top, weights resolved offline-first.

    Args:
        arch: Registered architecture name (any case), e.g. `"mobilenet"`.
        input_shape: `(H, W, 3)` the base sees.
        weights: `None`/`"none"`, `"imagenet"` or a weights file path (see `resolve_weights`).
            Defaults to `None`.
        **base_kwargs: More builder arguments, e.g. `alpha=0.25` for MobileNet.

    Returns:
        The Keras application model, `include_top=False`, with Keras' own layer names.

    Raises:
        ValueError: for an unknown `arch`, a reserved keyword in `base_kwargs` or bad `weights`.
        WeightsNotFoundError: if the weights are neither on disk nor downloadable.
    """
    app = get_application(arch)
    reserved = sorted(set(base_kwargs) & set(_RESERVED_BASE_KWARGS))
    if reserved:
        raise UsageError(
            f"Do not pass {reserved} to the base of {app.name}: build_classifier sets "
            f"{', '.join(_RESERVED_BASE_KWARGS)} itself. Received: {base_kwargs}."
        )
    size = input_shape[0] if input_shape[0] == input_shape[1] else None
    resolved = resolve_weights(weights, app, input_size=size, alpha=base_kwargs.get("alpha", 1.0))
    return app.constructor(include_top=False, weights=resolved, input_shape=tuple(input_shape), **base_kwargs)


def build_classifier(
    arch: str,
    num_classes: int,
    input_shape: tuple[int | None, int | None, int],
    *,
    weights: str | os.PathLike | None = "imagenet",
    base_size: int | tuple[int, int] | None = None,
    dropout: float = 0.0,
    head: str = "avg",
    preprocess: bool = True,
    name: str | None = None,
    **base_kwargs,
) -> keras.Model:
    """Builds input adapter + `keras.applications` base + a new softmax head, as one model.

    The model takes raw pixels in [0, 255] (with `preprocess=True`), grayscale or RGB, of
    `input_shape`; it converts grayscale to RGB, resizes to the base size and applies the
    architecture's `preprocess_input` itself.

    Args:
        arch: Registered architecture (any case), one of `APPLICATIONS.names()`: densenet121/169/201,
            resnet50/101, resnet50v2, vgg16, mobilenet, mobilenetv2, efficientnetb0, inceptionv3.
        num_classes: Number of output classes (>= 2).
        input_shape: `(H, W, C)` of the images, C = 1 (grayscale) or 3 (RGB).
        weights: `"imagenet"` (Keras cache, else download when possible, else
            `WeightsNotFoundError`), `None`/`"none"`, or the path of a `.h5`/`.weights.h5`
            file of the base. Defaults to `"imagenet"`.
        base_size: Side (or `(height, width)`) the base sees; must be at least the
            architecture's `min_size`. Defaults to `None`: the input size, raised to `min_size`
            (32) where smaller. Larger sizes (64, 96, 128...) usually transfer better but cost more.
        dropout: Dropout rate before the predictions. Defaults to `0.0` (no dropout layer).
        head: Pooling of the base's feature map: `"avg"`, `"max"` or `"flatten"`.
            Defaults to `"avg"`.
        preprocess: Whether the model applies the architecture's `preprocess_input`. Defaults
            to `True`.
        name: Model name. Defaults to `"<arch>_classifier"`.
        **base_kwargs: More base builder arguments, e.g. `alpha=0.25` for MobileNet.

    Returns:
        An uncompiled `keras.Model` whose base is the nested layer named like the Keras model
        (`classifier.layers` holds it; `keras_vision.transfer.find_base` finds it).

    Raises:
        ValueError: for an unknown `arch` or `head`, a bad `input_shape`, `num_classes`,
            `dropout`, `base_size` or `weights`.
        WeightsNotFoundError: if `weights="imagenet"` cannot be found nor downloaded, or the
            weights file does not exist.
    """
    app = get_application(arch)
    _check_classifier_args(app, num_classes, input_shape, dropout, head)
    size = base_input_size(input_shape, min_size=app.min_size, base_size=base_size)
    base_shape = (*(size or input_shape[:2]), 3)
    base = build_base(app.name, base_shape, weights=weights, **base_kwargs)

    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = adapt_input(inputs, arch=app.name, size=size, preprocess=preprocess)
    x = base(x)
    x = HEAD_POOLING[head](name="head_pool")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="head_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="head_predictions")(x)
    return keras.Model(inputs, outputs, name=name or f"{app.name}_classifier")


def _check_classifier_args(app: Application, num_classes, input_shape, dropout, head) -> None:
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"`num_classes` must be an integer >= 2. Received: num_classes={num_classes!r}.")
    if len(input_shape) != 3 or input_shape[-1] not in (1, 3):
        raise ValueError(
            "`input_shape` must be (height, width, channels) with 1 (grayscale) or 3 (RGB) "
            f"channels, e.g. (28, 28, 1) or (32, 32, 3). Received: input_shape={input_shape!r}."
        )
    if any(side is not None and side < 1 for side in input_shape[:2]):
        raise ValueError(f"`input_shape` sides must be positive. Received: input_shape={input_shape!r}.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout!r}.")
    if head not in HEAD_POOLING:
        raise ValueError(f"Unknown head {head!r}. Valid heads: {', '.join(HEAD_POOLING)}. Received: head={head!r}.")
