"""Training SRCNN with MSE and with a perceptual loss, and comparing both with bicubic.

`train_and_evaluate_superres` is the work of the `superres` experiment: it reads training
photographs (a folder, scikit-image's samples, or Oxford-IIIT Pet), cuts patches, trains one SRCNN
per loss with `keras_vision.training.fit` (history, per-epoch checkpoint `model.keras`, backup to
resume), optionally within a time budget, and evaluates every model on whole images (a folder such
as Set14, or held-out samples), writing one comparison figure per model.

Two documented departures from the paper's recipe train much faster: the network predicts the
residual over bicubic (VDSR), and Adam replaces plain SGD.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import keras

from keras_vision.superres.data import (
    EVALUATION_SAMPLES,
    load_pet_photos,
    load_photo_folder,
    load_sample_photos,
    make_patches,
)
from keras_vision.superres.degradation import check_scale
from keras_vision.superres.evaluate import evaluate_superres, plot_superres_comparison
from keras_vision.superres.losses import LOSSES, make_loss
from keras_vision.superres.model import build_srcnn
from keras_vision.training import fit, set_seed

#: Where training photographs come from.
SOURCES = ("samples", "folder", "pet")


def load_training_photos(source: str = "samples", *, data_dir=None, download: bool = False, limit: int | None = None):
    """Training HR photographs: `"samples"` (offline), `"folder"` (`data_dir`) or `"pet"` (tfds).

    Returns:
        `(images, names)`.

    Raises:
        ValueError: unknown source, or `"folder"` without `data_dir`.
    """
    if source == "samples":
        return load_sample_photos()
    if source == "folder":
        if data_dir is None:
            raise ValueError("source='folder' needs data_dir, the folder of training photographs.")
        return load_photo_folder(data_dir)
    if source == "pet":
        return load_pet_photos("train", data_dir=data_dir, download=download, limit=limit)
    raise ValueError(f"Unknown training source {source!r}. Valid sources: {', '.join(SOURCES)}.")


def load_evaluation_photos(source: str = "samples", *, eval_dir=None, data_dir=None, limit: int | None = None):
    """Evaluation HR photographs: `eval_dir` when given, else Pet's test split for `source="pet"`
    (at most `limit` images, default 50), else the held-out `EVALUATION_SAMPLES`.

    Returns:
        `(images, names)`.
    """
    if eval_dir is not None:
        return load_photo_folder(eval_dir)
    if source == "pet":
        return load_pet_photos("test", data_dir=data_dir, limit=limit or 50)
    return load_sample_photos(EVALUATION_SAMPLES)


def time_budget_callback(seconds: float):
    """A Keras callback that stops training at the end of the batch when `seconds` have passed."""

    class TimeBudget(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if time.perf_counter() - self.start > seconds:
                self.model.stop_training = True

    return TimeBudget()


def train_and_evaluate_superres(
    out_dir,
    *,
    scale: int = 2,
    source: str = "samples",
    data_dir=None,
    eval_dir=None,
    download: bool = False,
    limit: int | None = None,
    losses=LOSSES,
    layout: str = "9-1-5",
    residual: bool = True,
    patch_size: int = 33,
    patch_stride: int = 14,
    epochs: int = 20,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    max_train_seconds: float | None = None,
    vgg_weights=None,
    vgg_layer: str = "block2_conv2",
    feature_weight: float = 1e-3,
    seed: int = 0,
    verbose: str | int = 2,
    resume: bool = False,
) -> dict:
    """Trains one SRCNN per loss and compares each with bicubic upscaling on whole images.

    Args:
        out_dir: Run folder: `<loss>/` holds each model's `fit` files (history, per-epoch
            checkpoint `model.keras`, TensorBoard logs), `<loss>_comparison.png` its figure,
            `superres_metrics.json` the returned dict.
        scale: Super-resolution factor (2, 3, 4). Defaults to `2`.
        source: Training photographs: `"samples"` (scikit-image/scikit-learn, offline),
            `"folder"` (`data_dir`) or `"pet"` (Oxford-IIIT Pet via tfds, 256x256 HR; `data_dir`
            is tfds' data folder). Defaults to `"samples"`.
        data_dir: See `source`. Defaults to none.
        eval_dir: Folder of evaluation images (e.g. `../shared/data/sr/CSet14`). Defaults to
            Pet's test split for `source="pet"`, else the held-out `EVALUATION_SAMPLES`.
        download: Let tfds download Oxford-IIIT Pet. Defaults to `False`.
        limit: At most this many Pet images. Defaults to all.
        losses: Which models to train, names in `LOSSES`. Defaults to both.
        layout: SRCNN layout (`SRCNN_LAYOUTS`). Defaults to `"9-1-5"`.
        residual: Predict the residual over bicubic. Defaults to `True`.
        patch_size: Training patch side. Defaults to `33`.
        patch_stride: Step between patches. Defaults to `14`.
        epochs: Epochs per model. Defaults to `20`.
        batch_size: Patches per batch. Defaults to `32`.
        learning_rate: Adam's learning rate. Defaults to `1e-3`.
        max_train_seconds: Stop each model's training after this many seconds. Defaults to none.
        vgg_weights: VGG16 weights of the perceptual loss (`None`, `"imagenet"`, a file).
            Defaults to `None`; a real run uses `"imagenet"`.
        vgg_layer: VGG16 layer compared by the perceptual loss. Defaults to `"block2_conv2"`.
        feature_weight: Weight of the perceptual feature term. Defaults to `1e-3`.
        seed: Seed of initialisation and shuffling. Defaults to `0`.
        verbose: Passed to `fit`. Defaults to `2` (one line per epoch).
        resume: Continue interrupted trainings from their last finished epoch. Defaults to `False`.

    Returns:
        `{"models": {loss: {"psnr_bicubic", "psnr_sr", "ssim_bicubic", "ssim_sr", "per_image",
        "seconds", "epochs", "gain_db"}}, "scale", "num_patches", "eval_images"}`; `seconds` is the
        training time of that model.
    """
    check_scale(scale)
    unknown = [name for name in losses if name not in LOSSES]
    if unknown or not losses:
        raise ValueError(f"`losses` must name some of {', '.join(LOSSES)}. Received: losses={tuple(losses)!r}.")
    out_dir = Path(out_dir)
    train_images, _ = load_training_photos(source, data_dir=data_dir, download=download, limit=limit)
    eval_images, eval_names = load_evaluation_photos(source, eval_dir=eval_dir, data_dir=data_dir, limit=limit)
    inputs, targets = make_patches(train_images, scale=scale, patch_size=patch_size, stride=patch_stride)
    results = {}
    for loss_name in losses:
        set_seed(seed)
        model = build_srcnn(layout=layout, residual=residual)
        loss = (
            make_loss(loss_name, layer=vgg_layer, feature_weight=feature_weight, weights=vgg_weights)
            if loss_name == "perceptual"
            else make_loss(loss_name)
        )
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss)
        budget = [time_budget_callback(max_train_seconds)] if max_train_seconds else []
        trained = fit(
            model,
            (inputs, targets),
            epochs=epochs,
            batch_size=batch_size,
            run_dir=out_dir / loss_name,
            callbacks=budget,
            verbose=verbose,
            resume=resume,
        )
        scores = evaluate_superres(model, eval_images, eval_names, scale=scale)
        plot_superres_comparison(
            out_dir / f"{loss_name}_comparison.png", model, eval_images[0], scale=scale, title=loss_name
        )
        results[loss_name] = {
            **scores,
            "gain_db": scores["psnr_sr"] - scores["psnr_bicubic"],
            "seconds": trained.seconds,
            "epochs": trained.epochs,
        }
    metrics = {"models": results, "scale": scale, "num_patches": int(len(inputs)), "eval_images": eval_names}
    (out_dir / "superres_metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics
