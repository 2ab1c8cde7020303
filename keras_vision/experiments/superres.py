"""`superres`: SRCNN against bicubic upscaling, trained with MSE and with a VGG16 perceptual loss.

Training patches are cut from the chosen photographs (`--source`: scikit-image's samples, a
folder, or Oxford-IIIT Pet); one SRCNN is trained per loss (`--losses`), each within its time
budget (`--max-train-seconds`), built in the `--strategy`'s scope; every model is scored on whole
evaluation images (`--eval-dir`, e.g. Set14) by `keras_vision.evaluation.image_to_image_report`:
Y-PSNR and SSIM per image and on average, and the gain over bicubic (`psnr_gain`, `ssim_gain`),
with a figure of LR / bicubic / SR / HR crops per model.

    python -m keras_vision.run superres --scale 2 --eval-dir ../shared/data/sr/CSet14
"""

from __future__ import annotations

import functools

from keras_vision.errors import UsageError
from keras_vision.evaluation import image_to_image_report, variant_record
from keras_vision.evaluation.image_quality import SSIM_WINDOW
from keras_vision.experiments.catalog import SuperresConfig
from keras_vision.experiments.options import reading
from keras_vision.superres.data import load_evaluation_photos, load_training_photos, make_patches, make_test_pairs
from keras_vision.superres.losses import LOSSES, make_loss
from keras_vision.superres.predict import plot_superres_comparison, super_resolve
from keras_vision.superres.train import train_srcnn
from keras_vision.training import get_strategy, set_seed


def run(config: SuperresConfig) -> dict:
    losses = parse_losses(config.losses)
    if config.source == "folder" and config.data_dir is None:
        raise UsageError("--source folder reads the training photographs from --data-dir: give that folder.")
    weights = None if config.vgg_weights.lower() == "none" else config.vgg_weights
    perceptual = {"layer": config.vgg_layer, "feature_weight": config.feature_weight, "weights": weights}
    scale, limit = config.scale, config.limit
    with reading("--data-dir", config.data_dir):
        train_photos, _ = load_training_photos(
            config.source, data_dir=config.data_dir, download=config.download, limit=limit
        )
    with reading("--eval-dir", config.eval_dir):
        eval_photos, eval_names = load_evaluation_photos(
            config.source, eval_dir=config.eval_dir, data_dir=config.data_dir, limit=limit
        )
    try:
        patches = make_patches(train_photos, scale=scale, patch_size=config.patch_size, stride=config.patch_stride)
    except ValueError as error:  # every photograph is smaller than a patch
        raise UsageError(f"{error} Lower --patch-size, or train on larger photographs.") from None
    targets, bicubic = make_test_pairs(eval_photos, scale=scale)
    small = [name for name, target in zip(eval_names, targets) if min(target.shape[:2]) < SSIM_WINDOW + 2 * scale]
    if small:
        raise UsageError(
            f"Evaluation images must be at least {SSIM_WINDOW + 2 * scale} pixels on each side at --scale {scale} "
            f"(SSIM's window and the shaved border); too small: {', '.join(small)}. Choose another --eval-dir."
        )

    strategy = get_strategy(config.strategy)
    models, figures = {}, []
    for name in losses:
        set_seed(config.seed)
        options = perceptual if name == "perceptual" else {}
        model, result = train_srcnn(
            patches,
            loss=functools.partial(make_loss, name, **options),
            layout=config.layout,
            residual=config.residual,
            learning_rate=config.learning_rate,
            epochs=config.epochs,
            batch_size=config.batch_size,
            run_dir=config.variant_dir(name),
            strategy=strategy,
            max_seconds=config.max_train_seconds,
            resume=config.resume,
            verbose=config.verbose,
        )
        outputs = [super_resolve(model, image) for image in bicubic]
        report = image_to_image_report(targets, outputs, baselines=bicubic, names=eval_names, shave=scale)
        models[name] = variant_record(model, result, **report)
        figures.append(
            plot_superres_comparison(
                config.run_dir / f"{name}_comparison.png", targets[0], outputs[0], scale=scale, title=name
            )
        )
    return {
        "models": models,
        "scale": scale,
        "num_patches": int(len(patches[0])),
        "eval_images": list(eval_names),
        "data": {"source": config.source, "train_images": len(train_photos), "eval_images": len(eval_photos)},
        "figures": [str(f) for f in figures],
    }


def parse_losses(text: str) -> tuple[str, ...]:
    """`"mse,perceptual"` -> `("mse", "perceptual")`, each checked against `LOSSES`."""
    losses = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not losses or set(losses) - set(LOSSES):
        raise UsageError(f"--losses takes some of {', '.join(LOSSES)}, comma-separated. Received: {text!r}.")
    return losses
