"""Adversarial: apply_filter and max_pool call the library's reference instead of the student's own loops; scores 11/20.

`keras_vision.convolution` computes exactly the right answers, but the graded tests declare
apply_filter and max_pool own work (OWN_WORK): their five tests (9 points, hidden ones included)
fail with a message naming the library call. The rest is the solution's and earns its 11 points.
"""

from keras_vision.convolution import convolve2d as _reference_filter
from keras_vision import convolution as _library


def _helper(image, kernel):
    return _reference_filter(image, kernel)


def apply_filter(image, kernel):
    return _helper(image, kernel)


def max_pool(image, size=2):
    return getattr(_library, "max_pool2d")(image, size)
