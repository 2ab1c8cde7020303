"""Reference values for the graded tests, computed by the library and by Keras, never by solutions.

Everything here runs in the trusted process (the one that scores), never in the student's worker.
"""

import cv2
import keras
import numpy as np

from keras_vision.convolution import output_size
from keras_vision.data import load_sample_image, resize_images
from keras_vision.enhance import block_max, darken, max_filter

#: Official parameter counts of the classic network's layers with weights (28x28x1 input).
CLASSIC_CNN_PARAMETERS = (640, 36_928, 204_928, 1_290)


def conv2d_reference(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """A Keras Conv2D with `kernel` as its only, fixed weight (no bias), applied to `image` (H, W)."""
    layer = keras.layers.Conv2D(1, kernel.shape, use_bias=False, padding="valid")
    layer.build((None, *image.shape, 1))
    layer.set_weights([kernel.astype(np.float32)[:, :, None, None]])
    return np.asarray(layer(image.astype(np.float32)[None, :, :, None]))[0, :, :, 0]


def stack_output_shape(input_shape: tuple, layers: list) -> tuple:
    """The output shape of a conv/pool/flatten stack, from `keras_vision.convolution.output_size`."""
    shape = tuple(input_shape)
    for kind, *spec in layers:
        if kind == "flatten":
            shape = (int(np.prod(shape)),)
            continue
        height, width, channels = shape
        if kind == "conv":
            filters, window, stride = spec[0], spec[1], (spec[2] if len(spec) > 2 else 1)
        else:
            window = spec[0]
            filters, stride = channels, (spec[1] if len(spec) > 1 else window)
        shape = (output_size(height, window, stride=stride), output_size(width, window, stride=stride), filters)
    return shape


def average_pool(image: np.ndarray, size: int) -> np.ndarray:
    """Mean of every block: the common mistake max pooling is checked against (for the hint only)."""
    h, w = image.shape[0] // size, image.shape[1] // size
    blocks = image[: h * size, : w * size].reshape(h, size, w, size, *image.shape[2:]).astype(np.float64)
    return blocks.mean(axis=(1, 3))


def matches(got, expected, atol: float = 1e-4) -> bool:
    """True when `got` has the shape and values of `expected` (for choosing a hint)."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(expected) and bool(np.allclose(got, expected, atol=atol))


def dark_photo(name: str, size: tuple[int, int]) -> np.ndarray:
    """A real photograph embedded in scikit-image, shrunk to `size` (area) and darkened (uint8)."""
    photo = resize_images(load_sample_image(name)[None], size, interpolation="area")[0]
    return darken(photo, seed=0)


def repeated_block_max(image: np.ndarray, size: int) -> np.ndarray:
    """The library's block maxima, each repeated over its block and cropped to the image."""
    maxima = block_max(image, size)
    return np.repeat(np.repeat(maxima, size, axis=0), size, axis=1)[: image.shape[0], : image.shape[1]]


def max_filter_centred(image: np.ndarray, size: int) -> np.ndarray:
    """A max filter whose even window starts `size // 2` before the pixel (the mistake, for the hint)."""
    return max_filter(image[::-1, ::-1], size)[::-1, ::-1]


def clahe_each_channel(rgb: np.ndarray, clip_limit: float, tiles: int) -> np.ndarray:
    """CLAHE on R, G and B separately (the mistake, for the hint)."""
    equalizer = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(tiles, tiles))
    return np.stack([equalizer.apply(np.ascontiguousarray(rgb[:, :, c])) for c in range(3)], axis=-1)


def clahe_from_bgr(rgb: np.ndarray, clip_limit: float, tiles: int) -> np.ndarray:
    """CLAHE on L after reading the RGB image as BGR (the mistake, for the hint)."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_BGR2LAB)
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(tiles, tiles)).apply(np.ascontiguousarray(lab[:, :, 0]))
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)
