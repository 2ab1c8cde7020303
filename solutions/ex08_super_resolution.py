"""Exercise 8: super-resolution with SRCNN, measured in PSNR, trained with a perceptual loss.

Super-resolution guesses a sharp high-resolution (HR) image from a small low-resolution (LR) one.
To train a network we need pairs, and we make them ourselves from HR photographs by *degrading*
them the way SRCNN (Dong et al., TPAMI 2016) does:

1. crop the HR image so that its height and width are multiples of the scale (drop the last rows
   and columns);
2. shrink it by the scale with bicubic interpolation (with anti-aliasing): the LR image;
3. enlarge the LR image back to the HR size, again bicubic. This blurry image is the network's
   input, and the *bicubic baseline* the network has to beat.

How good is a result? The **peak signal-to-noise ratio** compares it with the HR original:

    PSNR = 10 * log10(peak ** 2 / MSE)   dB,   MSE = mean((a - b) ** 2)

Every extra dB means the squared error shrank by a factor of 10 ** 0.1 = 1.26. Papers measure it
on the luminance Y only (ITU-R BT.601, as MATLAB's rgb2ycbcr computes it):

    Y = 16 + 65.481 R + 128.553 G + 24.966 B        (R, G, B in [0, 1]; Y in [16, 235], peak 255)

**SRCNN** is three convolutions with "same" padding: patch extraction (9x9, 64 filters, ReLU),
non-linear mapping (1x1 or 5x5, 32 filters, ReLU), reconstruction (5x5, one filter per colour
channel, linear). The layout is named by the kernel sides: "9-1-5", "9-5-5". Predicting only the
residual (the detail bicubic lost) and adding the input back trains much faster.

MSE training maximises PSNR but prefers blur (the average of all plausible sharp images). A
**perceptual loss** also compares images through the feature maps of a classification network
(VGG16 up to `block2_conv2`, trained on ImageNet):

    loss = mean((y_true - y_pred) ** 2) + feature_weight * mean((phi(y_true) - phi(y_pred)) ** 2)

Work through the functions in order; check yourself with `python -m pytest tests/graded`.
`psnr_arrays` you write yourself in NumPy: no `tf.image.psnr`, no `skimage.metrics`, no `keras_vision`.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers

#: Kernel sides (patch extraction, mapping, reconstruction) of the SRCNN layouts.
SRCNN_LAYOUTS = {"9-1-5": (9, 1, 5), "9-3-5": (9, 3, 5), "9-5-5": (9, 5, 5)}


def degrade(image, scale):
    """The network input made from an HR image: bicubic down by `scale`, then back up.

    Crop first: keep the top-left `(H - H % scale, W - W % scale)` pixels. Then resize with
    `tf.image.resize(images, size, method="bicubic", antialias=True)` (it wants a batch: add an
    axis with `image[None]` and take `[0]` of the result) to `(H // scale, W // scale)`, clip to
    [0, 1], resize back to the cropped size, and clip to [0, 1] again.

    Args:
        image: float RGB image (H, W, 3) with values in [0, 1].
        scale: The super-resolution factor (2, 3, 4...).

    Returns:
        A float32 NumPy array of the cropped size (H - H % scale, W - W % scale, 3), in [0, 1].
    """
    image = np.asarray(image, dtype=np.float32)
    # BEGIN SOLUTION
    height, width = image.shape[0] // scale * scale, image.shape[1] // scale * scale
    hr = image[:height, :width]
    low = tf.image.resize(hr[None], (height // scale, width // scale), method="bicubic", antialias=True)
    low = tf.clip_by_value(low, 0.0, 1.0)
    up = tf.image.resize(low, (height, width), method="bicubic", antialias=True)
    return np.clip(np.asarray(up[0]), 0.0, 1.0).astype(np.float32)
    # END SOLUTION


def rgb_to_y(image):
    """BT.601 luminance of an RGB image on MATLAB's scale: 16 + 65.481 R + 128.553 G + 24.966 B.

    Args:
        image: float RGB image (H, W, 3) with values in [0, 1].

    Returns:
        A float64 array (H, W) with values in [16, 235].
    """
    image = np.asarray(image, dtype=np.float64)
    # BEGIN SOLUTION
    return 16.0 + 65.481 * image[..., 0] + 128.553 * image[..., 1] + 24.966 * image[..., 2]
    # END SOLUTION


def psnr_arrays(a, b, *, data_range=255.0):
    """Peak signal-to-noise ratio in dB: 10 * log10(data_range ** 2 / mean((a - b) ** 2)).

    Args:
        a, b: Arrays of the same shape.
        data_range: The peak value: 255 for Y values, 1 for images in [0, 1]. Defaults to 255.

    Returns:
        The PSNR as a float; `float("inf")` when the arrays are identical.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    # BEGIN SOLUTION
    mse = np.mean((a - b) ** 2)
    if mse == 0:
        return float("inf")
    return float(10.0 * np.log10(data_range**2 / mse))
    # END SOLUTION


