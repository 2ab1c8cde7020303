"""Metrics and figures of a classifier: how good it is, and where it goes wrong.

- `metrics`: `confusion_matrix`, `top_k_accuracy`, `misclassified`, `sparse_cross_entropy`,
  `evaluate_classifier`.
- `plots`: `plot_history`, `plot_confusion_matrix`, `plot_misclassified`, `plot_image_grid`,
  each writing one PNG and returning its path.
"""

from keras_vision.evaluation.metrics import (
    confusion_matrix,
    evaluate_classifier,
    misclassified,
    sparse_cross_entropy,
    to_class_ids,
    top_k_accuracy,
)
from keras_vision.evaluation.plots import (
    plot_confusion_matrix,
    plot_history,
    plot_image_grid,
    plot_misclassified,
)

__all__ = [
    "confusion_matrix",
    "evaluate_classifier",
    "misclassified",
    "plot_confusion_matrix",
    "plot_history",
    "plot_image_grid",
    "plot_misclassified",
    "sparse_cross_entropy",
    "to_class_ids",
    "top_k_accuracy",
]
