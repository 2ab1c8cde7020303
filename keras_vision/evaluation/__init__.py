"""Evaluation by task: how good a model is, how good an image looks, and where things go wrong.

- Classification (`metrics`): `classification_report` (from one prediction pass),
  `evaluate_classifier`, `confusion_matrix`, `top_k_accuracy`, `misclassified`, `sparse_cross_entropy`;
  reading the matrix (`confusion`): `per_class_accuracy`, `most_confused_pairs`.
- Image-to-image and photographs (`image_quality`): `psnr`, `ssim` against a reference; `psnr_y`,
  `ssim_y` on the luminance channel and `image_to_image_report` (with the gain over a baseline);
  the no-reference measures `mean_brightness`, `rms_contrast`, `entropy`, `clipped_fraction`,
  `sharpness`, `measure_image`.
- Generative models: their scores (a Frechet distance on a classifier's features, label entropy)
  live with the models, in `keras_vision.gan`.
- Explanations (`gradcam`): `gradcam` heat maps of any classifier (nested pretrained bases too),
  `overlay_heatmap`, `heat_share` (the heat inside a region), `plot_misclassified_gradcam`.
- `plots`: `plot_history`, `plot_confusion_matrix`, `plot_misclassified`, `plot_image_grid`,
  `plot_image_rows` (input / output / target with crops), each writing one PNG and returning its path.
- Error analysis (`mistakes`): `confused_pair_records` (the most confused pairs, named),
  `most_confident_mistakes`, `mistake_records`, `plot_confident_mistakes`.
- `records`: `variant_record`, one trained variant's numbers, the same keys in every `metrics.json`.
"""

from keras_vision.evaluation.confusion import most_confused_pairs, per_class_accuracy
from keras_vision.evaluation.gradcam import (
    find_layer,
    gradcam,
    heat_share,
    overlay_heatmap,
    plot_misclassified_gradcam,
)
from keras_vision.evaluation.image_quality import (
    clipped_fraction,
    entropy,
    image_to_image_report,
    luma,
    mean_brightness,
    measure_image,
    psnr,
    psnr_arrays,
    psnr_y,
    rgb_to_y,
    rms_contrast,
    sharpness,
    ssim,
    ssim_arrays,
    ssim_y,
)
from keras_vision.evaluation.metrics import (
    classification_report,
    confusion_matrix,
    evaluate_classifier,
    misclassified,
    sparse_cross_entropy,
    to_class_ids,
    top_k_accuracy,
)
from keras_vision.evaluation.mistakes import (
    confused_pair_records,
    mistake_records,
    most_confident_mistakes,
    plot_confident_mistakes,
)
from keras_vision.evaluation.plots import (
    plot_confusion_matrix,
    plot_history,
    plot_image_grid,
    plot_image_rows,
    plot_misclassified,
)
from keras_vision.evaluation.records import variant_record

__all__ = [
    "classification_report",
    "clipped_fraction",
    "confusion_matrix",
    "entropy",
    "evaluate_classifier",
    "find_layer",
    "gradcam",
    "heat_share",
    "image_to_image_report",
    "luma",
    "mean_brightness",
    "measure_image",
    "misclassified",
    "mistake_records",
    "confused_pair_records",
    "most_confident_mistakes",
    "most_confused_pairs",
    "plot_confident_mistakes",
    "overlay_heatmap",
    "per_class_accuracy",
    "plot_confusion_matrix",
    "plot_history",
    "plot_image_grid",
    "plot_image_rows",
    "plot_misclassified",
    "plot_misclassified_gradcam",
    "psnr",
    "psnr_y",
    "rms_contrast",
    "sharpness",
    "sparse_cross_entropy",
    "ssim",
    "ssim_y",
    "to_class_ids",
    "rgb_to_y",
    "psnr_arrays",
    "ssim_arrays",
    "top_k_accuracy",
    "variant_record",
]
