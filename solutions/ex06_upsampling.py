"""Exercise 6: making images larger, by transposed convolution and by resize + convolution.

A classifier makes feature maps smaller; a decoder, a super-resolution network or a GAN generator
has to make them LARGER. Keras offers two learned ways.

**Transposed convolution** (`layers.Conv2DTranspose`). Despite the name "deconvolution", it is an
ordinary convolution applied to a stretched input:

1. zero insertion: put `stride - 1` zeros between neighbouring pixels,

       1 2        1 0 2
       3 4   ->   0 0 0        (stride 2)
                  3 0 4

2. padding: add `kernel_size - 1` rows and columns of zeros on every side (a "full" convolution, so
   that every input pixel spreads its whole kernel into the output), plus `stride - 1` more at
   the bottom and right;
3. an ordinary convolution (no stride, no padding) with the kernel flipped upside down and left to
   right (`kernel[::-1, ::-1]`).

The result is `size * stride + max(kernel_size - stride, 0)` pixels long with `padding="valid"`;
with `padding="same"` Keras crops it to exactly `size * stride`, removing
`max(kernel_size - stride, 0) // 2` pixels at the start (top/left).

Look at the zero-inserted input under a 3x3 kernel with stride 2: some output pixels have one input
pixel under the kernel, others two or four. The kernel windows overlap unevenly, so even a constant
input comes out as a pattern that repeats every `stride` pixels: the **checkerboard artifact**.

**Resize, then convolve** (`layers.UpSampling2D` then `layers.Conv2D`): each output pixel sees the
same number of input pixels, so a constant input stays constant. Odena, Dumoulin and Olah
("Deconvolution and Checkerboard Artifacts", Distill 2016) recommend it for generators.

To measure the artifact, split the pixels into `stride x stride` *phases* (pixel (i, j) is in phase
(i % stride, j % stride)) and compare the phase means: a constant image has equal means, a
checkerboard does not.

Work through the functions in order; check yourself with `python -m pytest tests/graded`. The first
three you write yourself in NumPy: no Keras, no TensorFlow, no `keras_vision` inside them.
"""

import keras
import numpy as np
from keras import layers


def zero_insert(image, stride):
    """Inserts `stride - 1` zeros between neighbouring pixels, along height and width.

    Args:
        image: Array of shape (H, W) or (H, W, C).
        stride: The upsampling factor, a positive integer (1 leaves the image as it is).

    Returns:
        A float32 array of shape ((H - 1) * stride + 1, (W - 1) * stride + 1[, C]) whose pixel
        (i * stride, j * stride) is `image[i, j]` and whose other pixels are 0.
    """
    image = np.asarray(image, dtype=np.float32)
    # BEGIN SOLUTION
    height, width = image.shape[:2]
    out = np.zeros(((height - 1) * stride + 1, (width - 1) * stride + 1) + image.shape[2:], dtype=np.float32)
    for i in range(height):
        for j in range(width):
            out[i * stride, j * stride] = image[i, j]
    return out
    # END SOLUTION


def transpose_output_size(size, kernel_size, *, stride, padding):
    """The output size of `Conv2DTranspose` along one axis.

    Args:
        size: Input size along the axis.
        kernel_size: Kernel size along the axis.
        stride: The stride (upsampling factor).
        padding: `"valid"` or `"same"`.

    Returns:
        `size * stride` for `"same"`; `size * stride + max(kernel_size - stride, 0)` for `"valid"`.
    """
    # BEGIN SOLUTION
    if padding == "same":
        return size * stride
    return size * stride + max(kernel_size - stride, 0)
    # END SOLUTION


def conv2d_transpose(image, kernel, bias=None, *, stride=1, padding="valid"):
    """A transposed convolution by hand, equal to `layers.Conv2DTranspose` with the same weights.

    Steps (see the module docstring): zero-insert the input; pad it with `before` zeros at the
    top/left and `after` zeros at the bottom/right, where for each axis

        cropped = max(kernel_size - stride, 0) // 2 if padding == "same" else 0
        before  = kernel_size - 1 - cropped
        after   = output_size + kernel_size - 1 - before - zero_inserted_size

    (`output_size` from `transpose_output_size`); then slide the FLIPPED kernel over the padded
    image without padding: output pixel (i, j) of channel o is
    `sum(padded[i:i+kh, j:j+kw, :] * kernel[::-1, ::-1, o, :]) + bias[o]`.

    Args:
        image: Input of shape (H, W) or (H, W, C_in).
        kernel: Weights in the layout of `Conv2DTranspose.kernel`: (kh, kw, C_out, C_in), or
            (kh, kw) for one input and one output channel.
        bias: (C_out,) values added to each output channel, or None for no bias.
        stride: Upsampling factor in both directions. Defaults to 1.
        padding: `"valid"` or `"same"`. Defaults to `"valid"`.

    Returns:
        A float32 array (H_out, W_out, C_out).
    """
    image = np.asarray(image, dtype=np.float32)
    kernel = np.asarray(kernel, dtype=np.float32)
    if image.ndim == 2:
        image = image[:, :, None]
    if kernel.ndim == 2:
        kernel = kernel[:, :, None, None]
    # BEGIN SOLUTION
    kh, kw, out_channels, _ = kernel.shape
    inserted = zero_insert(image, stride)
    pads = []
    for size, k, inserted_size in ((image.shape[0], kh, inserted.shape[0]), (image.shape[1], kw, inserted.shape[1])):
        cropped = max(k - stride, 0) // 2 if padding == "same" else 0
        before = k - 1 - cropped
        after = transpose_output_size(size, k, stride=stride, padding=padding) + k - 1 - before - inserted_size
        pads.append((before, after))
    padded = np.pad(inserted, pads + [(0, 0)])
    flipped = kernel[::-1, ::-1]
    out_h, out_w = padded.shape[0] - kh + 1, padded.shape[1] - kw + 1
    out = np.zeros((out_h, out_w, out_channels), dtype=np.float32)
    for o in range(out_channels):
        for i in range(out_h):
            for j in range(out_w):
                out[i, j, o] = np.sum(padded[i : i + kh, j : j + kw, :] * flipped[:, :, o, :])
        if bias is not None:
            out[:, :, o] += bias[o]
    return out
    # END SOLUTION


