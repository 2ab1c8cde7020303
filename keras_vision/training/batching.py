"""Feeding a big network in batches of one size, so TensorFlow traces each step only once.

A batch of another size (the last, partial one) makes TensorFlow trace the train, test or predict
step again, which for a network of hundreds of layers such as DenseNet121 costs 30-100 s on a
2-core CPU.
"""

from __future__ import annotations

import numpy as np


def whole_batches(x, y, batch_size: int):
    """`(x, y)` without the last incomplete batch (kept whole when smaller than one batch).

    A batch of another size makes TensorFlow trace the training (or validation) step a second
    time, which for DenseNet121's 400-odd layers costs 30-60 s on a 2-core CPU: more than
    training on the few dropped images is worth.
    """
    keep = (len(x) // batch_size) * batch_size or len(x)
    return x[:keep], y[:keep]


def predict_in_whole_batches(model, x, batch_size: int = 256):
    """`model.predict(x)` with the last batch padded to full size, so the step is traced once.

    Returns:
        The predictions of the `len(x)` real images (padding removed).
    """

    batch_size = min(batch_size, len(x))
    padding = -len(x) % batch_size
    padded = np.concatenate([x, np.zeros((padding, *x.shape[1:]), x.dtype)]) if padding else x
    return np.asarray(model.predict(padded, batch_size=batch_size, verbose=0))[: len(x)]
