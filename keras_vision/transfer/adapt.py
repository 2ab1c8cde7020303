"""Fitting course images to an ImageNet network, inside the model.

A 28x28 grayscale digit cannot enter DenseNet121 as it is: the network wants three channels, at
least 32x32 pixels, and pixels scaled the way its ImageNet weights were trained. Doing these steps
inside the model (rather than in the data pipeline) means the saved model takes the same raw
images as the dataset loaders give, and no caller can forget a step or apply it twice:

    image (H, W, C) raw 0..255
      -> input_adapter_rgb         grayscale repeated to 3 channels (only when C == 1)
      -> input_adapter_resize      bilinear resize to the base size (only when it differs)
      -> input_adapter_preprocess  the architecture's `preprocess_input` (only if asked)
"""

from __future__ import annotations

import keras
from keras import layers

from keras_vision.transfer.applications import get_application


@keras.saving.register_keras_serializable(package="keras_vision")
class ApplicationPreprocessing(layers.Layer):
    """Applies `APPLICATIONS.get(arch).preprocess_input` as a layer; saved models keep it.

    Args:
        arch: Registered architecture name, e.g. `"densenet121"`.
        **kwargs: Base `Layer` arguments (`name`, ...).
    """

    def __init__(self, arch: str, **kwargs):
        super().__init__(**kwargs)
        self.arch = get_application(arch).name

    def call(self, inputs):
        return get_application(self.arch).preprocess_input(keras.ops.cast(inputs, self.compute_dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "arch": self.arch}


def adapt_input(
    x,
    *,
    arch: str,
    size: tuple[int, int] | None,
    preprocess: bool = True,
):
    """Adds the input adapter layers to the symbolic tensor `x` (shape (batch, H, W, C)).

    Args:
        x: A Keras tensor of raw images, C in {1, 3}.
        arch: Registered architecture whose preprocessing to apply.
        size: `(height, width)` to resize to, or None to keep the input size.
        preprocess: Whether to add the architecture's `preprocess_input`. Defaults to `True`.

    Returns:
        A Keras tensor with 3 channels, of spatial size `size`, ready for the base model.
    """
    if x.shape[-1] == 1:
        x = layers.Concatenate(axis=-1, name="input_adapter_rgb")([x, x, x])
    if size is not None and tuple(x.shape[1:3]) != tuple(size):
        x = layers.Resizing(*size, interpolation="bilinear", name="input_adapter_resize")(x)
    if preprocess:
        x = ApplicationPreprocessing(arch, name="input_adapter_preprocess")(x)
    return x


def base_input_size(
    input_shape: tuple[int | None, int | None, int],
    *,
    min_size: int,
    base_size: int | tuple[int, int] | None,
) -> tuple[int, int] | None:
    """Chooses the spatial size the base model sees.

    Args:
        input_shape: `(H, W, C)` of the images given to the classifier.
        min_size: The architecture's smallest accepted side.
        base_size: The caller's choice: a side, an `(height, width)` pair, or None for "the input
            size, raised to `min_size` where it is smaller".

    Returns:
        `(height, width)`, or None when the input has unknown spatial size and no `base_size`.

    Raises:
        ValueError: if `base_size` is smaller than `min_size` or not positive integers.
    """
    height, width = input_shape[:2]
    if base_size is None:
        if height is None or width is None:
            return None
        return max(height, min_size), max(width, min_size)
    size = (base_size, base_size) if isinstance(base_size, int) else tuple(base_size)
    if len(size) != 2 or not all(isinstance(s, int) for s in size) or min(size) < min_size:
        raise ValueError(
            f"`base_size` must be a side or (height, width) of at least {min_size} pixels for this "
            f"architecture, e.g. {max(min_size, 32)} or 64. Received: base_size={base_size!r}."
        )
    return size
