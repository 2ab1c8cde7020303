"""One record per trained variant, the same keys in every experiment's `metrics.json`."""

from __future__ import annotations

import keras

from keras_vision.models import trainable_params
from keras_vision.training import FitResult


def variant_record(model: keras.Model, result: FitResult, report: dict | None = None, **extra) -> dict:
    """What one variant contributes to `metrics["models"]`.

    Args:
        model: The trained model.
        result: What `keras_vision.training.fit` returned for it.
        report: A `classification_report` of its test predictions, if it is a classifier: gives
            `test_accuracy`, `top5_accuracy` (more than 5 classes), `test_loss`, `per_class_accuracy`
            and `confusion_matrix`.
        **extra: Further numbers of this variant (they win over the ones above).

    Returns:
        `{test metrics..., "params", "trainable_params", "seconds", "seconds_per_epoch", "epochs", **extra}`.
    """
    numbers = {}
    if report is not None:
        numbers["test_accuracy"] = report["accuracy"]
        if "top5_accuracy" in report:
            numbers["top5_accuracy"] = report["top5_accuracy"]
        numbers.update(
            test_loss=report.get("loss"),
            per_class_accuracy=report["per_class_accuracy"],
            confusion_matrix=report["confusion_matrix"],
        )
    numbers.update(
        params=model.count_params(),
        trainable_params=trainable_params(model),
        seconds=round(result.seconds, 2),
        seconds_per_epoch=round(result.seconds_per_epoch, 2),
        epochs=result.epochs,
    )
    return {**numbers, **extra}
