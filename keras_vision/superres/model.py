"""SRCNN: three convolutions that turn a bicubic-upscaled image into a sharper one.

Dong et al. read the three layers as the steps of sparse-coding super-resolution:

1. patch extraction: a 9x9 convolution with 64 filters (ReLU) describes every patch;
2. non-linear mapping: a 1x1 (or 5x5) convolution with 32 filters (ReLU) maps each description
   to one of the high-resolution patch;
3. reconstruction: a 5x5 convolution with one filter per colour channel (linear) averages the
   overlapping high-resolution patches into the output image.

Layouts are named by their kernel sides, as in the paper: `"9-1-5"` (the base model), `"9-3-5"`
and `"9-5-5"` (wider mapping, slightly better, slower). Unlike the paper, every layer uses
`"same"` padding, so the output has the size of the input. With `residual=True` the network
predicts only the *residual* (the detail bicubic lost) and adds the input back, which trains much
faster (Kim et al., VDSR, CVPR 2016).

Reference: Dong et al., "Image Super-Resolution Using Deep Convolutional Networks", TPAMI 2016.
"""

from __future__ import annotations

import keras

#: Layout name -> kernel sides of (patch extraction, mapping, reconstruction).
SRCNN_LAYOUTS = {"9-1-5": (9, 1, 5), "9-3-5": (9, 3, 5), "9-5-5": (9, 5, 5)}


def build_srcnn(
    input_shape=(None, None, 3), *, layout: str = "9-1-5", filters=(64, 32), residual: bool = False, name: str = "srcnn"
):
    """Builds SRCNN as a fully convolutional `keras.Model` (any image size).

    Args:
        input_shape: (H, W, C) of the bicubic-upscaled input; H and W may be `None`. The output
            has C channels (3 for RGB). Defaults to `(None, None, 3)`.
        layout: A key of `SRCNN_LAYOUTS`. Defaults to `"9-1-5"`.
        filters: Filters of the first two layers. Defaults to `(64, 32)` (the paper's).
        residual: Predict the residual and add the input (`{name}_residual`). Defaults to `False`.
        name: Model name and layer-name prefix: `{name}_patch_extraction`, `{name}_mapping`,
            `{name}_reconstruction`.

    Returns:
        A `keras.Model` from `input_shape` to an image of the same shape.

    Raises:
        ValueError: for an unknown layout (the valid ones are listed) or bad filters.
    """

    if layout not in SRCNN_LAYOUTS:
        raise ValueError(f"Unknown SRCNN layout {layout!r}. Valid layouts: {', '.join(SRCNN_LAYOUTS)}.")
    if len(filters) != 2 or any(isinstance(f, bool) or not isinstance(f, int) or f < 1 for f in filters):
        raise ValueError(f"`filters` must be two positive integers, e.g. (64, 32). Received: filters={filters!r}.")
    extract, mapping, reconstruct = SRCNN_LAYOUTS[layout]
    inputs = keras.Input(shape=input_shape, name=f"{name}_input")
    x = keras.layers.Conv2D(filters[0], extract, padding="same", activation="relu", name=f"{name}_patch_extraction")(
        inputs
    )
    x = keras.layers.Conv2D(filters[1], mapping, padding="same", activation="relu", name=f"{name}_mapping")(x)
    x = keras.layers.Conv2D(input_shape[-1], reconstruct, padding="same", name=f"{name}_reconstruction")(x)
    if residual:
        x = keras.layers.Add(name=f"{name}_residual")([inputs, x])
    return keras.Model(inputs, x, name=name)
