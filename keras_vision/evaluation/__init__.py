"""Metrics and figures: how good a classifier is, how good an image looks, and where things go wrong.

- `image_quality`: `psnr`, `ssim` (against a reference image) and the no-reference measures
  `mean_brightness`, `rms_contrast`, `entropy`, `clipped_fraction`, `sharpness`, `measure_image`.
- `metrics`: `confusion_matrix`, `top_k_accuracy`, `misclassified`, `sparse_cross_entropy`,
  `evaluate_classifier`.
- `plots`: `plot_history`, `plot_confusion_matrix`, `plot_misclassified`, `plot_image_grid`,
  each writing one PNG and returning its path.
"""

from keras_vision.evaluation.image_quality import (
    clipped_fraction,
    entropy,
    luma,
    mean_brightness,
    measure_image,
    psnr,
    rms_contrast,
    sharpness,
    ssim,
)
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
    "clipped_fraction",
    "entropy",
    "luma",
    "mean_brightness",
    "measure_image",
    "psnr",
    "rms_contrast",
    "sharpness",
    "ssim",
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
