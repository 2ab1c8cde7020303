"""Single-image super-resolution with SRCNN: degradation, network, losses, metrics, training.

- `degradation`: `degrade` (bicubic down by a scale and back up), `modcrop`, `downscale`, `upscale`.
- `model`: `build_srcnn` (9-1-5, 9-3-5, 9-5-5; optional residual learning).
- `losses`: `PerceptualLoss` (MSE + VGG16 features), `make_loss("mse" | "perceptual")`.
- `metrics`: `rgb_to_y` (BT.601), `psnr`, `ssim`, `y_psnr`, `y_ssim` (Y channel, border shaved).
- `data`: training photographs (folder, scikit-image samples, Oxford-IIIT Pet) and `make_patches`.
- `evaluate`: `super_resolve`, `evaluate_superres` (against bicubic), `plot_superres_comparison`.
- `train`: `train_and_evaluate_superres`, the work of the `superres` experiment.

Reference: Dong et al., "Image Super-Resolution Using Deep Convolutional Networks", TPAMI 2016.
"""

from keras_vision.superres.degradation import degrade, downscale, modcrop, upscale
from keras_vision.superres.metrics import psnr, rgb_to_y, ssim, y_psnr, y_ssim
from keras_vision.superres.model import SRCNN_LAYOUTS, build_srcnn

__all__ = [
    "SRCNN_LAYOUTS",
    "build_srcnn",
    "degrade",
    "downscale",
    "modcrop",
    "psnr",
    "rgb_to_y",
    "ssim",
    "upscale",
    "y_psnr",
    "y_ssim",
]
