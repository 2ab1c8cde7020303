"""Learned upsampling: transposed convolution, resize + convolution, and checkerboard artifacts.

A decoder, a super-resolution network or a GAN generator has to make feature maps LARGER. Two
learned ways are common:

- **Transposed convolution** (`keras.layers.Conv2DTranspose`). It is the gradient of a strided
  convolution, and can be computed from first principles in three steps (`conv2d_transpose`):
  insert `stride - 1` zeros between the input pixels (`zero_insert`), pad the result by
  `kernel - 1` pixels, and run an ordinary convolution with the kernel flipped upside down and
  left to right. When the kernel size is not a multiple of the stride, the kernel windows overlap
  unevenly: some output pixels receive more kernel taps than their neighbours, and even a constant
  input comes out as a periodic pattern of period `stride`, the *checkerboard artifact*.
- **Resize, then convolve** (`keras.layers.UpSampling2D` followed by `Conv2D`). Every output pixel
  sees the same number of input pixels, so a constant input stays constant (away from the border):
  no checkerboard by construction (Odena, Dumoulin and Olah, "Deconvolution and Checkerboard
  Artifacts", Distill 2016).

`checkerboard_score` measures the artifact: the share of the output energy of a constant input
that lies in the stride's sub-pixel phase pattern, averaged over random initialisations.
`checkerboard_energy` measures the same pattern in any images (e.g. the samples of a GAN).
`upsampling_report` computes both upsamplers' scores and draws their outputs.

Reference: Odena et al. 2016, https://distill.pub/2016/deconv-checkerboard/; Dumoulin and Visin,
"A guide to convolution arithmetic for deep learning", arXiv:1603.07285.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from keras_vision.convolution import PADDINGS, convolve2d
from keras_vision.registry import Registry

#: Interpolations of `keras.layers.UpSampling2D`.
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")


# --------------------------------------------------------------------------------------------
# Transposed convolution from first principles (NumPy)
# --------------------------------------------------------------------------------------------


def zero_insert(image, stride: int) -> np.ndarray:
    """Inserts `stride - 1` zeros between neighbouring pixels, along height and width.

    `[[1, 2], [3, 4]]` with `stride=2` becomes `[[1, 0, 2], [0, 0, 0], [3, 0, 4]]`: the first
    step of a transposed convolution.

    Args:
        image: Array of shape (H, W) or (H, W, C).
        stride: The upsampling factor, a positive integer (1 returns a copy).

    Returns:
        A float32 array of shape ((H - 1) * stride + 1, (W - 1) * stride + 1[, C]).

    Raises:
        ValueError: for another shape or a stride below 1.
    """
    image = np.asarray(image, dtype=np.float32)
    _check_stride(stride)
    if image.ndim not in (2, 3):
        raise ValueError(f"`image` must have shape (H, W) or (H, W, C). Received: shape {image.shape}.")
    height, width = image.shape[:2]
    out = np.zeros(((height - 1) * stride + 1, (width - 1) * stride + 1, *image.shape[2:]), dtype=np.float32)
    out[::stride, ::stride] = image
    return out


def transpose_output_size(size: int, kernel_size: int, *, stride: int, padding: str) -> int:
    """Output size of `Conv2DTranspose` along one axis (no `output_padding`), as Keras computes it.

    `"same"`: `size * stride`; `"valid"`: `size * stride + max(kernel_size - stride, 0)`.
    """
    if padding not in PADDINGS:
        raise ValueError(f"Unknown padding {padding!r}. Valid paddings: {', '.join(PADDINGS)}.")
    return size * stride + (max(kernel_size - stride, 0) if padding == "valid" else 0)


def conv2d_transpose(image, kernel, bias=None, *, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """A transposed convolution in NumPy, equal to `keras.layers.Conv2DTranspose`.

    Three steps: `zero_insert` the input, pad it, and convolve with the kernel flipped in both
    spatial directions. The padding is `kernel - 1` pixels (a "full" convolution, so every
    input pixel spreads its kernel completely) less the pixels that `"same"` padding crops at the
    start, and enough at the end to reach Keras' output size (`transpose_output_size`).

    Args:
        image: Input of shape (H, W) or (H, W, C_in).
        kernel: Weights in the layout of `Conv2DTranspose.kernel`: (kh, kw, C_out, C_in), or
            (kh, kw) for one input and one output channel.
        bias: Optional (C_out,) values added to each output channel. Defaults to none.
        stride: Upsampling factor in both directions. Defaults to `1`.
        padding: `"valid"` or `"same"`, as in Keras. Defaults to `"valid"`.

    Returns:
        A float32 array (H_out, W_out, C_out), sizes from `transpose_output_size`.

    Raises:
        ValueError: for mismatched shapes, an unknown padding or a stride below 1.
    """
    image = np.asarray(image, dtype=np.float32)
    kernel = np.asarray(kernel, dtype=np.float32)
    image = image[..., None] if image.ndim == 2 else image
    kernel = kernel[:, :, None, None] if kernel.ndim == 2 else kernel
    if image.ndim != 3 or kernel.ndim != 4 or kernel.shape[3] != image.shape[2]:
        raise ValueError(
            f"`kernel` must have shape (kh, kw, C_out, C_in={image.shape[-1]}) for an image (H, W, C_in). "
            f"Received: image {image.shape}, kernel {kernel.shape}."
        )
    out_channels = kernel.shape[2]
    bias = np.zeros(out_channels, np.float32) if bias is None else np.asarray(bias, np.float32).reshape(-1)
    if bias.shape != (out_channels,):
        raise ValueError(f"`bias` must have shape ({out_channels},). Received: shape {bias.shape}.")
    padded = _pad_for_transpose(zero_insert(image, stride), image.shape[:2], kernel.shape[:2], stride, padding)
    flipped = kernel[::-1, ::-1]
    channels = [convolve2d(padded, flipped[:, :, o, :]) + bias[o] for o in range(out_channels)]
    return np.stack(channels, axis=-1).astype(np.float32)


def _pad_for_transpose(inserted, size, kernel_size, stride, padding) -> np.ndarray:
    """Pads the zero-inserted input so a valid convolution gives Keras' transposed output."""
    pads = []
    for n, k in zip(size, kernel_size):
        cropped = max(k - stride, 0) // 2 if padding == "same" else 0  # what "same" cuts at the start
        before = k - 1 - cropped
        length = transpose_output_size(n, k, stride=stride, padding=padding)
        pads.append((before, length + k - 1 - before - ((n - 1) * stride + 1)))
    return np.pad(inserted, [*pads, (0, 0)])


