"""The preprocessing steps of the course, each one small and explicit.

A typical pipeline for a small CNN on MNIST:

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train = add_channel_axis(scale_pixels(x_train))   # uint8 (N, 28, 28) -> float32 (N, 28, 28, 1)
    y_train = one_hot(y_train, 10)                      # (N,) -> (N, 10)

and for a pretrained ImageNet network, whose inputs must look like its training images:

    x = resize_images(grayscale_to_rgb(x_train), (96, 96))
    x = keras_vision.transfer.preprocess_input(x.astype("float32"), "mobilenet")

All functions take and return NumPy arrays and never modify their input.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from keras_vision.data.folders import decode_image

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "area")


def scale_pixels(x) -> np.ndarray:
    """Scales uint8 pixel values 0..255 to float32 values in [0, 1] (divides by 255).

    Args:
        x: uint8 images, any shape.

    Returns:
        float32 array of the same shape.

    Raises:
        ValueError: `x` is not uint8 (scaling twice is a classic silent bug).
    """
    x = np.asarray(x)
    if x.dtype != np.uint8:
        raise ValueError(
            f"scale_pixels expects uint8 pixels 0..255; received dtype {x.dtype} "
            f"(values {x.min() if x.size else '-'}..{x.max() if x.size else '-'}). Already scaled?"
        )
    return x.astype(np.float32) / np.float32(255.0)


def add_channel_axis(x) -> np.ndarray:
    """Adds the channel axis Conv2D expects: (N, H, W) -> (N, H, W, 1).

    Args:
        x: A batch of grayscale images (N, H, W); (N, H, W, 1) is returned unchanged.

    Raises:
        ValueError: any other shape.
    """
    x = np.asarray(x)
    if x.ndim == 4 and x.shape[-1] == 1:
        return x
    if x.ndim != 3:
        raise ValueError(f"add_channel_axis expects a batch of grayscale images (N, H, W); received shape {x.shape}.")
    return x[..., np.newaxis]


def sparse_labels(y) -> np.ndarray:
    """Integer labels (N,) from (N,), (N, 1) (CIFAR style) or one-hot (N, C) labels.

    Returns:
        int64 array of shape (N,).

    Raises:
        ValueError: `y` has more than two dimensions.
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1).astype(np.int64)
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        raise ValueError(f"sparse_labels expects labels (N,), (N, 1) or one-hot (N, C); received shape {y.shape}.")
    return y.reshape(-1).astype(np.int64)


def one_hot(y, num_classes: int) -> np.ndarray:
    """One-hot encodes integer labels: label 3 of 10 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0].

    Args:
        y: Integer labels (N,) or (N, 1).
        num_classes: Number of classes C.

    Returns:
        float32 array (N, C).

    Raises:
        ValueError: a label outside 0..C-1, or a shape other than (N,) / (N, 1).
    """
    y = np.asarray(y)
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        raise ValueError(f"one_hot expects labels (N,) or (N, 1); received shape {y.shape}.")
    y = y.reshape(-1).astype(np.int64)
    bad = y[(y < 0) | (y >= num_classes)]
    if bad.size:
        raise ValueError(f"one_hot: labels must be in 0..{num_classes - 1}; found {sorted(set(bad.tolist()))[:5]}.")
    return np.eye(num_classes, dtype=np.float32)[y]


def grayscale_to_rgb(x) -> np.ndarray:
    """Repeats the gray channel three times: (N, H, W) or (N, H, W, 1) -> (N, H, W, 3).

    ImageNet networks expect 3 channels; this lets them read MNIST-like images. Keeps the dtype.

    Raises:
        ValueError: `x` is not a batch of grayscale images.
    """
    x = np.asarray(x)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(f"grayscale_to_rgb expects (N, H, W) or (N, H, W, 1); received shape {x.shape}.")
    return np.repeat(x[..., np.newaxis], 3, axis=-1)


def _size_pair(size, name: str) -> tuple[int, int]:
    pair = (size, size) if np.isscalar(size) else tuple(size)
    if len(pair) != 2 or any(int(s) != s or s < 1 for s in pair):
        raise ValueError(f"{name} must be a positive int or (height, width); received {size!r}.")
    return int(pair[0]), int(pair[1])


def pad_to_min_size(x, min_size) -> np.ndarray:
    """Zero-pads images (centred) so height and width reach at least `min_size`.

    For example MNIST's 28x28 digits become 32x32, the smallest input of MobileNet. Images that
    are already large enough are returned unchanged.

    Args:
        x: Images (N, H, W) or (N, H, W, C).
        min_size: An int or `(min_height, min_width)`.

    Returns:
        Array (N, max(H, min_h), max(W, min_w)[, C]) of the same dtype.
    """
    x = np.asarray(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"pad_to_min_size expects (N, H, W) or (N, H, W, C); received shape {x.shape}.")
    pad = []
    for have, want in zip(x.shape[1:3], _size_pair(min_size, "min_size")):
        extra = max(want - have, 0)
        pad.append((extra // 2, extra - extra // 2))
    return np.pad(x, [(0, 0), *pad] + [(0, 0)] * (x.ndim - 3))


def resize_images(x, size, *, interpolation: str = "bilinear") -> np.ndarray:
    """Resizes a batch of images to `size` with OpenCV, keeping the dtype.

    Args:
        x: Images (N, H, W) or (N, H, W, C).
        size: An int or `(height, width)`.
        interpolation: One of "nearest", "bilinear", "bicubic", "area". Defaults to "bilinear".

    Returns:
        Array (N, height, width[, C]).
    """

    x = np.asarray(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"resize_images expects (N, H, W) or (N, H, W, C); received shape {x.shape}.")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Unknown interpolation {interpolation!r}. Valid: {', '.join(INTERPOLATIONS)}.")
    h, w = _size_pair(size, "size")
    flag = {
        "nearest": cv2.INTER_NEAREST,
        "bilinear": cv2.INTER_LINEAR,
        "bicubic": cv2.INTER_CUBIC,
        "area": cv2.INTER_AREA,
    }[interpolation]
    out = np.empty((len(x), h, w, *x.shape[3:]), dtype=x.dtype)
    for i, image in enumerate(x):
        out[i] = cv2.resize(image, (w, h), interpolation=flag).reshape(out.shape[1:])
    return out


def load_image(path, *, target_size=None, grayscale: bool = False) -> np.ndarray:
    """Reads one image file as a batch of one, ready for `model.predict`.

    Args:
        path: An image file (PNG, JPEG, ...).
        target_size: `(height, width)` to resize to, or None to keep the size.
        grayscale: Read as one gray channel instead of RGB.

    Returns:
        float32 array (1, H, W, C), C = 3 (RGB) or 1, values 0..255 (not scaled, like
        `keras.utils.img_to_array`; apply `scale_pixels`-style scaling or `preprocess_input`).

    Raises:
        FileNotFoundError: `path` does not exist.
        CorruptDataError: the file is not a readable image.
    """

    if not os.path.isfile(path):
        raise FileNotFoundError(f"No image file at {path}.")
    image = decode_image(Path(path).read_bytes(), name=str(path))
    if grayscale and image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    elif not grayscale and image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if target_size is not None:
        h, w = _size_pair(target_size, "target_size")
        image = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
    return image.reshape(1, *image.shape[:2], -1).astype(np.float32)
