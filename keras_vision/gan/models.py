"""The DCGAN generator and discriminator for small grey images (28x28 digits by default).

    generator (latent 64 -> 28x28x1), upsampler="transpose" or "resize"
    project_dense  Dense(7*7*128, no bias) -> project_bn -> project_relu -> project_reshape 7x7x128
    block1         upsampler(64)   -> 14x14x64, then block1_bn
    block2         upsampler(32)   -> 28x28x32, then block2_bn
    output_conv    Conv2D(1, 3x3, tanh) -> 28x28x1 in [-1, 1]

    discriminator (28x28x1 -> one logit)
    block1_conv    Conv2D(64, 4x4, stride 2) -> 14x14x64, block1_lrelu (0.2), block1_dropout
    block2_conv    Conv2D(128, 4x4, stride 2) -> 7x7x128, block2_lrelu, block2_dropout
    (minibatch_stddev, optional: one more channel, how much the batch varies)
    flatten, logit Dense(1)          (no sigmoid: the losses take logits)

The upsampling blocks are the two of `keras_vision.upsample`: `transpose_upsampler`
(`Conv2DTranspose` 3x3 stride 2, then a 3x3 `Conv2D`) and `resize_upsampler` (`UpSampling2D`
nearest, then a 3x3 `Conv2D`). Everything else is identical, so a difference between the two
generators' samples is the upsampler's. Following Radford et al., batch normalisation sits in the
generator (not after its output) and the discriminator uses LeakyReLU and strided convolutions
instead of pooling.

Reference: Radford, Metz and Chintala, "Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks", ICLR 2016, arXiv:1511.06434; Karras et al.,
"Progressive Growing of GANs for Improved Quality, Stability, and Variation", ICLR 2018 (the
minibatch standard deviation).
"""

from __future__ import annotations

import keras
from keras import layers, ops

from keras_vision.upsample import UPSAMPLERS


def build_generator(
    latent_dim: int = 64,
    *,
    upsampler: str = "transpose",
    image_shape: tuple[int, int, int] = (28, 28, 1),
    filters: tuple[int, ...] = (64, 32),
    base_filters: int = 128,
    name: str | None = None,
) -> keras.Model:
    """Noise vector -> image in [-1, 1], upsampling by 2 once per entry of `filters`.

    Args:
        latent_dim: Length of the noise vector. Defaults to `64`.
        upsampler: `"transpose"` or `"resize"`: the block of `keras_vision.upsample.UPSAMPLERS`.
            Defaults to `"transpose"`.
        image_shape: (H, W, C) of the images; H and W must be divisible by 2 ** len(filters).
            Defaults to `(28, 28, 1)`.
        filters: Output channels of each upsampling block. Defaults to `(64, 32)`.
        base_filters: Channels of the projected noise. Defaults to `128`.
        name: Model name. Defaults to `f"generator_{upsampler}"`.

    Returns:
        A `keras.Model` from (batch, latent_dim) to (batch, *image_shape), tanh output.

    Raises:
        ValueError: for an unknown upsampler or sizes that do not divide.
    """
    block = UPSAMPLERS.get(upsampler)
    _check_positive(latent_dim=latent_dim, base_filters=base_filters)
    height, width, channels = _check_image_shape(image_shape)
    factor = 2 ** len(filters)
    if height % factor or width % factor:
        raise ValueError(
            f"`image_shape` {tuple(image_shape)}: height and width must be divisible by "
            f"2 ** len(filters) = {factor}. Received: filters={tuple(filters)}."
        )
    noise = keras.Input(shape=(latent_dim,), name="noise")
    x = layers.Dense(height // factor * width // factor * base_filters, use_bias=False, name="project_dense")(noise)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.ReLU(name="project_relu")(x)
    x = layers.Reshape((height // factor, width // factor, base_filters), name="project_reshape")(x)
    for index, units in enumerate(filters, start=1):
        x = block(units, factor=2, kernel_size=3, interpolation="nearest", activation="relu", name=f"block{index}")(x)
        x = layers.BatchNormalization(name=f"block{index}_bn")(x)
    image = layers.Conv2D(channels, 3, padding="same", activation="tanh", name="output_conv")(x)
    return keras.Model(noise, image, name=name or f"generator_{upsampler}")


def build_discriminator(
    image_shape: tuple[int, int, int] = (28, 28, 1),
    *,
    filters: tuple[int, ...] = (64, 128),
    dropout: float = 0.3,
    minibatch_stddev: bool = False,
    name: str = "discriminator",
) -> keras.Model:
    """Image -> one logit (real: large, generated: small), by strided convolutions.

    Args:
        image_shape: (H, W, C) of the images. Defaults to `(28, 28, 1)`.
        filters: Channels of each stride-2 4x4 convolution. Defaults to `(64, 128)`.
        dropout: Dropout rate after each block. Defaults to `0.3`.
        minibatch_stddev: Add `MinibatchStddev` before the logit, so that the discriminator sees
            how varied a batch is and a generator that makes the same few images is caught.
            Defaults to `False`.
        name: Model name. Defaults to `"discriminator"`.

    Returns:
        A `keras.Model` from (batch, *image_shape) to (batch, 1) logits (no sigmoid).
    """
    _check_image_shape(image_shape)
    if not 0 <= dropout < 1:
        raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout!r}.")
    image = keras.Input(shape=tuple(image_shape), name="image")
    x = image
    for index, units in enumerate(filters, start=1):
        x = layers.Conv2D(units, 4, strides=2, padding="same", name=f"block{index}_conv")(x)
        x = layers.LeakyReLU(0.2, name=f"block{index}_lrelu")(x)
        x = layers.Dropout(dropout, name=f"block{index}_dropout")(x)
    if minibatch_stddev:
        x = MinibatchStddev(name="minibatch_stddev")(x)
    x = layers.Flatten(name="flatten")(x)
    return keras.Model(image, layers.Dense(1, name="logit")(x), name=name)


@keras.saving.register_keras_serializable(package="keras_vision")
class MinibatchStddev(layers.Layer):
    """Appends one channel to (batch, H, W, C): the batch's average standard deviation, everywhere.

    The standard deviation over the batch is taken per feature (H, W, C) and averaged to one number,
    so a batch of near-copies gets a small value. A discriminator that sees it can tell a generator
    that dropped most of the variety of the data (mode collapse) from real batches, which pushes the
    generator back towards variety (Karras et al., 2018). It needs batches of at least 2 images.
    """

    def call(self, x):
        # in float32: under mixed float16 the 1e-8 would vanish and a batch of copies give sqrt'(0) = inf
        spread = ops.mean(ops.sqrt(ops.var(ops.cast(x, "float32"), axis=0) + 1e-8))
        return ops.concatenate([x, ops.ones_like(x[..., :1]) * ops.cast(spread, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)


def _check_image_shape(image_shape) -> tuple[int, int, int]:
    if len(image_shape) != 3 or any(not isinstance(s, int) or s < 1 for s in image_shape):
        raise ValueError(
            f"`image_shape` must be (height, width, channels) of positive integers, e.g. (28, 28, 1). "
            f"Received: image_shape={image_shape!r}."
        )
    return tuple(image_shape)


def _check_positive(**values) -> None:
    for arg, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r}.")
