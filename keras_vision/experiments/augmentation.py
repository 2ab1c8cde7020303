"""`augmentation`: what the augmentation does to an image, how fast each pipeline does it, and whether it helps.

The CIFAR-10 test images (the first `--test-limit`) go through one `AugmentConfig` (by default
shifts of up to 10 % and left-right flips; `--rotation` and `--zoom` add the rest of the course's
design card, 15 degrees and 0.1) in four pipelines: `ImageDataGenerator` (as the course teaches it), Keras
preprocessing layers in `tf.data`, albumentations (when installed: `pip install albumentations`)
and `keras_vision.augment.FastAugmenter`, timed side by side at each size of `--sizes`
(`keras_vision.augment.augmentation_report`). The figure `augmentation.png` shows one image under
16 random augmentations.

Then (unless `--no-train`) the same small CNN (`small_cnn`) learns the first `--train-limit`
CIFAR-10 training images three times, with the same seed and epochs (`TRAINING_PIPELINES`):
without augmentation, with `ImageDataGenerator.flow` (one loader thread, as the course uses it)
and with `FastAugmenter` in `AugmentedBatches` (`--workers` threads), both with the geometry
above (the `--noise` of the figure is left out). Each is scored on the first `--eval-limit` test
images: test accuracy, accuracy on its own (unaugmented) training images, the gap between the
two, and the median training seconds per epoch (validation left out; `TrainingTimer`). The curves
of all three are one figure, `training_curves.png` (solid: training batches; dashed: the first
`CURVE_IMAGES` test images).

One seed is not a measurement of a one-point difference: the seed fixes the initial weights, the
order of the images and every random transform, and three seeds of the same pipeline spread over
up to 2.6 points (the fast pipeline: 61.56 to 64.19 %). `--repeats N` trains the three pipelines
with seeds `--seed`, `--seed + 1`, ... (folders `<pipeline>-seed<s>`); `metrics.json` keeps each
seed's numbers (`per_seed`), their means (the table's columns, with the standard deviation over
the seeds) and, in `comparison`, the per-seed differences of test accuracy the issue's acceptance
reads (`imagedatagenerator_minus_none`, `fast_minus_imagedatagenerator`).

The two augmenting pipelines draw the same transforms: per image (not per batch), fresh every
epoch, with `ImageDataGenerator`'s distributions of every parameter, composed in its order
(rotation, shift, shear, zoom about the centre, then the flips), bilinear, with SciPy's border
rules, then `rescale` (tests: `tests/unit/test_augment.py`, and
`test_training_pipelines_draw_the_same_transforms_per_image` on the pipelines as built here). The
one difference: the fast pipeline warps the uint8 images and rounds to whole grey levels, where
`ImageDataGenerator` warps float32 copies (at most half a grey level, 0.24 on average).

Why shifts and flips only by default: with the design card's rotation (15 degrees) and zoom (0.1)
as well, the small CNN underfits in 15 epochs (measured on 5,000 images: 62 % accuracy on its own
training images) and gains less than 2 points of test accuracy over no augmentation (53.5 % ->
55.3 % with `ImageDataGenerator`, 54.0 % with the fast pipeline). Shifts and flips alone with batches
of 128 (600 steps) still gain only 2.2 points (55.6 %; fast 56.0 %): the augmented network is
still learning (65 % on its training images). Batches of 32 (2,400 steps, the default) let it
learn the augmented images, and the gain appears. Measured numbers of the default run: the
README's `augmentation` row.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from keras_vision.augment import (
    AugmentConfig,
    AugmentedBatches,
    FastAugmenter,
    augmentation_report,
    gaussian_noise,
    image_data_generator,
)
from keras_vision.data import DATASETS, load_cifar10, locate, resize_images, sparse_labels
from keras_vision.data.split import take
from keras_vision.errors import UsageError
from keras_vision.evaluation import plot_history
from keras_vision.experiments.catalog import AugmentationConfig
from keras_vision.experiments.classifiers import Candidate, train_candidate
from keras_vision.models import SCRATCH_BN_MOMENTUM, build_cifar10_cnn, set_batchnorm_momentum
from keras_vision.training import TrainingTimer, cosine_decay, predict_in_whole_batches

#: The three trainings, in order: name -> description.
TRAINING_PIPELINES = {
    "none": "no augmentation: the training arrays / 255",
    "imagedatagenerator": "ImageDataGenerator.flow (legacy), one loader thread",
    "fast": "FastAugmenter in AugmentedBatches",
}
#: Test images of the per-epoch curves (the final score uses all `--eval-limit` images).
CURVE_IMAGES = 1_000
#: Numbers of a training record averaged over the seeds (`mean_record`).
AVERAGED = ("test_accuracy", "train_accuracy", "gap", "seconds_per_epoch", "wall_seconds_per_epoch")
#: Filters of the three blocks of `small_cnn`.
SMALL_CNN_FILTERS = (16, 32, 64)


def run(config: AugmentationConfig) -> dict:
    (x_train, y_train), (x_test, y_test) = load_cifar10(config.data_dir)
    images, _ = take(x_test, y_test, config.test_limit)
    augment = augment_config(config)
    sizes, figures = {}, []
    for side in parse_sizes(config.sizes):
        batch = images if side == images.shape[1] else resize_images(images, (side, side), interpolation="bicubic")
        report = augmentation_report(
            batch,
            augment,
            config.run_dir / f"{side}px" / "augmentation.png",
            batch_size=config.batch_size,
            rounds=config.rounds,
            seconds=config.seconds,
            seed=config.seed,
        )
        rates = report["images_per_second"]
        sizes[str(side)] = {**rates, **{f"fast_vs_{name}": value for name, value in report["fast_speedup"].items()}}
        figures.append(report["figure"])
    metrics = {
        "sizes": sizes,
        "augmentation": {k: v for k, v in vars(augment).items() if k != "preprocessing_function"},
        "data": {"source": locate("cifar10", config.data_dir), "images": len(images)},
        "figures": figures,
    }
    if config.train:
        train = take(x_train, sparse_labels(y_train), config.train_limit)
        test = take(x_test, sparse_labels(y_test), config.eval_limit)
        trained = train_pipelines(config, train, test)
        metrics["training"] = trained["training"]
        metrics["comparison"] = trained["comparison"]
        metrics["data"].update(train=len(train[0]), test=len(test[0]))
        metrics["figures"].append(trained["figure"])
    return metrics


def augment_config(config: AugmentationConfig, *, noise: bool = True, rescale: float | None = None) -> AugmentConfig:
    """The run's augmentation as an `AugmentConfig`; with `noise`, the `--noise` function when it is set."""
    return AugmentConfig(
        rotation_range=config.rotation,
        width_shift_range=config.shift,
        height_shift_range=config.shift,
        zoom_range=config.zoom,
        horizontal_flip=config.horizontal_flip,
        fill_mode=config.fill_mode,
        rescale=rescale,
        preprocessing_function=gaussian_noise(config.noise, seed=config.seed) if noise and config.noise else None,
    )


