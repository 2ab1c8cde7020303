"""Reading a confusion matrix: how often each class is right, and which classes are mistaken for which.

`metrics.confusion_matrix` counts `cm[i, j]`, the examples of true class `i` predicted as `j`. Two
questions of error analysis are answered from it alone:

- `per_class_accuracy`: the diagonal over the row sums, the recall of every class. An overall
  accuracy of 90 % can hide a class at 40 %.
- `most_confused_pairs`: the largest off-diagonal counts, (true, predicted, count), the pairs to
  look at first (cat/dog, automobile/truck on CIFAR-10).
"""

from __future__ import annotations

import numpy as np


def _check_square(cm) -> np.ndarray:
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"`cm` must be a square confusion matrix (C, C). Received shape: {cm.shape}.")
    return cm


def per_class_accuracy(cm) -> np.ndarray:
    """The fraction of each true class predicted correctly: `cm[i, i] / cm[i].sum()`.

    Args:
        cm: A confusion matrix `(C, C)`, rows = true class (`confusion_matrix`).

    Returns:
        A float64 array `(C,)`; NaN for a class with no example (an empty row).

    Raises:
        ValueError: if `cm` is not square.
    """
    cm = _check_square(cm).astype(np.float64)
    counts = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, np.diag(cm) / np.where(counts > 0, counts, 1), np.nan)


def most_confused_pairs(cm, k: int = 3) -> list[tuple[int, int, int]]:
    """The `k` largest mistakes: `(true class, predicted class, count)`, most frequent first.

    Only off-diagonal cells with a count above zero are listed; ties are broken by true class, then
    predicted class (lowest first). A pair is ordered: (cat, dog) and (dog, cat) are two entries.

    Args:
        cm: A confusion matrix `(C, C)`, rows = true class.
        k: How many pairs at most. Defaults to `3`.

    Returns:
        A list of at most `k` tuples of Python ints.

    Raises:
        ValueError: if `cm` is not square or `k` is below 1.
    """
    cm = _check_square(cm)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"`k` must be a positive integer. Received: k={k!r}.")
    true, pred = np.nonzero((cm > 0) & ~np.eye(len(cm), dtype=bool))
    order = np.lexsort((pred, true, -cm[true, pred]))[:k]
    return [(int(true[i]), int(pred[i]), int(cm[true[i], pred[i]])) for i in order]