def _check_stride(stride) -> None:
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"`stride` must be a positive integer. Received: stride={stride!r}.")


# --------------------------------------------------------------------------------------------
# The two learned upsamplers (Keras blocks and builders)
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Checkerboard scores
# --------------------------------------------------------------------------------------------


def phase_pattern(images, stride: int) -> np.ndarray:
    """The part of each image that repeats with period `stride`: its mean over every sub-pixel phase.

    Pixel (i, j) belongs to phase (i mod stride, j mod stride); the pattern holds, at every pixel,
    the mean of its phase (per image and channel). Height and width are cropped to multiples of
    `stride`. In Fourier terms it keeps exactly the frequencies k / stride cycles per pixel.

    Args:
        images: (N, H, W, C) array.
        stride: The period, e.g. the upsampling factor.

    Returns:
        Float64 array (N, H', W', C), H' and W' the largest multiples of `stride` not above H, W.
    """
    images = _as_batch(images)
    _check_stride(stride)
    n, height, width, channels = images.shape
    h, w = height // stride * stride, width // stride * stride
    if h == 0 or w == 0:
        raise ValueError(f"Images of {height}x{width} pixels are smaller than one period of stride {stride}.")
    blocks = images[:, :h, :w].reshape(n, h // stride, stride, w // stride, stride, channels)
    means = blocks.mean(axis=(1, 3), keepdims=True)
    return np.broadcast_to(means, blocks.shape).reshape(n, h, w, channels)


def phase_energy_share(outputs, stride: int) -> float:
    """Share of the total energy of `outputs` in their non-constant period-`stride` pattern.

    The pattern minus its mean (per image and channel) is the checkerboard; the share is its
    energy over the energy of the whole output (constant part included). 0 for a constant
    output, 1 for a pure zero-mean checkerboard.

    Args:
        outputs: (N, H, W, C) array, e.g. the response of an upsampler to a constant input.
        stride: The period.

    Returns:
        A float in [0, 1] (0 for an all-zero output).
    """
    pattern = phase_pattern(outputs, stride)
    cropped = _as_batch(outputs)[:, : pattern.shape[1], : pattern.shape[2]]
    checkerboard = pattern - pattern.mean(axis=(1, 2), keepdims=True)
    total = float(np.sum(cropped**2))
    return float(np.sum(checkerboard**2) / total) if total > 0 else 0.0


def checkerboard_score(
    kind: str,
    *,
    factor: int = 2,
    kernel_size: int = 3,
    filters: int = 8,
    channels: int = 8,
    size: int = 16,
    interpolation: str = "nearest",
    trials: int = 10,
    seed: int = 0,
) -> float:
    """How strongly a freshly initialised upsampler turns a constant input into a checkerboard.

    For each of `trials` random initialisations, an upsampler (`build_upsampler`) is fed an
    all-ones image; its output is cropped by a border of `kernel_size + 1` input pixels (padding
    effects are not checkerboards) and scored with `phase_energy_share`. The scores are averaged.

    Args:
        kind: `"transpose"` or `"resize"`.
        factor: Upsampling factor (the period of the pattern). Defaults to `2`.
        kernel_size: Kernel side. Defaults to `3`.
        filters: Output channels. Defaults to `8`.
        channels: Input channels. Defaults to `8`.
        size: Input side. Defaults to `16`.
        interpolation: Resize interpolation. Defaults to `"nearest"`.
        trials: Random initialisations to average over. Defaults to `10`.
        seed: Seed of the first initialisation (`seed + t` for trial t). Defaults to `0`.

    Returns:
        The mean share in [0, 1]: about 0 for resize + convolution, clearly above 0 for a
        transposed convolution whose kernel is not a multiple of its stride.
    """

    if trials < 1:
        raise ValueError(f"`trials` must be at least 1. Received: trials={trials!r}.")
    border = (kernel_size + 1) * factor
    if size * factor <= 2 * border + factor:
        raise ValueError(
            f"`size`={size} is too small to crop a border of {kernel_size + 1} pixels; use at least "
            f"{2 * (kernel_size + 1) + 2}."
        )
    scores = []
    for trial in range(trials):
        keras.utils.set_random_seed(seed + trial)
        model = build_upsampler(
            kind,
            (size, size, channels),
            filters=filters,
            factor=factor,
            kernel_size=kernel_size,
            interpolation=interpolation,
        )
        out = np.asarray(model(np.ones((1, size, size, channels), np.float32)))
        scores.append(phase_energy_share(out[:, border:-border, border:-border], factor))
    return float(np.mean(scores))


def checkerboard_energy(images, stride: int = 2) -> float:
    """Share of the variation of arbitrary images that lies in the period-`stride` phase pattern.

    For generated images (a GAN's samples, a decoder's outputs): the images' mean is removed
    per image and channel, and the energy of the phase pattern (`phase_pattern`, mean removed)
    is divided by the remaining energy, pooled over the batch. For natural photographs this is
    small (about `stride**2 - 1` frequencies out of H x W carry it); checkerboard artifacts
    raise it towards 1.

    Args:
        images: A batch (N, H, W) or (N, H, W, C), any value range.
        stride: Period of the pattern, the generator's upsampling factor. Defaults to `2`.

    Returns:
        A float in [0, 1] (0 for constant images).
    """
    images = _as_batch(images)
    pattern = phase_pattern(images, stride)
    cropped = images[:, : pattern.shape[1], : pattern.shape[2]]
    centred = cropped - cropped.mean(axis=(1, 2), keepdims=True)
    checkerboard = pattern - pattern.mean(axis=(1, 2), keepdims=True)
    total = float(np.sum(centred**2))
    return float(np.sum(checkerboard**2) / total) if total > 0 else 0.0


def _as_batch(images) -> np.ndarray:
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise ValueError(f"`images` must be a batch (N, H, W) or (N, H, W, C). Received: shape {images.shape}.")
    return images


# --------------------------------------------------------------------------------------------
# Figure and report
# --------------------------------------------------------------------------------------------


def plot_upsampler_outputs(
    path,
    *,
    image=None,
    factor: int = 2,
    kernel_size: int = 3,
    filters: int = 4,
    interpolation: str = "nearest",
    seed: int = 0,
) -> Path:
    """Draws what both freshly initialised upsamplers make of a constant image and of a photo.

    Row 1: `transpose_upsampler`, row 2: `resize_upsampler`; columns: the response to a constant
    input (one channel), a zoom into its centre, the response to `image` (one channel) and a zoom.
    The weights are random: the pattern, not the picture, is the point.

    Args:
        path: The PNG file to write.
        image: A grey image (H, W) in [0, 1] or uint8. Defaults to a 64x64 crop of scikit-image's
            "camera" photograph (`keras_vision.data.load_sample_image`).
        factor: Upsampling factor. Defaults to `2`.
        kernel_size: Kernel side. Defaults to `3`.
        filters: Output channels (the first is drawn). Defaults to `4`.
        interpolation: Resize interpolation. Defaults to `"nearest"`.
        seed: Initialisation seed. Defaults to `0`.

    Returns:
        The path written.
    """

    from keras_vision.evaluation.plots import plot_image_grid

    photo = _default_photo() if image is None else _grey_unit(image)
    inputs = {"constant": np.ones((1, *photo.shape, 1), np.float32), "photo": photo[None, :, :, None]}
    pictures, titles = [], []
    for kind in UPSAMPLERS.names():
        keras.utils.set_random_seed(seed)
        model = build_upsampler(
            kind,
            (*photo.shape, 1),
            filters=filters,
            factor=factor,
            kernel_size=kernel_size,
            interpolation=interpolation,
            activation=None,
        )
        for what, x in inputs.items():
            out = np.asarray(model(x))[0, :, :, 0]
            centre = [slice(s // 2 - 8 * factor, s // 2 + 8 * factor) for s in out.shape]
            pictures += [out, out[tuple(centre)]]
            titles += [f"{kind}: {what}", f"{kind}: {what} (zoom)"]
    return plot_image_grid([_stretch(p) for p in pictures], path, titles=titles, cols=4)


def _default_photo() -> np.ndarray:
    from keras_vision.data import load_sample_image

    return _grey_unit(load_sample_image("camera")[96:352:4, 160:416:4])


def _grey_unit(image) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 3:
        image = image.mean(axis=-1)
    if image.ndim != 2:
        raise ValueError(f"`image` must be a grey image (H, W) or colour (H, W, 3). Received: shape {image.shape}.")
    return (image / 255.0 if image.dtype == np.uint8 else image).astype(np.float32)


def _stretch(image: np.ndarray) -> np.ndarray:
    """Min-max to [0, 1] per picture, so a faint checkerboard is visible; a constant picture is mid-grey."""
    low, high = float(image.min()), float(image.max())
    return (image - low) / (high - low) if high > low else np.full_like(image, 0.5)


def upsampling_report(
    out_dir,
    *,
    factor: int = 2,
    kernel_size: int = 3,
    filters: int = 8,
    interpolation: str = "nearest",
    trials: int = 10,
    seed: int = 0,
) -> dict:
    """Checkerboard scores of both upsamplers at initialisation, and the figure of their outputs.

    The work of the `upsampling` experiment: writes `out_dir/upsampler_outputs.png` and returns
    the metrics.

    Args:
        out_dir: Folder for the figure (created).
        factor: Upsampling factor. Defaults to `2`.
        kernel_size: Kernel side of both upsamplers. Defaults to `3`.
        filters: Channels of the scored upsamplers. Defaults to `8`.
        interpolation: Resize interpolation. Defaults to `"nearest"`.
        trials: Random initialisations per score. Defaults to `10`.
        seed: First seed. Defaults to `0`.

    Returns:
        `{"checkerboard": {"transpose": float, "resize": float}}`. Resize + convolution with
        nearest-neighbour interpolation scores exactly 0 (its interior response is constant).
    """
    options = dict(
        factor=factor, kernel_size=kernel_size, filters=filters, interpolation=interpolation, trials=trials, seed=seed
    )
    scores = {kind: checkerboard_score(kind, **options) for kind in UPSAMPLERS.names()}
    plot_upsampler_outputs(
        Path(out_dir) / "upsampler_outputs.png",
        factor=factor,
        kernel_size=kernel_size,
        interpolation=interpolation,
        seed=seed,
    )
    return {"checkerboard": scores}
