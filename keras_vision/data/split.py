"""Subsets and the validation holdout, the same way in every experiment."""

from __future__ import annotations

import numpy as np


def take(x: np.ndarray, y: np.ndarray, limit: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The first `limit` examples of `(x, y)` (all of them when `limit` is None)."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"A data limit must be a positive whole number or None. Received: {limit!r}.")
    return x[:limit], y[:limit]


def holdout_split(x: np.ndarray, y: np.ndarray, fraction: float = 0.1):
    """Splits off the LAST `fraction` of `(x, y)` as the validation set (at least one example).

    The training sets the course loads are already in random order (MNIST, CIFAR) or shuffled by
    the loader (class folders), so the last examples are a fair sample and the split is the same
    in every run, which keeps resumed runs and compared variants on identical data.

    Returns:
        `((x_train, y_train), (x_validation, y_validation))`.

    Raises:
        ValueError: for a fraction outside (0, 1) or fewer than two examples.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"`fraction` must be between 0 and 1 (exclusive). Received: {fraction!r}.")
    if len(x) < 2:
        raise ValueError(f"Holding out a validation set needs at least 2 examples. Received: {len(x)}.")
    n_val = min(max(1, int(len(x) * fraction)), len(x) - 1)
    return (x[:-n_val], y[:-n_val]), (x[-n_val:], y[-n_val:])
