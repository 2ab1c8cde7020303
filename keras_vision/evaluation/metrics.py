"""How good is a classifier, and where does it go wrong?

- `confusion_matrix`: row = true class, column = predicted class; the diagonal holds the hits.
- `top_k_accuracy`: the true class is among the k most probable (top-5 is the ImageNet habit).
- `misclassified`: the indices of the mistakes, to look at them (`plots.plot_misclassified`).
- `evaluate_classifier`: all of the above for a model on a test set, as a JSON-ready dict.

Labels may be class ids `(N,)`, `(N, 1)` or one-hot `(N, C)`; predictions may also be the
probabilities `(N, C)` a softmax outputs (the most probable class is taken).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np


def to_class_ids(y, *, name: str = "y") -> np.ndarray:
    """Turns labels or predictions into a vector of class ids.

    Args:
        y: Class ids `(N,)` or `(N, 1)`, one-hot labels or probabilities `(N, C)` (C > 1;
            the arg-max is taken).
        name: The argument name used in error messages.

    Returns:
        An int64 array of shape `(N,)`.

    Raises:
        ValueError: for another shape or non-integer class ids.
    """
    y = np.asarray(y)
    if y.ndim == 2:
        y = y[:, 0] if y.shape[1] == 1 else y.argmax(axis=1)
    if y.ndim != 1:
        raise ValueError(
            f"`{name}` must hold class ids (N,) or (N, 1), or one-hot labels / probabilities "
            f"(N, num_classes). Received shape: {y.shape}."
        )
    if y.size and (not np.all(np.mod(y, 1) == 0) or y.min() < 0):
        raise ValueError(f"`{name}` must hold non-negative integer class ids. Received e.g. {y[:5]}.")
    return y.astype(np.int64)


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Counts `cm[i, j]` = examples of true class `i` predicted as class `j`.

    Args:
        y_true: Labels (class ids or one-hot).
        y_pred: Predicted class ids or probabilities `(N, num_classes)`.
        num_classes: Number of classes C.

    Returns:
        An int64 array `(C, C)`; rows sum to the class counts of `y_true`.

    Raises:
        ValueError: if the lengths differ or a class id is outside `[0, num_classes)`.
    """
    true, pred = _paired_ids(y_true, y_pred)
    for name, ids in (("y_true", true), ("y_pred", pred)):
        if ids.size and ids.max() >= num_classes:
            raise ValueError(
                f"`{name}` holds class id {ids.max()}, but num_classes={num_classes} allows only "
                f"0..{num_classes - 1}. Pass the right num_classes."
            )
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (true, pred), 1)
    return cm


def top_k_accuracy(y_true, probs, k: int = 5) -> float:
    """Fraction of examples whose true class is among the `k` highest-scoring classes.

    Ties are broken by class order (lower class id first), as `np.argsort` with a stable sort.

    Args:
        y_true: Labels (class ids or one-hot).
        probs: Scores `(N, C)`, e.g. softmax probabilities.
        k: How many top classes count as a hit. Defaults to `5`.

    Returns:
        A float in [0, 1]; `k=1` is the usual accuracy.

    Raises:
        ValueError: if `probs` is not `(N, C)`, lengths differ, or `k` is not in `[1, C]`.
    """
    probs = np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"`probs` must be scores of shape (N, num_classes). Received shape: {probs.shape}.")
    if not 1 <= k <= probs.shape[1]:
        raise ValueError(f"`k` must be between 1 and the number of classes ({probs.shape[1]}). Received: k={k}.")
    true, _ = _paired_ids(y_true, probs)
    if true.size and true.max() >= probs.shape[1]:
        raise ValueError(f"`y_true` holds class id {true.max()} but `probs` has only {probs.shape[1]} columns.")
    top = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.any(top == true[:, None], axis=1)))


def misclassified(y_true, y_pred) -> np.ndarray:
    """Indices of the examples whose predicted class differs from the true class.

    Args:
        y_true: Labels (class ids or one-hot).
        y_pred: Predicted class ids or probabilities.

    Returns:
        An int64 array of indices, in increasing order.
    """
    true, pred = _paired_ids(y_true, y_pred)
    return np.flatnonzero(true != pred).astype(np.int64)


