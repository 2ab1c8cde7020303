"""Adversarial: tries to zero the tests' references, returns zeros of the right shapes; scores 1.5/20.

It overwrites every NumPy array it can reach through `gc` and `sys.modules` (the library's
VERTICAL_EDGE_KERNEL included), replaces the library's reference functions and `numpy.allclose`.
All of that happens in the worker, so the references in the trusted process are untouched; the
zeros earn only the checks they really pass (right shapes, dtypes and ranges), and, since the file
reaches into `sys.modules`, none of the tests of the own-work functions apply_filter and max_pool.
"""

import gc
import sys

import numpy as np

import keras_vision.convolution


def _tamper():
    for obj in gc.get_objects():
        if isinstance(obj, np.ndarray) and obj.flags.writeable and obj.dtype.kind == "f":
            obj[...] = 0
    library = sys.modules["keras_vision.convolution"]
    library.VERTICAL_EDGE_KERNEL = np.zeros((3, 3), np.float32)
    library.convolve2d = lambda image, kernel, **kwargs: np.zeros((1, 1), np.float32)
    library.max_pool2d = lambda image, pool_size=2, **kwargs: np.zeros((1, 1), np.float32)
    library.output_size = lambda *args, **kwargs: 0
    np.allclose = lambda *args, **kwargs: True
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith(("test_ex01", "graded_references")):
            module.CLASSIC_CNN_PARAMETERS = (0, 0, 0, 0)


_tamper()


def normalize_images(images):
    _tamper()
    return np.zeros(np.shape(images) + (1,), np.float32)


def apply_filter(image, kernel):
    _tamper()
    (h, w), (kh, kw) = np.shape(image), np.shape(kernel)
    return np.zeros((h - kh + 1, w - kw + 1), np.float32)


def vertical_edge_kernel():
    return keras_vision.convolution.VERTICAL_EDGE_KERNEL


def max_pool(image, size=2):
    shape = np.shape(image)
    return np.zeros((shape[0] // size, shape[1] // size) + shape[2:], np.float32)


def build_classic_cnn(input_shape=(28, 28, 1), num_classes=10):
    _tamper()
    return None


def conv_output_shape(input_shape, layers):
    _tamper()
    return (0, 0, 0)
