"""Sub-pixel convolution (ESPCN's learned upsampling): a convolution to `factor**2` times the
channels, then a *pixel shuffle* that rearranges each pixel's channels into a `factor` x `factor`
block of output pixels.

Every output pixel is computed by its own slice of one ordinary convolution, so the network does all
its work at the low resolution (`factor**2` times fewer positions than after a resize) and still
learns the upsampling filter. A transposed convolution with kernel `factor * k` and stride `factor`
is the same operation written differently (Shi et al. 2016, "Is the deconvolution layer the same
as a convolutional layer?"); with random initial weights the `factor**2` sub-filters differ, so a
freshly initialised sub-pixel layer shows a checkerboard too, which training removes.

Reference: Shi et al., "Real-Time Single Image and Video Super-Resolution Using an Efficient
Sub-Pixel Convolutional Neural Network", CVPR 2016 (arXiv:1609.05158).
"""

from __future__ import annotations

import keras

from keras_vision.upsample.blocks import _check_block_args


@keras.saving.register_keras_serializable(package="keras_vision")
class PixelShuffle(keras.layers.Layer):
    """Rearranges (H, W, C * factor**2) into (H * factor, W * factor, C): `keras.ops.depth_to_space`.

    Channel `(i * factor + j) * C + c` of input pixel (y, x) becomes channel `c` of output pixel
    (y * factor + i, x * factor + j), the order of TensorFlow's `depth_to_space`.

    Args:
        factor: The upsampling factor, a positive integer.
        **kwargs: `keras.layers.Layer` arguments (`name`, ...).
    """

    def __init__(self, factor: int, **kwargs):
        super().__init__(**kwargs)
        _check_block_args(1, 1, factor, "factor")
        self.factor = int(factor)

    def call(self, inputs):
        return keras.ops.depth_to_space(inputs, self.factor)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        if channels is not None and channels % self.factor**2:
            raise ValueError(
                f"PixelShuffle(factor={self.factor}) needs channels divisible by {self.factor**2}. "
                f"Received: {channels} channels."
            )
        scaled = [None if side is None else side * self.factor for side in (height, width)]
        return (batch, *scaled, None if channels is None else channels // self.factor**2)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def subpixel_upsampler(
    filters: int, *, factor: int = 2, kernel_size: int = 3, activation: str | None = None, name: str
):
    """Upsampling block: `Conv2D(filters * factor**2, kernel_size)` then `PixelShuffle(factor)`.

    `x = subpixel_upsampler(3, factor=2, name="espcn_upsample")(x)` turns low-resolution features
    into an RGB image twice as large, as the last layer of ESPCN.

    Args:
        filters: Output channels (after the shuffle).
        factor: Upsampling factor. Defaults to `2`.
        kernel_size: Side of the convolution kernel. Defaults to `3` (ESPCN's last layer).
        activation: Activation of the convolution. Defaults to none (an output layer).
        name: Prefix of the layer names: `{name}_conv`, `{name}_shuffle`.

    Returns:
        A function `apply(x) -> tensor` from (batch, H, W, C) to (batch, H * factor, W * factor, filters).

    Raises:
        ValueError: if `filters`, `factor` or `kernel_size` is not a positive integer.
    """
    _check_block_args(filters, kernel_size, factor, "factor")

    def apply(x):
        x = keras.layers.Conv2D(
            filters * factor**2, kernel_size, padding="same", activation=activation, name=f"{name}_conv"
        )(x)
        return PixelShuffle(factor, name=f"{name}_shuffle")(x)

    return apply