def _paired_ids(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    true, pred = to_class_ids(y_true, name="y_true"), to_class_ids(y_pred, name="y_pred")
    if len(true) != len(pred):
        raise ValueError(
            f"`y_true` and `y_pred` must have one entry per example. Received {len(true)} labels "
            f"and {len(pred)} predictions."
        )
    return true, pred


def evaluate_classifier(model, x, y, *, batch_size: int, class_names: Sequence[str] | None = None) -> dict:
    """Evaluates a classifier on `(x, y)`: accuracy, top-5, loss, per-class accuracy, confusion.

    Args:
        model: A Keras model whose output is one score per class `(N, C)`, or one sigmoid
            probability `(N, 1)` for two classes.
        x: Inputs.
        y: Labels, in the form the model's loss expects when it is compiled (class ids or one-hot).
        batch_size: Batch size for prediction.
        class_names: C names, used as keys of `per_class_accuracy`. Defaults to "0", "1", ....

    Returns:
        `classification_report` of the predictions, whose `loss` (only when the model is
        compiled) is the model's own loss on them, without weight-regularisation penalties, so
        the model runs once.

    Raises:
        ValueError: if `class_names` does not have one name per class, or labels are malformed.
    """
    outputs = model.predict(x, batch_size=batch_size, verbose=0)
    report = classification_report(y, outputs, class_names)
    report.pop("loss")
    if getattr(model, "compiled", False):
        report["loss"] = _compiled_loss(model, x, y, outputs, batch_size)
    return report


def classification_report(y, probs, class_names: Sequence[str] | None = None) -> dict:
    """Everything the course reports about a classifier's predictions, from ONE prediction pass.

    Args:
        y: True labels: class ids `(N,)` / `(N, 1)` or one-hot `(N, C)`.
        probs: Predicted probabilities `(N, C)`, or one sigmoid column `(N, 1)` for two classes.
        class_names: C names, used as keys of `per_class_accuracy`. Defaults to "0", "1", ....

    Returns:
        A JSON-ready dict: `accuracy` (top-1), `top5_accuracy` (only when C > 5), `loss` (mean
        cross-entropy of the true class), `per_class_accuracy` (name -> fraction of that class
        predicted correctly, `None` for a class absent from `y`), `confusion_matrix` (C lists of
        C counts, rows = true class), `class_names` and `num_examples`.
    """
    probs = _class_scores(probs)
    num_classes = probs.shape[1]
    names = [str(i) for i in range(num_classes)] if class_names is None else list(class_names)
    if len(names) != num_classes:
        raise ValueError(f"`class_names` has {len(names)} names but the model predicts {num_classes} classes.")
    cm = confusion_matrix(y, probs, num_classes)
    result = {"accuracy": top_k_accuracy(y, probs, k=1)}
    if num_classes > 5:
        result["top5_accuracy"] = top_k_accuracy(y, probs, k=5)
    result["loss"] = sparse_cross_entropy(to_class_ids(y), probs)
    counts = cm.sum(axis=1)
    result["per_class_accuracy"] = {
        name: (float(cm[i, i] / counts[i]) if counts[i] else None) for i, name in enumerate(names)
    }
    return {**result, "confusion_matrix": cm.tolist(), "class_names": names, "num_examples": int(counts.sum())}


def _compiled_loss(model, x, y, outputs, batch_size: int) -> float:
    """The compiled loss computed on `outputs`; `model.evaluate` (a second pass) for several losses."""

    if isinstance(model.loss, str) or callable(model.loss):
        loss = keras.losses.get(model.loss) if isinstance(model.loss, str) else model.loss
        y = np.asarray(y)
        y = y.astype(outputs.dtype) if y.dtype.kind == "f" else y  # one-hot float64 vs float32 outputs
        return float(np.mean(keras.ops.convert_to_numpy(loss(y, outputs))))
    return float(model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)["loss"])


def _class_scores(outputs) -> np.ndarray:
    """Model outputs as `(N, C)` scores; a single sigmoid column `p` becomes `[1 - p, p]`."""
    scores = np.asarray(outputs)
    if scores.ndim != 2:
        raise ValueError(f"The model must output (N, num_classes) scores. Received shape: {scores.shape}.")
    return np.concatenate([1 - scores, scores], axis=1) if scores.shape[1] == 1 else scores


def sparse_cross_entropy(y, probs) -> float:
    """Mean of -log(probability of the true class): `sparse_categorical_crossentropy` in NumPy.

    Args:
        y: Class ids, shape (N,) or (N, 1).
        probs: Predicted probabilities, shape (N, C).
    """
    picked = np.asarray(probs)[np.arange(len(y)), np.asarray(y).reshape(-1)]
    return float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0))))