def build_transpose_upsampler(input_shape=(16, 16, 8), filters=8, kernel_size=3, strides=2):
    """Upsampler 1: `Conv2DTranspose` then `Conv2D`.

    Layers, in order: `layers.Conv2DTranspose(filters, kernel_size, strides=strides,
    padding="same", activation="relu")`, then `layers.Conv2D(filters, 3, padding="same",
    activation="relu")`.

    Args:
        input_shape: (H, W, C). Defaults to (16, 16, 8).
        filters: Output channels of both layers. Defaults to 8.
        kernel_size: Kernel side of the transposed convolution. Defaults to 3.
        strides: Upsampling factor. Defaults to 2.

    Returns:
        A `keras.Model` from `input_shape` to (H * strides, W * strides, filters).
    """
    inputs = keras.Input(shape=input_shape)
    # BEGIN SOLUTION
    x = layers.Conv2DTranspose(filters, kernel_size, strides=strides, padding="same", activation="relu")(inputs)
    outputs = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    # END SOLUTION
    return keras.Model(inputs, outputs, name="transpose_upsampler")


def build_resize_upsampler(input_shape=(16, 16, 8), filters=8, interpolation="nearest", size=2):
    """Upsampler 2: `UpSampling2D` then `Conv2D`, with the same output shape as upsampler 1.

    Layers, in order: `layers.UpSampling2D(size, interpolation=interpolation)`, then
    `layers.Conv2D(filters, 3, padding="same", activation="relu")`.

    Args:
        input_shape: (H, W, C). Defaults to (16, 16, 8).
        filters: Output channels. Defaults to 8.
        interpolation: `"nearest"` or `"bilinear"` (or another `UpSampling2D` interpolation).
            Defaults to `"nearest"`.
        size: Upsampling factor. Defaults to 2.

    Returns:
        A `keras.Model` from `input_shape` to (H * size, W * size, filters).
    """
    inputs = keras.Input(shape=input_shape)
    # BEGIN SOLUTION
    x = layers.UpSampling2D(size, interpolation=interpolation)(inputs)
    outputs = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    # END SOLUTION
    return keras.Model(inputs, outputs, name="resize_upsampler")


def phase_energy_share(outputs, stride):
    """How much of a batch of images is a checkerboard of period `stride`.

    For every image and channel: crop height and width to multiples of `stride`; compute the mean
    of each of the `stride x stride` phases (pixels (i, j) with the same (i % stride, j % stride));
    the *pattern* is the image in which every pixel is replaced by its phase mean, and the
    *checkerboard* is the pattern minus its overall mean. The share is

        sum over the batch of checkerboard ** 2  /  sum over the batch of cropped image ** 2

    (0 for an all-zero batch): 0 for constant images, 1 for a pure zero-mean checkerboard.

    Args:
        outputs: (N, H, W, C) array, e.g. an upsampler's response to a constant input.
        stride: The period.

    Returns:
        A float in [0, 1].
    """
    outputs = np.asarray(outputs, dtype=np.float64)
    # BEGIN SOLUTION
    height, width = outputs.shape[1] // stride * stride, outputs.shape[2] // stride * stride
    cropped = outputs[:, :height, :width]
    pattern = np.zeros_like(cropped)
    for di in range(stride):
        for dj in range(stride):
            phase = cropped[:, di::stride, dj::stride]
            pattern[:, di::stride, dj::stride] = phase.mean(axis=(1, 2), keepdims=True)
    checkerboard = pattern - pattern.mean(axis=(1, 2), keepdims=True)
    total = np.sum(cropped**2)
    return float(np.sum(checkerboard**2) / total) if total > 0 else 0.0
    # END SOLUTION
