"""`superres`: networks that upsample before (SRCNN) and inside (ESPCN, FSRCNN) against bicubic,
trained with MSE and with a VGG16 perceptual loss.

Training patches are cut from the chosen photographs (`--source`: scikit-image's samples, a
folder, or Oxford-IIIT Pet), randomly flipped (`--flips`); one network is trained per model and
loss (`--models` x `--losses`, named `{model}-{loss}`), each within the same budget: `--epochs`
over the same photographs and at most `--max-train-seconds` (`steps` records the optimizer steps
each made), built in the `--strategy`'s scope. Every network is scored on whole evaluation images
(`--eval-dir`, e.g. Set14) by `keras_vision.evaluation.image_to_image_report`: Y-PSNR and SSIM per
image and on average, the gain over bicubic (`psnr_gain`, `ssim_gain`), its parameters and its
milliseconds per image; a figure of LR / bicubic / SR / HR crops per network.

The perceptual loss uses ImageNet VGG16 features (`--vgg-weights imagenet`); offline without the
cached file it falls back to random features with a one-line warning, and `metrics.json` says so.

    python -m keras_vision.run superres --scale 2 --eval-dir ../shared/data/sr/CSet14
"""

from __future__ import annotations

import functools
import itertools
import sys

from keras_vision.errors import UsageError
from keras_vision.evaluation import image_to_image_report, variant_record
from keras_vision.evaluation.image_quality import SSIM_WINDOW
from keras_vision.experiments.catalog import SuperresConfig
from keras_vision.experiments.options import reading
from keras_vision.superres.architectures import SR_MODELS
from keras_vision.superres.data import load_evaluation_photos, load_training_photos, make_patches, make_test_pairs
from keras_vision.superres.degradation import downscale
from keras_vision.superres.losses import LOSSES, make_loss, vgg16_weights_or_random
from keras_vision.superres.predict import plot_superres_comparison, super_resolve_timed
from keras_vision.superres.train import optimizer_steps, train_sr_model
from keras_vision.training import get_strategy, set_seed


def run(config: SuperresConfig) -> dict:
    losses, architectures = parse_losses(config.losses), parse_models(config.models)
    if config.source == "folder" and config.data_dir is None:
        raise UsageError("--source folder reads the training photographs from --data-dir: give that folder.")
    vgg_weights, vgg_note = "not used", None
    if "perceptual" in losses:
        vgg_weights, vgg_note = vgg16_weights_or_random(config.vgg_weights)
        if vgg_note:
            print(f"warning: {vgg_note}", file=sys.stderr)
    perceptual = {"layer": config.vgg_layer, "feature_weight": config.feature_weight, "weights": vgg_weights}
    scale, limit = config.scale, config.limit
    with reading("--data-dir", config.data_dir):
        train_photos, _ = load_training_photos(
            config.source, data_dir=config.data_dir, download=config.download, limit=limit
        )
    with reading("--eval-dir", config.eval_dir):
        eval_photos, eval_names = load_evaluation_photos(
            config.source, eval_dir=config.eval_dir, data_dir=config.data_dir, limit=limit
        )
    patches = {
        low: cut_patches(train_photos, config, low_resolution=low) for low in low_resolution_inputs(architectures)
    }
    targets, bicubic = make_test_pairs(eval_photos, scale=scale)
    small = [name for name, target in zip(eval_names, targets) if min(target.shape[:2]) < SSIM_WINDOW + 2 * scale]
    if small:
        raise UsageError(
            f"Evaluation images must be at least {SSIM_WINDOW + 2 * scale} pixels on each side at --scale {scale} "
            f"(SSIM's window and the shaved border); too small: {', '.join(small)}. Choose another --eval-dir."
        )
    low_res = [downscale(target, scale) for target in targets]

    strategy = get_strategy(config.strategy)
    models, figures = {}, []
    for architecture, loss in itertools.product(architectures, losses):
        name, low = f"{architecture}-{loss}", SR_MODELS.get(architecture).low_resolution_input
        set_seed(config.seed)
        model, result = train_sr_model(
            patches[low],
            architecture=architecture,
            scale=scale,
            loss=functools.partial(make_loss, loss, **(perceptual if loss == "perceptual" else {})),
            layout=config.layout,
            residual=config.residual,
            flips=config.flips,
            seed=config.seed,
            learning_rate=config.learning_rate,
            epochs=config.epochs,
            batch_size=config.batch_size,
            run_dir=config.variant_dir(name),
            strategy=strategy,
            max_seconds=config.max_train_seconds,
            resume=config.resume,
            verbose=config.verbose,
        )
        outputs, ms_per_image = super_resolve_timed(model, low_res if low else bicubic)
        report = image_to_image_report(targets, outputs, baselines=bicubic, names=eval_names, shave=scale)
        steps = optimizer_steps(model)
        models[name] = variant_record(
            model, result, **report, ms_per_image=round(ms_per_image, 2), steps=steps, upsamples_inside=low
        )
        figures.append(
            plot_superres_comparison(
                config.run_dir / f"{name}_comparison.png", targets[0], outputs[0], scale=scale, title=name
            )
        )
    return {
        "models": models,
        "scale": scale,
        "num_patches": {("lr_input" if low else "bicubic_input"): int(len(p[0])) for low, p in patches.items()},
        "flips": config.flips,
        "vgg_weights": vgg_weights if vgg_note is None else "random (ImageNet weights unavailable)",
        "eval_images": list(eval_names),
        "data": {"source": config.source, "train_images": len(train_photos), "eval_images": len(eval_photos)},
        "figures": [str(f) for f in figures],
    }


def low_resolution_inputs(architectures) -> list[bool]:
    """Which patch kinds the networks need: the bicubic upscale (SRCNN), the LR image, or both."""
    return sorted({SR_MODELS.get(name).low_resolution_input for name in architectures})


def cut_patches(photos, config: SuperresConfig, *, low_resolution: bool):
    """`make_patches` with the run's sizes; photographs smaller than a patch are a usage error."""
    try:
        return make_patches(
            photos,
            scale=config.scale,
            patch_size=config.patch_size,
            stride=config.patch_stride,
            low_resolution=low_resolution,
        )
    except ValueError as error:  # every photograph is smaller than a patch
        raise UsageError(f"{error} Lower --patch-size, or train on larger photographs.") from None


def parse_models(text: str) -> tuple[str, ...]:
    """`"srcnn,espcn"` -> `("srcnn", "espcn")`, each checked against `SR_MODELS`."""
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not names or set(names) - set(SR_MODELS.names()):
        raise UsageError(f"--models takes some of {', '.join(SR_MODELS.names())}, comma-separated. Received: {text!r}.")
    return names


def parse_losses(text: str) -> tuple[str, ...]:
    """`"mse,perceptual"` -> `("mse", "perceptual")`, each checked against `LOSSES`."""
    losses = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not losses or set(losses) - set(LOSSES):
        raise UsageError(f"--losses takes some of {', '.join(LOSSES)}, comma-separated. Received: {text!r}.")
    return losses
