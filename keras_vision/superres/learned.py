"""Super-resolution networks that upsample *inside*: ESPCN (sub-pixel convolution) and FSRCNN
(transposed convolution).

SRCNN first enlarges the image with bicubic interpolation and then runs every convolution at the
high resolution: `scale**2` times more positions than the low-resolution image has, and a fixed,
hand-made upsampling filter. The two networks here take the low-resolution (LR) image itself, do
their work at its size, and learn the upsampling as their last layer:

- ESPCN (Shi et al., CVPR 2016): 5x5 conv (64), 3x3 conv (32), then a sub-pixel convolution
  (`keras_vision.upsample.subpixel_upsampler`): a 3x3 conv to `3 * scale**2` channels, shuffled
  into a `scale` times larger RGB image.
- FSRCNN (Dong, Loy and Tang, ECCV 2016): 5x5 feature extraction (d=56), 1x1 shrinking (s=12),
  m=4 3x3 mapping layers, 1x1 expanding (d), then a 9x9 transposed convolution of stride `scale`
  (`keras_vision.upsample.transpose_upsampler`, which adds a 3x3 conv after it).

Departures from the papers, for a CPU course: ReLU instead of ESPCN's tanh and FSRCNN's PReLU, RGB
instead of the Y channel only, and (with `residual=True`) a global skip that adds the bicubic
upscale of the input (`UpSampling2D(interpolation="bicubic")`), so the network learns only the
detail bicubic misses, as the residual SRCNN does (VDSR, Kim et al. 2016).

References: Shi et al., "Real-Time Single Image and Video Super-Resolution Using an Efficient
Sub-Pixel Convolutional Neural Network", CVPR 2016; Dong, Loy and Tang, "Accelerating the
Super-Resolution Convolutional Neural Network", ECCV 2016.
"""

from __future__ import annotations

import keras

from keras_vision.superres.degradation import check_scale
from keras_vision.upsample import subpixel_upsampler, transpose_upsampler


def _bicubic_skip(inputs, x, *, scale: int, name: str):
    """`x + bicubic upscale of inputs`: the network's output becomes a residual over bicubic."""
    upscaled = keras.layers.UpSampling2D(scale, interpolation="bicubic", name=f"{name}_bicubic")(inputs)
    return keras.layers.Add(name=f"{name}_residual")([upscaled, x])


def build_espcn(
    input_shape=(None, None, 3), *, scale: int, filters=(64, 32), residual: bool = False, name: str = "espcn"
):
    """Builds ESPCN: two convolutions at the LR size and a sub-pixel convolution to `scale` x larger.

    Args:
        input_shape: (H, W, C) of the low-resolution input; H and W may be `None`. Defaults to
            `(None, None, 3)`.
        scale: Upsampling factor (2, 3, 4, ...).
        filters: Filters of the 5x5 and 3x3 layers. Defaults to `(64, 32)` (the paper's).
        residual: Add the bicubic upscale of the input to the output (`{name}_residual`). Defaults
            to `False`.
        name: Model name and layer-name prefix: `{name}_conv1`, `{name}_conv2`, `{name}_upsample_conv`,
            `{name}_upsample_shuffle`.

    Returns:
        A `keras.Model` from (H, W, C) to (H * scale, W * scale, C).

    Raises:
        ValueError: for a bad scale or filters.
    """
    scale = check_scale(scale)
    _check_filters(filters, 2, "(64, 32)")
    inputs = keras.Input(shape=input_shape, name=f"{name}_input")
    x = keras.layers.Conv2D(filters[0], 5, padding="same", activation="relu", name=f"{name}_conv1")(inputs)
    x = keras.layers.Conv2D(filters[1], 3, padding="same", activation="relu", name=f"{name}_conv2")(x)
    x = subpixel_upsampler(input_shape[-1], factor=scale, kernel_size=3, name=f"{name}_upsample")(x)
    if residual:
        x = _bicubic_skip(inputs, x, scale=scale, name=name)
    return keras.Model(inputs, x, name=name)


def build_fsrcnn(
    input_shape=(None, None, 3),
    *,
    scale: int,
    d: int = 56,
    s: int = 12,
    m: int = 4,
    residual: bool = False,
    name: str = "fsrcnn",
):
    """Builds FSRCNN(d, s, m): an hourglass of convolutions at the LR size, then a 9x9 transposed convolution.

    Args:
        input_shape: (H, W, C) of the low-resolution input. Defaults to `(None, None, 3)`.
        scale: Upsampling factor, the stride of the transposed convolution.
        d: Filters of feature extraction and expanding. Defaults to `56`.
        s: Filters of shrinking and mapping. Defaults to `12`.
        m: Number of 3x3 mapping layers. Defaults to `4`.
        residual: Add the bicubic upscale of the input to the output. Defaults to `False`.
        name: Model name and layer-name prefix: `{name}_extract`, `{name}_shrink`, `{name}_map1`...,
            `{name}_expand`, `{name}_upsample_transpose`, `{name}_upsample_conv`.

    Returns:
        A `keras.Model` from (H, W, C) to (H * scale, W * scale, C).

    Raises:
        ValueError: for a bad scale, `d`, `s` or `m`.
    """
    scale = check_scale(scale)
    _check_filters((d, s, m), 3, "d=56, s=12, m=4")
    inputs = keras.Input(shape=input_shape, name=f"{name}_input")
    x = keras.layers.Conv2D(d, 5, padding="same", activation="relu", name=f"{name}_extract")(inputs)
    x = keras.layers.Conv2D(s, 1, padding="same", activation="relu", name=f"{name}_shrink")(x)
    for i in range(1, m + 1):
        x = keras.layers.Conv2D(s, 3, padding="same", activation="relu", name=f"{name}_map{i}")(x)
    x = keras.layers.Conv2D(d, 1, padding="same", activation="relu", name=f"{name}_expand")(x)
    x = transpose_upsampler(input_shape[-1], 9, scale, activation=None, name=f"{name}_upsample")(x)
    if residual:
        x = _bicubic_skip(inputs, x, scale=scale, name=name)
    return keras.Model(inputs, x, name=name)


def _check_filters(values, count: int, example: str) -> None:
    if len(values) != count or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
        raise ValueError(f"Expected {count} positive integers ({example}). Received: {values!r}.")
