"""Adversarial: runs the solution file instead of its own code (runpy on every path it can guess); scores 0/20.

The source check refuses a file that loads other code, so the own-work tests fail with that reason,
and in the sandbox there is no solution file to run: every other function fails too.
"""

import runpy as _runpy
from pathlib import Path as _Path


def _solution():
    for root in [_Path.cwd(), *_Path.cwd().parents, *_Path(__file__).resolve().parents]:
        for candidate in (root / "solutions" / "ex01_convolutions.py",):
            if candidate.is_file():
                return _runpy.run_path(str(candidate))
    raise FileNotFoundError("no solutions to copy here")


def normalize_images(images):
    return _solution()["normalize_images"](images)


def apply_filter(image, kernel):
    return _solution()["apply_filter"](image, kernel)


def vertical_edge_kernel():
    return _solution()["vertical_edge_kernel"]()


def max_pool(image, size=2):
    return _solution()["max_pool"](image, size)


def build_classic_cnn(input_shape=(28, 28, 1), num_classes=10):
    return _solution()["build_classic_cnn"](input_shape, num_classes)


def conv_output_shape(input_shape, layers):
    return _solution()["conv_output_shape"](input_shape, layers)
