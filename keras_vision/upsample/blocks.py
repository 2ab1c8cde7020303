"""The two learned upsamplers as Keras blocks, a registry of them, and a one-block model builder.

- `transpose_upsampler`: `Conv2DTranspose(strides)` then a 3x3 `Conv2D`. When the kernel size is
  not a multiple of the stride, the kernel windows overlap unevenly and even a constant input comes
  out as a periodic pattern of period `stride`: the *checkerboard artifact*.
- `resize_upsampler`: `UpSampling2D` then `Conv2D`. Every output pixel sees the same number of
  input pixels, so a constant input stays constant (away from the border).
- `UPSAMPLERS`: both kinds by name (`"transpose"`, `"resize"`), with one signature, for
  `build_upsampler` and the GAN generator.

Reference: Odena, Dumoulin and Olah, "Deconvolution and Checkerboard Artifacts", Distill 2016.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_vision.registry import Registry

#: Interpolations of `keras.layers.UpSampling2D`.
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")


def transpose_upsampler(
    filters: int, kernel_size: int = 3, strides: int = 2, *, activation: str | None = "relu", name: str
):
    """Upsampling block: `Conv2DTranspose(strides)` then a 3x3 `Conv2D`, both with `"same"` padding.

    Like the blocks of `keras.applications.convnext`, it returns a function to call on a tensor:
    `x = transpose_upsampler(64, name="up1")(x)` makes `x` `strides` times larger.

    Args:
        filters: Output channels of both layers.
        kernel_size: Side of the transposed-convolution kernel. Defaults to `3` (not a multiple of
            `strides=2`: uneven overlap, the checkerboard case).
        strides: Upsampling factor. Defaults to `2`.
        activation: Activation of both layers. Defaults to `"relu"`.
        name: Prefix of the layer names: `{name}_transpose`, `{name}_conv`.

    Returns:
        A function `apply(x) -> tensor` from (batch, H, W, C) to (batch, H * strides, W * strides, filters).
    """

    _check_block_args(filters, kernel_size, strides, "strides")

    def apply(x):
        x = keras.layers.Conv2DTranspose(
            filters, kernel_size, strides=strides, padding="same", activation=activation, name=f"{name}_transpose"
        )(x)
        return keras.layers.Conv2D(filters, 3, padding="same", activation=activation, name=f"{name}_conv")(x)

    return apply


def resize_upsampler(
    filters: int,
    interpolation: str = "nearest",
    *,
    size: int = 2,
    kernel_size: int = 3,
    activation: str | None = "relu",
    name: str,
):
    """Upsampling block: `UpSampling2D(size, interpolation)` then a `Conv2D` with `"same"` padding.

    Same output shape as `transpose_upsampler(filters, strides=size)`; free of checkerboard
    artifacts because the resize spreads every input pixel evenly.

    Args:
        filters: Output channels.
        interpolation: One of `INTERPOLATIONS`. Defaults to `"nearest"`.
        size: Upsampling factor. Defaults to `2`.
        kernel_size: Side of the convolution kernel. Defaults to `3`.
        activation: Activation of the convolution. Defaults to `"relu"`.
        name: Prefix of the layer names: `{name}_resize`, `{name}_conv`.

    Returns:
        A function `apply(x) -> tensor` from (batch, H, W, C) to (batch, H * size, W * size, filters).
    """

    _check_block_args(filters, kernel_size, size, "size")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(
            f"Unknown interpolation {interpolation!r}. Valid: {', '.join(INTERPOLATIONS)}. "
            f"Received: interpolation={interpolation!r}."
        )

    def apply(x):
        x = keras.layers.UpSampling2D(size, interpolation=interpolation, name=f"{name}_resize")(x)
        return keras.layers.Conv2D(filters, kernel_size, padding="same", activation=activation, name=f"{name}_conv")(x)

    return apply


def _check_block_args(filters, kernel_size, factor, factor_name: str) -> None:
    for arg, value in (("filters", filters), ("kernel_size", kernel_size), (factor_name, factor)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r}.")


def _transpose_kind(filters, *, factor, kernel_size, interpolation, activation, name):
    del interpolation  # a transposed convolution has none
    return transpose_upsampler(filters, kernel_size, factor, activation=activation, name=name)


def _resize_kind(filters, *, factor, kernel_size, interpolation, activation, name):
    return resize_upsampler(
        filters, interpolation, size=factor, kernel_size=kernel_size, activation=activation, name=name
    )


#: Upsampler kinds for `build_upsampler`: name -> block function with one common signature.
UPSAMPLERS: Registry = Registry("upsampler")
UPSAMPLERS.register("transpose", _transpose_kind)
UPSAMPLERS.register("resize", _resize_kind)


def build_upsampler(
    kind: str,
    input_shape=(16, 16, 8),
    *,
    filters: int = 8,
    factor: int = 2,
    kernel_size: int = 3,
    interpolation: str = "nearest",
    activation: str | None = "relu",
    name: str | None = None,
):
    """A small `keras.Model` made of one upsampler block, to look at what it does.

    Args:
        kind: `"transpose"` (`transpose_upsampler`) or `"resize"` (`resize_upsampler`).
        input_shape: (H, W, C) of the input. Defaults to `(16, 16, 8)`.
        filters: Output channels. Defaults to `8`.
        factor: Upsampling factor (`strides` / `size`). Defaults to `2`.
        kernel_size: Kernel side of the transposed convolution (`"transpose"`) or of the
            convolution after the resize (`"resize"`). Defaults to `3`.
        interpolation: Resize interpolation (`"resize"` only). Defaults to `"nearest"`.
        activation: Activation of the block's layers. Defaults to `"relu"`.
        name: Model name, also the layer-name prefix. Defaults to `kind + "_upsampler"`.

    Returns:
        A `keras.Model` from `input_shape` to (H * factor, W * factor, filters).

    Raises:
        ValueError: for an unknown kind (the message lists the valid ones) or bad sizes.
    """

    name = name or f"{kind}_upsampler"
    block = UPSAMPLERS.get(kind)(
        filters, factor=factor, kernel_size=kernel_size, interpolation=interpolation, activation=activation, name=name
    )
    inputs = keras.Input(shape=input_shape, name=f"{name}_input")
    return keras.Model(inputs, block(inputs), name=name)