def small_cnn(learning_rate: float, total_steps: int):
    """The CNN of the three trainings: `build_cifar10_cnn` at half width, without dropout; Adam, cosine learning rate.

    Three blocks of two 3x3 convolutions with 16, 32 and 64 filters (batch norm, max pooling), a
    dense layer of 128 and the classifier: 0.2 M weights, about 10 M multiply-adds per image, so
    three trainings fit in minutes on a CPU. Without dropout it can memorise 5,000 images, so what
    augmentation adds shows in the test accuracy and in the train/test gap.
    """
    import keras

    model = build_cifar10_cnn(
        (32, 32, 3), 10, filters=SMALL_CNN_FILTERS, dropout=(0.0, 0.0, 0.0), head_dropout=0.0, name="small_cnn"
    )
    set_batchnorm_momentum(model, SCRATCH_BN_MOMENTUM)
    optimizer = keras.optimizers.Adam(cosine_decay(learning_rate, total_steps=total_steps))
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def training_data(name: str, config: AugmentationConfig):
    """`data(x, y, batch_size)` of one pipeline of `TRAINING_PIPELINES`, from uint8 images."""
    augment = augment_config(config, noise=False, rescale=1 / 255)
    if name == "none":
        return lambda x, y, batch_size: whole_dataset(x, y, batch_size, seed=config.seed)
    if name == "imagedatagenerator":
        return lambda x, y, batch_size: image_data_generator(augment).flow(
            x, y, batch_size=batch_size, seed=config.seed
        )
    return lambda x, y, batch_size: AugmentedBatches(
        x, y, FastAugmenter(augment, seed=config.seed), batch_size=batch_size, seed=config.seed, workers=config.workers
    )


