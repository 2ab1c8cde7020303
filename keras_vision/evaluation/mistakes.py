"""Error analysis: which classes a classifier mixes up, and which mistakes it is surest of.

Accuracy says how often a model is wrong; error analysis says how. Two views the small-set
transfer project looks at after every run:

- `confused_pair_records`: the largest off-diagonal cells of the confusion matrix
  (`confusion.most_confused_pairs`) with their class names, "cat taken for dog 12 times": the pairs
  to look at, collect more images of, or merge.
- `most_confident_mistakes`: the wrong predictions made with the highest probability. They are
  often label errors in the data, or images unlike the rest of their class
  (`plot_confident_mistakes` shows them with their confidence).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from keras_vision.evaluation.confusion import most_confused_pairs
from keras_vision.evaluation.metrics import to_class_ids
from keras_vision.evaluation.plots import _message_figure, plot_image_grid


def confused_pair_records(confusion, class_names: Sequence[str], k: int = 5) -> list[dict]:
    """`most_confused_pairs` with class names and shares, ready for `metrics.json`.

    Args:
        confusion: `(C, C)` counts, row = true class, column = predicted class.
        class_names: C names.
        k: At most this many pairs (cells with no mistakes are left out). Defaults to `5`.

    Returns:
        A list of `{"true": name, "predicted": name, "count": n, "share": n / examples of the true
        class}`, largest first; ties keep the order of the matrix (row by row).

    Raises:
        ValueError: for a matrix that is not square or names that do not match it.
    """
    cm = np.asarray(confusion)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] != len(class_names):
        raise ValueError(
            f"`confusion` must be a square matrix with one row per class name ({len(class_names)}). "
            f"Received: shape {cm.shape}."
        )
    rows = cm.sum(axis=1)
    return [
        {
            "true": class_names[i],
            "predicted": class_names[j],
            "count": count,
            "share": float(count / rows[i]) if rows[i] else None,
        }
        for i, j, count in most_confused_pairs(cm, k)
    ]


def most_confident_mistakes(y_true, probs, k: int = 16) -> np.ndarray:
    """Indices of the `k` wrong predictions with the highest predicted probability, surest first.

    Args:
        y_true: Labels (class ids or one-hot), N of them.
        probs: Predicted probabilities `(N, C)`.
        k: At most this many indices. Defaults to `16`.

    Returns:
        An int64 array of indices into the N examples.
    """
    true = to_class_ids(y_true, name="y_true")
    probs = np.asarray(probs)
    if probs.ndim != 2 or len(probs) != len(true):
        raise ValueError(f"`probs` must be (N, C) with one row per label ({len(true)}). Received: shape {probs.shape}.")
    pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(pred != true)
    confidence = probs[wrong, pred[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:k].astype(np.int64)


def mistake_records(y_true, probs, class_names: Sequence[str], k: int = 10) -> list[dict]:
    """`most_confident_mistakes` as JSON-ready records: index, true and predicted name, confidence."""
    true = to_class_ids(y_true, name="y_true")
    probs = np.asarray(probs)
    return [
        {
            "index": int(i),
            "true": class_names[true[i]],
            "predicted": class_names[int(probs[i].argmax())],
            "confidence": round(float(probs[i].max()), 4),
        }
        for i in most_confident_mistakes(true, probs, k)
    ]


def plot_confident_mistakes(
    images, y_true, probs, class_names: Sequence[str], path: str | Path, max_images: int = 16
) -> Path:
    """The most confidently wrong images, each titled "true -> predicted (confidence)".

    Args:
        images: The images `(N, H, W[, C])`.
        y_true: Labels, N of them.
        probs: Predicted probabilities `(N, C)`.
        class_names: Names indexed by class id.
        path: The PNG file to write.
        max_images: At most this many images. Defaults to `16`.

    Returns:
        The path written (a figure saying so when nothing is wrong).
    """
    records = mistake_records(y_true, probs, class_names, max_images)
    if not records:
        return _message_figure("No misclassified images.", path)
    titles = [f"{r['true']} -> {r['predicted']} ({r['confidence']:.0%})" for r in records]
    return plot_image_grid(np.asarray(images)[[r["index"] for r in records]], path, titles=titles)
