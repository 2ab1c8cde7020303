"""`gan`: a DCGAN with each of the two upsamplers, judged by the course's MNIST CNN.

The generators differ only in their upsampling blocks (`keras_vision.upsample`): transposed
convolutions or nearest-neighbour resize + convolution. Both train on the same digits (or
Fashion-MNIST clothes) with the same seeds, built in the `--strategy`'s scope and trained through
`keras_vision.training.fit` (`keras_vision.gan.train_dcgan`). The run reports, per variant, the
classifier FID of `--sample-count` samples against as many real test images next to the real
train-vs-test floor, the share of confidently labelled samples, the entropy of the labels and the
checkerboard energy of the samples and inside the generator, with sample grids per epoch (and a
GIF), the final grids side by side, curves of the losses and scores per epoch, and the
checkerboard figure.

Files: `VARIANT/` holds `fit`'s files, `samples/`, `scores.csv`, `generator.keras` (the moving
average that makes the samples) and `fit_seconds.txt`; with `--resume`, a variant that has both
and no backup finished before the interruption and is scored again without training.
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np

from keras_vision.data import load_dataset, locate
from keras_vision.data.split import take
from keras_vision.errors import UsageError
from keras_vision.evaluation import plot_history, variant_record
from keras_vision.experiments.catalog import GanConfig
from keras_vision.files import save_model, write_text
from keras_vision.gan import (
    DCGAN,
    build_dcgan,
    inner_features,
    load_scorer,
    plot_checkerboard,
    plot_final_samples,
    real_floor,
    sample_scores,
    to_signed,
    to_unit,
    train_dcgan,
)
from keras_vision.gan.scores import read_scores
from keras_vision.training import FitResult, get_strategy, read_history_csv
from keras_vision.training.distributed import broadcast_from_chief, is_multi_worker, steps_per_worker, worker_count
from keras_vision.upsample import UPSAMPLERS, checkerboard_energy

#: Per-epoch curves drawn in `curves.png`: both losses, then the scores.
CURVES = ("d_loss", "g_loss", "fid", "confident_share", "label_entropy", "checkerboard", "inner_checkerboard")
#: Samples whose `inner_checkerboard` is measured at the end (16 channels each).
INNER_COUNT = 1000


def run(config: GanConfig) -> dict:
    variants = parse_variants(config.variants)
    # First of all: a multi-worker strategy configures TensorFlow's collective ops, which must happen
    # before any other TensorFlow operation (the scorer's training, for one).
    strategy = get_strategy(config.strategy)
    (x_train, y_train), (x_test, y_test) = load_dataset(config.dataset, config.data_dir)
    x_train, y_train = take(x_train, y_train, config.train_limit)
    x_test, y_test = take(x_test, y_test, config.test_limit)
    steps_per_epoch = len(x_train) // config.batch_size
    if steps_per_epoch == 0:
        raise UsageError(
            f"--batch-size {config.batch_size} is larger than the {len(x_train)} training images: "
            "lower it, or raise --train-limit."
        )
    if min(config.sample_count, len(x_test)) < 2:
        raise UsageError(f"The scores compare at least 2 test images; --test-limit {config.test_limit} leaves fewer.")
    train_unit, test_unit = to_unit(to_signed(x_train)), to_unit(to_signed(x_test))

    start = time.perf_counter()
    scorer = load_scorer(
        config.dataset, (train_unit, y_train), (test_unit, y_test), path=config.scorer, seed=config.seed
    )
    scorer_seconds = time.perf_counter() - start
    count = min(config.sample_count, len(test_unit))
    reference, _ = scorer(test_unit[:count])
    floor = real_floor(scorer, train_unit, test_unit, count, seed=config.seed)

    if is_multi_worker(strategy):  # the batches of an epoch are dealt out to the workers
        steps_per_epoch = steps_per_worker(steps_per_epoch, worker_count(strategy))
    models, grids, curves, checker = {}, {}, {}, {}
    for name in variants:
        with strategy.scope():
            gan = build_variant(config, name, train_unit.shape[1:], steps_per_epoch)
        run_dir = config.variant_dir(name)
        result = finished_variant(gan, run_dir) if config.resume else None
        if broadcast_from_chief(gan, value=int(result is not None)) and result is None:
            result = FitResult.timed({}, 0.0)  # another worker: the chief had finished this variant
        if result is None:
            result = train_variant(config, gan, to_signed(x_train), run_dir, scorer, reference)
            save_model(gan.sampler, run_dir / "generator.keras")
            write_text(run_dir / "fit_seconds.txt", f"{result.seconds}\n")
        per_epoch = read_scores(run_dir / "scores.csv")
        models[name], samples, inner = score_variant(
            gan,
            result,
            scorer,
            reference,
            floor,
            seed=config.seed,
            fid_first_epoch=per_epoch.get("fid", [None])[0],
            discriminator_params=gan.discriminator.count_params(),
            seconds_per_step=round(result.seconds_per_epoch / steps_per_epoch, 4),
            history=result.history,
            scores_per_epoch=per_epoch,
        )
        grids[name], checker[name] = samples[:64], (samples[:16], inner[:16])
        curves[name] = {**result.history, **per_epoch}

    out = config.run_dir
    drawn = [m for m in CURVES if all(m in c for c in curves.values())]  # a run resumed from an older version
    figures = [
        plot_final_samples(grids, {n: models[n]["fid"] for n in variants}, out / "final_samples.png"),
        plot_history(curves, out / "curves.png", metrics=drawn, title=f"DCGAN on {config.dataset}: losses and scores"),
        plot_checkerboard(
            checker,
            {n: (models[n]["checkerboard"], models[n]["inner_checkerboard"]) for n in variants},
            out / "checkerboard.png",
        ),
    ]
    return {
        "models": models,
        "real": {**floor, "count": count},
        "scorer": {
            "path": str(scorer.path),
            "test_accuracy": scorer.test_accuracy,
            "seconds": round(scorer_seconds, 2),
        },
        "data": {"source": locate(config.dataset, config.data_dir), "train": len(x_train), "test": len(x_test)},
        "figures": [str(f) for f in figures],
    }


def build_variant(config: GanConfig, name: str, image_shape: tuple, steps_per_epoch: int) -> DCGAN:
    """The DCGAN of upsampler `name` with the run's settings, its learning rate decaying over every step.

    Build it inside the strategy's scope (`with strategy.scope():`) to train it distributed.
    """
    return build_dcgan(
        name,
        image_shape,
        latent_dim=config.latent_dim,
        width=config.width,
        learning_rate=config.learning_rate,
        total_steps=config.epochs * steps_per_epoch,
        label_smoothing=config.label_smoothing,
        seed=config.seed,
    )


def train_variant(
    config: GanConfig, gan: DCGAN, x_signed: np.ndarray, run_dir: Path, scorer, reference: np.ndarray
) -> FitResult:
    """Trains `gan` on `x_signed` (in [-1, 1]) through `train_dcgan`, scoring samples after every epoch.

    Args:
        config: The run's settings (epochs, batch size, `epoch_sample_count`, resume, verbosity, seed).
        gan: A model of `build_variant`.
        x_signed: The real training images, scaled by `to_signed`.
        run_dir: The variant's folder (`fit`'s files, `samples/`, `scores.csv`).
        scorer: The judge of `load_scorer`.
        reference: The judge's features of the real test images (the first `epoch_sample_count` are used).

    Returns:
        `train_dcgan`'s `FitResult`.
    """
    return train_dcgan(
        gan,
        x_signed,
        run_dir,
        epochs=config.epochs,
        batch_size=config.batch_size,
        scorer=scorer,
        reference_features=reference[: config.epoch_sample_count],
        score_count=config.epoch_sample_count,
        resume=config.resume,
        verbose=config.verbose,
        seed=config.seed,
    )


def score_variant(
    gan: DCGAN, result: FitResult, scorer, reference: np.ndarray, floor: dict, *, seed: int, **extra
) -> tuple[dict, np.ndarray, np.ndarray]:
    """Scores a trained generator on as many samples as `reference` has real test images.

    The samples come from fixed noise (`seed + 3`), so both variants draw from the same latent points.

    Args:
        gan: The trained DCGAN.
        result: Its `FitResult` (history, seconds).
        scorer: The judge of `load_scorer`.
        reference: The judge's features of the real test images.
        floor: `real_floor`'s scores of real train against real test images.
        seed: The run's seed.
        **extra: More entries of the record (after the scores).

    Returns:
        `(record, samples, inner)`: `variant_record` with `sample_scores`, `inner_checkerboard`,
        `fid_over_floor` and `extra`; the samples in [0, 1]; the last upsampling block's output for
        the first `INNER_COUNT` of them.
    """
    noise = np.random.default_rng(seed + 3).normal(size=(len(reference), gan.latent_dim)).astype("float32")
    samples = to_unit(gan.generate(noise))
    inner = inner_features(gan.sampler, noise[:INNER_COUNT])
    scores = sample_scores(scorer, samples, reference)
    record = variant_record(
        gan.generator,
        result,
        **scores,
        inner_checkerboard=checkerboard_energy(inner, 2),
        fid_over_floor=scores["fid"] / max(floor["fid"], 1e-12),
        **extra,
    )
    return record, samples, inner


def parse_variants(text: str) -> tuple[str, ...]:
    """`"transpose,resize"` -> `("transpose", "resize")`, each a name of `keras_vision.upsample.UPSAMPLERS`."""
    variants = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
    if not variants or set(variants) - set(UPSAMPLERS.names()):
        raise UsageError(
            f"--variants takes some of {', '.join(UPSAMPLERS.names())}, comma-separated. Received: {text!r}."
        )
    return variants


def finished_variant(gan: DCGAN, run_dir: Path) -> FitResult | None:
    """For `--resume`: a variant that finished before the interruption is not trained again.

    If `run_dir` holds `generator.keras` and `fit_seconds.txt` and no `backup/`, loads those
    weights into `gan`'s sampler and returns the saved history and training time; otherwise None.
    """
    saved, seconds = run_dir / "generator.keras", run_dir / "fit_seconds.txt"
    if (run_dir / "backup").is_dir() or not saved.is_file() or not seconds.is_file():
        return None
    try:
        weights = keras.models.load_model(saved).get_weights()
        gan.sampler.set_weights(weights)
        elapsed = float(seconds.read_text())
    except Exception as error:  # another model's generator (other --width), a damaged file
        raise UsageError(
            f"--resume cannot reuse the finished variant in {run_dir} ({type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}). Run without --resume to train it again, "
            f"with the options of that run, or with another --out."
        ) from None
    return FitResult.timed(read_history_csv(run_dir / "history.csv"), elapsed)
