"""Reproducible runs: one call seeds every random number generator a Keras program uses."""

from __future__ import annotations

import os
import random

import keras
import numpy as np
import tensorflow as tf


def set_seed(seed: int, *, deterministic: bool = False) -> None:
    """Seeds Python's `random`, NumPy and TensorFlow/Keras with the same integer.

    `keras.utils.set_random_seed` seeds all three (and the Keras backend); Python and NumPy are also
    seeded here explicitly so that the function documents what it touches. Seeding fixes weight
    initialisation, dropout masks, shuffling and augmentation; it does not make every kernel
    bit-for-bit reproducible, because some parallel reductions add numbers in varying order.

    Args:
        seed: A non-negative integer.
        deterministic: Also call `tf.config.experimental.enable_op_determinism()`, which selects
            deterministic kernels (slower; ops without one raise an error). It cannot be turned
            off again within the process. Defaults to `False`.

    Raises:
        ValueError: if `seed` is not a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer, e.g. 0. Received: seed={seed!r}.")

    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # Takes effect in subprocesses (data workers).
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
