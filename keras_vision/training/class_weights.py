"""Class weights for imbalanced data: rare classes count more in the loss."""

from __future__ import annotations

import numpy as np
from sklearn.utils.class_weight import compute_class_weight


def balanced_class_weights(y) -> dict[int, float]:
    """Weights `n_samples / (n_classes * count[c])`, so every class contributes equally to the loss.

    Pass the result to `fit(..., class_weight=...)` (or `model.fit`). This is scikit-learn's
    `compute_class_weight("balanced")`; only the classes present in `y` get a weight (Keras uses
    1.0 for the others).

    Args:
        y: Integer labels of shape `(N,)` or `(N, 1)`, or one-hot labels of shape `(N, C)`.

    Returns:
        Class id -> weight, e.g. `{0: 0.67, 1: 2.0}` for labels `[0, 0, 0, 1]`.

    Raises:
        ValueError: if `y` is empty or not one of the shapes above.
    """

    labels = _class_ids(y)
    classes = np.unique(labels)
    weights = compute_class_weight("balanced", classes=classes, y=labels)
    return {int(c): float(w) for c, w in zip(classes, weights)}


def _class_ids(y) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    elif y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.size == 0:
        raise ValueError(
            "`y` must be a non-empty array of integer labels (N,) or (N, 1), or one-hot labels "
            f"(N, num_classes). Received shape: {y.shape}."
        )
    if not np.all(np.equal(np.mod(y, 1), 0)) or y.min() < 0:
        raise ValueError(f"Labels must be non-negative integers. Received values such as {y[:5]}.")
    return y.astype(np.int64)