def whole_dataset(x, y, batch_size: int, *, seed: int):
    """The images / 255, shuffled every epoch, in batches: the `none` pipeline as a `tf.data.Dataset`."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).map(lambda images, labels: (tf.cast(images, tf.float32) / 255.0, labels))


def train_pipelines(config: AugmentationConfig, train, test) -> dict:
    """Trains `small_cnn` once per pipeline of `TRAINING_PIPELINES` and seed; scores, times and draws them.

    The seeds are `--seed`, `--seed + 1`, ... (`--repeats` of them). Each seed fixes the initial
    weights (the same for the three pipelines), the order of the images and the random transforms.

    Args:
        config: The run's options (`epochs`, `batch_size`, `learning_rate`, `workers`, `repeats`, the augmentation).
        train: `(x, y)` uint8 training images and class ids.
        test: `(x, y)` uint8 test images and class ids.

    Returns:
        `{"training": {pipeline: record}, "comparison": {...}, "figure": path}`. A record holds the
        means over the seeds of `test_accuracy`, `train_accuracy`, `gap` (their difference),
        `seconds_per_epoch` (training only, median of the epochs) and `wall_seconds_per_epoch`;
        `test_accuracy_sd` (the standard deviation over the seeds; None for one seed) and `per_seed`
        (those numbers of each seed), beside the other `variant_record` numbers of the first seed.
        `comparison` gives the differences of mean test accuracy that the acceptance reads
        (`seed_comparison`). The curves are the first seed's.
    """
    x_test = test[0].astype(np.float32) / 255.0
    curve = (x_test[:CURVE_IMAGES], test[1][:CURVE_IMAGES])
    runs, histories = {name: {} for name in TRAINING_PIPELINES}, {}
    for seed in training_seeds(config):
        seeded = config if seed == config.seed else dataclasses.replace(config, seed=seed)
        for name, description in TRAINING_PIPELINES.items():
            variant = name if config.repeats == 1 else f"{name}-seed{seed}"
            record, history = train_pipeline(seeded, name, variant, description, train, curve, (x_test, test[1]))
            runs[name][seed] = record
            histories.setdefault(name, history)
    records = {name: mean_record(per_seed) for name, per_seed in runs.items()}
    seeds = f"seed {config.seed}" if config.repeats == 1 else f"curves of seed {config.seed} of {config.repeats}"
    title = f"CIFAR-10, {len(train[0]):,} training images: augmentation pipelines ({seeds}; dashed: test)"
    figure = plot_history(histories, config.run_dir / "training_curves.png", title=title)
    return {"training": records, "comparison": seed_comparison(runs), "figure": str(figure)}


def training_seeds(config: AugmentationConfig) -> list[int]:
    """The seeds of the trainings: `--seed`, `--seed + 1`, ..., `--repeats` of them."""
    return [config.seed + offset for offset in range(config.repeats)]


def train_pipeline(config: AugmentationConfig, name: str, variant: str, description: str, train, curve, test):
    """Trains `small_cnn` on one pipeline with `config.seed`, in `OUT/augmentation/<variant>/`.

    Returns:
        `(record, history)`: the `variant_record` numbers with `train_accuracy`, `gap`,
        `seconds_per_epoch` (training only) and `wall_seconds_per_epoch`; the Keras history.
    """
    timer = TrainingTimer()
    candidate = Candidate(
        lambda steps: small_cnn(config.learning_rate, steps),
        config.epochs,
        data=training_data(name, config),
        extra={"description": description, "seed": config.seed},
        callbacks=lambda: [timer],
    )
    trained = train_candidate(
        config, variant, candidate, train, curve, test, class_names=DATASETS.get("cifar10").class_names
    )
    probs = predict_in_whole_batches(trained.model, train[0].astype(np.float32) / 255.0)
    train_accuracy = float(np.mean(np.argmax(probs, axis=-1) == train[1]))
    record = {
        **trained.record,
        "train_accuracy": train_accuracy,
        "gap": train_accuracy - trained.record["test_accuracy"],
        "wall_seconds_per_epoch": trained.record["seconds_per_epoch"],
        "seconds_per_epoch": round(timer.seconds_per_epoch() or trained.record["seconds_per_epoch"], 2),
    }
    print(
        f"{name} (seed {config.seed}): test accuracy {record['test_accuracy']:.2%}, train {train_accuracy:.2%}, "
        f"{record['seconds_per_epoch']:.1f} s/epoch of training"
    )
    return record, trained.history


def mean_record(per_seed: dict[int, dict]) -> dict:
    """One pipeline's record over its seeds: the `AVERAGED` numbers are means, the rest the first seed's.

    Args:
        per_seed: `{seed: record}` from `train_pipeline`, in the order of the seeds.

    Returns:
        The first seed's record with the means of `AVERAGED`, `test_accuracy_sd` (sample standard
        deviation over the seeds; None for one seed), `seeds` and `per_seed` (`{seed: AVERAGED numbers}`).
    """
    first = next(iter(per_seed.values()))
    accuracies = [record["test_accuracy"] for record in per_seed.values()]
    return {
        **first,
        **{key: float(np.mean([record[key] for record in per_seed.values()])) for key in AVERAGED},
        "test_accuracy_sd": float(np.std(accuracies, ddof=1)) if len(accuracies) > 1 else None,
        "seeds": list(per_seed),
        "per_seed": {str(seed): {key: record[key] for key in AVERAGED} for seed, record in per_seed.items()},
    }


def seed_comparison(runs: dict[str, dict[int, dict]]) -> dict:
    """Test-accuracy differences of the acceptance: augmentation's gain and the fast pipeline's gap.

    Args:
        runs: `{pipeline: {seed: record}}` of the three pipelines.

    Returns:
        `{"imagedatagenerator_minus_none": ..., "fast_minus_imagedatagenerator": ...}`, each
        `{"mean": ..., "per_seed": {seed: ...}}` in accuracy units (0.01 is one point); the
        differences are taken seed by seed (same initial weights), the mean over the seeds.
    """
    pairs = {
        "imagedatagenerator_minus_none": ("imagedatagenerator", "none"),
        "fast_minus_imagedatagenerator": (
            "fast",
            "imagedatagenerator",
        ),
    }
    comparison = {}
    for key, (a, b) in pairs.items():
        differences = {str(s): runs[a][s]["test_accuracy"] - runs[b][s]["test_accuracy"] for s in runs[a]}
        comparison[key] = {"mean": float(np.mean(list(differences.values()))), "per_seed": differences}
    return comparison


def parse_sizes(text: str) -> list[int]:
    """`"32,128"` -> `[32, 128]` (each at least 8 pixels)."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 8:
        raise UsageError(
            f"--sizes takes image sides of at least 8 pixels, comma-separated, e.g. 32,128. Received: {text!r}."
        )
    return sizes
