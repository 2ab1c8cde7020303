"""`superres`: SRCNN against bicubic upscaling, trained with MSE and with a VGG16 perceptual loss.

All the work is `keras_vision.superres.train_and_evaluate_superres`: training patches from the
chosen photographs, one SRCNN per loss (each with its time budget), and whole-image Y-PSNR / SSIM
against bicubic on the evaluation images, per image and on average, with a figure of
LR / bicubic / SR / HR crops per model.

    python -m keras_vision.run superres --scale 2 --eval-dir ../shared/data/sr/CSet14
"""

from __future__ import annotations

from keras_vision.errors import UsageError
from keras_vision.experiments.catalog import SuperresConfig
from keras_vision.superres.losses import LOSSES
from keras_vision.superres.train import train_and_evaluate_superres


def run(config: SuperresConfig) -> dict:
    losses = tuple(name.strip() for name in config.losses.split(",") if name.strip())
    if not losses or set(losses) - set(LOSSES):
        raise UsageError(f"--losses takes some of {', '.join(LOSSES)}, comma-separated. Received: {config.losses!r}.")
    weights = None if config.vgg_weights.lower() == "none" else config.vgg_weights
    return train_and_evaluate_superres(
        config.run_dir,
        scale=config.scale,
        source=config.source,
        data_dir=config.data_dir,
        eval_dir=config.eval_dir,
        download=config.download,
        limit=config.limit,
        losses=losses,
        layout=config.layout,
        residual=config.residual,
        patch_size=config.patch_size,
        patch_stride=config.patch_stride,
        epochs=config.epochs,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        max_train_seconds=config.max_train_seconds,
        vgg_weights=weights,
        vgg_layer=config.vgg_layer,
        feature_weight=config.feature_weight,
        seed=config.seed,
        verbose=config.verbose,
        resume=config.resume,
    )
