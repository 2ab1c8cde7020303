"""Evaluation by task: how good a model is, and where it goes wrong.

- Classification (`metrics`): `classification_report` (from one prediction pass),
  `evaluate_classifier`, `confusion_matrix`, `top_k_accuracy`, `misclassified`, `sparse_cross_entropy`.
- Image-to-image (`image_quality`): `psnr_y`, `ssim_y` on the luminance channel,
  `image_to_image_report` with the gain over a baseline.
- Generative models: their scores (a Frechet distance on a classifier's features, label entropy)
  come with `keras_vision.gan`.
- `plots`: `plot_history`, `plot_confusion_matrix`, `plot_misclassified`, `plot_image_grid`,
  `plot_image_rows` (input / output / target with crops), each writing one PNG and returning its path.
"""

from keras_vision.evaluation.image_quality import image_to_image_report, psnr_y, ssim_y, to_y
from keras_vision.evaluation.metrics import (
    classification_report,
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
    plot_image_rows,
    plot_misclassified,
)

__all__ = [
    "classification_report",
    "image_to_image_report",
    "plot_image_rows",
    "psnr_y",
    "ssim_y",
    "to_y",
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
