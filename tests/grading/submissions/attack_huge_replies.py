"""Adversarial: sends replies too large or too deep for the grader and a 20 MB exception message; scores 15/20.

conv_output_shape returns a 120 MB array (its visible test) and a list nested 100 levels deep (its
hidden test); normalize_images raises an exception with a 20 MB message. The grader refuses the
replies before decoding them and keeps only the start of the message: those three tests (5 points) fail.
"""

import numpy as _np


def conv_output_shape(input_shape, layers):
    if len(layers) == 4 and layers[-1] == ("flatten",):  # the hidden test's stack
        value = []
        for _ in range(100):
            value = [value]
        return value
    return _np.zeros(30_000_000, _np.float32)


def normalize_images(images):
    raise ValueError("x" * 20_000_000)
