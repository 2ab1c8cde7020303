"""Single-image super-resolution: degradation, networks, losses, data, training, prediction.

- `degradation`: `degrade` (bicubic down by a scale and back up), `modcrop`, `downscale`, `upscale`.
- `model`: `build_srcnn` (9-1-5, 9-3-5, 9-5-5; optional residual learning), which upsamples with
  bicubic *before* the network.
- `learned`: `build_espcn` (sub-pixel convolution) and `build_fsrcnn` (transposed convolution),
  which take the LR image and upsample *inside*, built with `keras_vision.upsample`'s blocks.
- `architectures`: `SR_MODELS` (`srcnn`, `espcn`, `fsrcnn`) and `build_sr_model`.
- `losses`: `PerceptualLoss` (MSE + VGG16 features), `make_loss("mse" | "perceptual")`.
- `data`: training photographs (`load_training_photos`: scikit-image samples, a folder, Oxford-IIIT
  Pet), evaluation photographs, `make_patches` (bicubic or LR inputs), `flipped_patches`
  (flip augmentation) and whole-image `make_test_pairs`.
- `train`: `train_sr_model` (built in a strategy's scope, trained by `keras_vision.training.fit`,
  optionally within a `TimeBudget`).
- `predict`: `super_resolve` (the network on one whole image), `super_resolve_timed` (and its
  milliseconds per image), `plot_superres_comparison`.
- Scores (from `keras_vision.evaluation.image_quality`, the course's one implementation):
  `rgb_to_y` (BT.601), `psnr_arrays` and `ssim_arrays` (two arrays on a given scale), and
  `psnr_y`, `ssim_y` (Y channel, border shaved); `keras_vision.evaluation.image_to_image_report`
  scores a set of outputs and their gain over bicubic.

The `superres` experiment (`keras_vision.experiments.superres`) composes these pieces.

References: Dong et al., "Image Super-Resolution Using Deep Convolutional Networks", TPAMI 2016;
Shi et al., ESPCN, CVPR 2016; Dong, Loy and Tang, FSRCNN, ECCV 2016.
"""

from keras_vision.evaluation.image_quality import psnr_arrays, psnr_y, rgb_to_y, ssim_arrays, ssim_y
from keras_vision.superres.architectures import SR_MODELS, build_sr_model
from keras_vision.superres.degradation import degrade, downscale, modcrop, upscale
from keras_vision.superres.learned import build_espcn, build_fsrcnn
from keras_vision.superres.model import SRCNN_LAYOUTS, build_srcnn

__all__ = [
    "SRCNN_LAYOUTS",
    "SR_MODELS",
    "build_espcn",
    "build_fsrcnn",
    "build_sr_model",
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