def build_srcnn(input_shape=(None, None, 3), *, layout="9-1-5", filters=(64, 32), residual=False, name="srcnn"):
    """SRCNN as a fully convolutional `keras.Model`.

    Layers, in order, all `padding="same"`: `Conv2D(filters[0], k1, activation="relu")`,
    `Conv2D(filters[1], k2, activation="relu")`, `Conv2D(channels, k3)` (linear), where
    `(k1, k2, k3) = SRCNN_LAYOUTS[layout]` and `channels = input_shape[-1]`. With `residual=True`,
    finish with `layers.Add()([inputs, x])`.

    Args:
        input_shape: (H, W, C) of the input; H and W may be None. Defaults to (None, None, 3).
        layout: A key of `SRCNN_LAYOUTS`. Defaults to "9-1-5".
        filters: Filters of the first two layers. Defaults to (64, 32).
        residual: Add the input to the output. Defaults to False.
        name: Name of the model. Defaults to "srcnn".

    Returns:
        A `keras.Model` whose output has the shape of its input.
    """
    inputs = keras.Input(shape=input_shape)
    # BEGIN SOLUTION
    k1, k2, k3 = SRCNN_LAYOUTS[layout]
    x = layers.Conv2D(filters[0], k1, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(filters[1], k2, padding="same", activation="relu")(x)
    x = layers.Conv2D(input_shape[-1], k3, padding="same")(x)
    if residual:
        x = layers.Add()([inputs, x])
    # END SOLUTION
    return keras.Model(inputs, x, name=name)


def perceptual_loss(y_true, y_pred, features, *, feature_weight=1e-3):
    """Per-image MSE plus `feature_weight` times the MSE of the images' features.

    `features` is a model from images to feature maps (in a real run VGG16 up to `block2_conv2`
    with ImageNet weights). For each image n of the batch:

        mean over (H, W, C) of (y_true[n] - y_pred[n]) ** 2
        + feature_weight * mean over (h, w, c) of (features(y_true)[n] - features(y_pred)[n]) ** 2

    Use `keras.ops` (`keras.ops.mean(..., axis=(1, 2, 3))`, `keras.ops.square`) so that the same
    function works on tensors inside `model.fit`.

    Args:
        y_true: Target images (N, H, W, C).
        y_pred: Predicted images, same shape.
        features: A `keras.Model` from images to feature maps.
        feature_weight: Weight of the feature term. Defaults to 1e-3.

    Returns:
        The N per-image losses, shape (N,).
    """
    # BEGIN SOLUTION
    pixel = keras.ops.mean(keras.ops.square(y_true - y_pred), axis=(1, 2, 3))
    feature = keras.ops.mean(keras.ops.square(features(y_true) - features(y_pred)), axis=(1, 2, 3))
    return pixel + feature_weight * feature
    # END SOLUTION
