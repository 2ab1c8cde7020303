"""Single-image super-resolution with SRCNN: degradation, network, losses, metrics, training.

- `degradation`: `degrade` (bicubic down by a scale and back up), `modcrop`, `downscale`, `upscale`.
- `model`: `build_srcnn` (9-1-5, 9-3-5, 9-5-5; optional residual learning).
- `losses`: `PerceptualLoss` (MSE + VGG16 features), `make_loss("mse" | "perceptual")`.
- Scores (from `keras_vision.evaluation.image_quality`, the course's one implementation):
  `rgb_to_y` (BT.601), `psnr_arrays` and `ssim_arrays` (two arrays on a given scale), and
  `psnr_y`, `ssim_y` (Y channel, border shaved). (`keras_vision.evaluation.psnr` and `ssim` are
  the versions for images in [0, 1] or uint8.)
- `data`: training photographs (folder, scikit-image samples, Oxford-IIIT Pet) and `make_patches`.
- `evaluate`: `super_resolve`, `evaluate_superres` (against bicubic), `plot_superres_comparison`.
- `train`: `train_and_evaluate_superres`, the work of the `superres` experiment.

Reference: Dong et al., "Image Super-Resolution Using Deep Convolutional Networks", TPAMI 2016.
"""

from keras_vision.evaluation.image_quality import psnr_arrays, psnr_y, rgb_to_y, ssim_arrays, ssim_y
from keras_vision.superres.degradation import degrade, downscale, modcrop, upscale
from keras_vision.superres.model import SRCNN_LAYOUTS, build_srcnn

__all__ = [
    "SRCNN_LAYOUTS",
    "build_srcnn",
    "degrade",
    "downscale",
    "modcrop",
    "psnr_arrays",
    "rgb_to_y",
    "ssim_arrays",
    "upscale",
    "psnr_y",
    "ssim_y",
]
