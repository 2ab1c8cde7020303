"""Classifiers trained from scratch: the Fashion-MNIST and CIFAR-10 comparisons, as library calls.

`train_from_scratch("fashion_mnist" | "cifar10", out_dir)` loads the data with `keras_vision.data`,
applies the taught preprocessing, trains every requested variant with `keras_vision.training.fit`
(cosine learning rate), evaluates it on the test set with `keras_vision.evaluation`, and writes to
`out_dir`:

    out_dir/
        metrics.json            every variant: test accuracy and loss, seconds, seconds per epoch
        curves.png              learning curves of all variants on one plot
        confusion_matrix.png    of the best variant
        <variant>/              fit's run folder (history.csv, model.keras, logs/) and final.keras

The steps, in the order the course teaches them:

1. Preprocessing (`prepare_fashion_mnist`, `prepare_cifar10`): pixels / 255, a channel axis for
   grayscale, one-hot labels for categorical cross-entropy.
2. A held-out validation set from the end of the training set (`keras_vision.data.split.holdout_split`), for the curves.
3. The variants (`FASHION_MNIST_VARIANTS`, `CIFAR10_VARIANTS`): a builder from
   `keras_vision.models` with its optimizer and default epochs.
4. For the CIFAR-10 CNN: augmentation (`augment_pad_crop_flip`: pad 4 pixels, crop back to 32x32
   at a random place, flip left-right half the time) inside `tf.data`, weight decay, SGD with a
   cosine learning rate after one warm-up epoch, and bfloat16 computations (`dtype_policy`; see
   `benchmarks/cifar10_cnn_precision.py`: about 25 % fewer CPU seconds per step).
5. Every model trains from scratch, so batch normalization's moving statistics get the momentum
   `keras_vision.transfer.SCRATCH_BN_MOMENTUM` (0.9): they follow the batches even in a short run.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from keras_vision.data import (
    DATASETS,
    add_channel_axis,
    load_cifar10,
    load_fashion_mnist,
    locate,
    one_hot,
    scale_pixels,
    sparse_labels,
)
from keras_vision.data.split import holdout_split
from keras_vision.evaluation import evaluate_classifier, plot_confusion_matrix, plot_history
from keras_vision.evaluation.records import variant_record
from keras_vision.models.baselines import build_ann, build_cifar10_cnn, build_fcn
from keras_vision.models.classic import build_classic_cnn
from keras_vision.models.training_state import SCRATCH_BN_MOMENTUM, set_batchnorm_momentum
from keras_vision.training import cosine_decay, epochs_to_steps, fit, set_seed


@dataclass(frozen=True)
class Variant:
    """One model of a comparison: how to build it and how to train it.

    Attributes:
        build: `build(input_shape, num_classes) -> keras.Model` (uncompiled, softmax output).
        epochs: Default number of epochs.
        optimizer: `"adam"` or `"sgd"` (SGD with Nesterov momentum 0.9).
        learning_rate: Peak learning rate of the cosine schedule.
        augment: Random crop with padding and horizontal flip on the training batches.
        warmup_epochs: Epochs of linear learning-rate warm-up. Defaults to `0`.
        mixed_precision: Compute in bfloat16, keeping float32 weights (Keras' `"mixed_bfloat16"`
            policy); about 25 % faster on a CPU with AVX512-BF16, and harmless elsewhere.
        standardize: Put a `Normalization` layer in front of the model that subtracts the
            training images' per-channel mean and divides by their standard deviation: dense
            layers learn much faster from centred inputs than from pixels in [0, 1].
        description: One line for `metrics.json`.
    """

    build: Callable
    epochs: int
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    augment: bool = False
    warmup_epochs: float = 0.0
    mixed_precision: bool = False
    standardize: bool = False
    description: str = field(default="", compare=False)


FASHION_MNIST_VARIANTS = {
    "ann": Variant(build_ann, epochs=20, description="784-128-10 dense network"),
    "cnn": Variant(build_classic_cnn, epochs=12, description="classic CNN Conv64-Pool-Conv64-Pool-Dense128"),
}
CIFAR10_VARIANTS = {
    "fcn_small": Variant(
        lambda s, n: build_fcn("small", s, n),
        epochs=30,
        standardize=True,
        description="3072-100-20-10, standardized inputs",
    ),
    "fcn_large": Variant(
        lambda s, n: build_fcn("large", s, n),
        epochs=30,
        standardize=True,
        description="3072-512-256-10 + dropout, standardized inputs",
    ),
    "cnn": Variant(
        lambda s, n: build_cifar10_cnn(s, n, weight_decay=5e-4),
        epochs=25,  # 85.0 % test accuracy on the JPEG copy (81.3 % after 12)
        optimizer="sgd",
        learning_rate=0.05,
        augment=True,
        warmup_epochs=1,
        mixed_precision=True,
        description="3 conv blocks (BN, max pooling, dropout), dense head, weight decay 5e-4",
    ),
}


def prepare_fashion_mnist(x, y) -> tuple[np.ndarray, np.ndarray]:
    """The taught preprocessing: uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1]; one-hot labels.

    Args:
        x: uint8 images (N, 28, 28).
        y: Integer labels (N,).

    Returns:
        `(x, y)`: float32 images (N, 28, 28, 1) divided by 255, float32 one-hot labels (N, 10).
    """
    return add_channel_axis(scale_pixels(x)), one_hot(y, 10)


def prepare_cifar10(x, y) -> tuple[np.ndarray, np.ndarray]:
    """uint8 (N, 32, 32, 3) -> float32 in [0, 1]; labels (N,) or (N, 1) -> one-hot (N, 10)."""
    return scale_pixels(x), one_hot(sparse_labels(y), 10)


def augment_pad_crop_flip(x, y, *, batch_size: int, pad: int = 4, seed: int = 0):
    """A shuffled, batched `tf.data.Dataset` with random crops after padding and random flips.

    Each epoch, every image is zero-padded by `pad` pixels on each side, cropped back to its size
    at a random position (a shift of up to `pad` pixels) and flipped left-right with probability
    1/2: the standard CIFAR augmentation (He et al., 2016). It runs in `tf.data`, so the model
    stays a plain stack of layers.

    Args:
        x: float32 images (N, H, W, C).
        y: Labels (N, ...).
        batch_size: Examples per batch.
        pad: Pixels of zero padding on each side. Defaults to `4`.
        seed: Shuffling and augmentation seed. Defaults to `0`.

    Returns:
        A `tf.data.Dataset` of `(images, labels)` batches.
    """
    import tensorflow as tf

    height, width, channels = x.shape[1:]

    def augment(image, label, seeds):
        image = tf.image.pad_to_bounding_box(image, pad, pad, height + 2 * pad, width + 2 * pad)
        image = tf.image.stateless_random_crop(image, (height, width, channels), seed=seeds[0])
        return tf.image.stateless_random_flip_left_right(image, seed=seeds[1]), label

    pairs = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    seeds = tf.data.Dataset.random(seed=seed).batch(4).map(lambda s: tf.reshape(s, (2, 2)))
    zipped = tf.data.Dataset.zip((pairs, seeds)).map(lambda p, s: (*p, s))
    return zipped.map(augment, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size).prefetch(tf.data.AUTOTUNE)


@contextlib.contextmanager
def dtype_policy(name: str):
    """Builds layers under the Keras dtype policy `name` (e.g. `"mixed_bfloat16"`), then restores it.

    Layers keep the policy they were created with, so the policy only needs to hold while the
    model is built.
    """
    import keras

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def with_standardization(model, x):
    """`model` behind a `Normalization` layer named `standardize` with `x`'s per-channel statistics.

    The mean and variance are computed once here (over images, rows and columns) and stored in the
    layer's configuration, so the saved model standardizes its inputs itself.

    Args:
        model: A model taking images like `x`.
        x: Training images (N, H, W, C).

    Returns:
        A `keras.Model` `image -> standardize -> model`.
    """
    import keras

    axes = tuple(range(x.ndim - 1))
    norm = keras.layers.Normalization(axis=-1, mean=x.mean(axis=axes), variance=x.var(axis=axes), name="standardize")
    inputs = keras.Input(shape=x.shape[1:], name="image")
    return keras.Model(inputs, model(norm(inputs)), name=model.name)


def compile_variant(model, variant: Variant, *, total_steps: int, warmup_steps: int = 0):
    """Compiles `model` with the variant's optimizer on a cosine schedule, categorical cross-entropy."""
    import keras

    schedule = cosine_decay(variant.learning_rate, total_steps=total_steps, warmup_steps=warmup_steps)
    if variant.optimizer == "sgd":
        optimizer = keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True)
    else:
        optimizer = keras.optimizers.Adam(schedule)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def train_variant(
    variant: Variant,
    train,
    validation,
    test,
    *,
    epochs: int,
    batch_size: int,
    run_dir: Path,
    class_names: Sequence[str],
    seed: int = 0,
    verbose="auto",
    resume: bool = False,
) -> dict:
    """Builds, compiles, trains and evaluates one variant.

    Returns:
        (record, history, report): its `metrics.json` record (`experiments.records.variant_record`
        plus its description), the per-epoch history and the test set's `classification_report`.
    """
    set_seed(seed)
    x_train, y_train = train
    steps_per_epoch = epochs_to_steps(1, num_examples=len(x_train), batch_size=batch_size)
    total = steps_per_epoch * epochs
    warmup = min(int(variant.warmup_epochs * steps_per_epoch), total - 1)
    with dtype_policy("mixed_bfloat16" if variant.mixed_precision else "float32"):
        model = variant.build(x_train.shape[1:], len(class_names))
    set_batchnorm_momentum(model, SCRATCH_BN_MOMENTUM)  # moving statistics that keep up in short runs
    if variant.standardize:
        model = with_standardization(model, x_train)
    model = compile_variant(model, variant, total_steps=total, warmup_steps=warmup)
    if variant.augment:
        data, size = augment_pad_crop_flip(x_train, y_train, batch_size=batch_size, seed=seed), None
    else:
        data, size = (x_train, y_train), batch_size
    result = fit(
        model,
        data,
        validation=validation,
        epochs=epochs,
        batch_size=size,
        run_dir=run_dir,
        verbose=verbose,
        resume=resume,
    )
    report = evaluate_classifier(model, *test, batch_size=512, class_names=class_names)
    model.save(Path(run_dir) / "final.keras")
    return variant_record(model, result, report, description=variant.description), result.history, report


def check_variants(table: dict[str, Variant], names) -> tuple[str, ...]:
    """`names` (a sequence, or one comma-separated string) as a tuple of distinct names of `table`.

    Raises:
        ValueError: an unknown, missing or repeated name; the message lists the valid ones.
    """
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    names = tuple(names)
    unknown = [n for n in names if n not in table]
    if unknown or not names:
        raise ValueError(f"Unknown variants {unknown or list(names)}. Valid variants: {', '.join(table)}.")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"Variants {repeated} are named twice: each trains once. Received: {list(names)}.")
    return names


def compare_variants(
    table: dict[str, Variant],
    names: Sequence[str],
    train,
    test,
    *,
    out_dir,
    title: str,
    class_names: Sequence[str],
    epochs: int | None = None,
    batch_size: int = 128,
    validation_fraction: float = 0.1,
    seed: int = 0,
    verbose="auto",
    data_info: dict | None = None,
    resume: bool = False,
) -> dict:
    """Trains the variants `names` of `table` on the same split; writes metrics and figures.

    Args:
        table: Variant name -> `Variant`.
        names: Variants to train, in order.
        train: Preprocessed `(x, y_one_hot)` training arrays; the last `validation_fraction` of
            them becomes the validation set.
        test: Preprocessed `(x, y_one_hot)` test arrays.
        out_dir: Output folder (created).
        title: Title of the learning-curve figure.
        class_names: One name per class.
        epochs: Epochs of every variant; `None` uses each variant's own default. Defaults to `None`.
        batch_size: Batch size. Defaults to `128`.
        validation_fraction: Fraction of `train` held out. Defaults to `0.1`.
        seed: Seed of weights, shuffling and augmentation. Defaults to `0`.
        verbose: Passed to `model.fit`. Defaults to `"auto"`.
        data_info: Extra facts about the data for `metrics.json` (e.g. its source).
        resume: Continue interrupted trainings from their last finished epoch. Defaults to `False`.

    Returns:
        The dict written to `metrics.json`: `{"models": {variant: record}, "best": name,
        "data": {...}, "figures": [...]}`.

    Raises:
        ValueError: an unknown variant name, or a bad `epochs` or `validation_fraction`.
    """
    names = check_variants(table, names)
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1):
        raise ValueError(f"`epochs` must be a positive integer or None. Received: epochs={epochs!r}.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fit_train, validation = holdout_split(*train, validation_fraction)
    records, histories = {}, {}
    for name in names:
        records[name], histories[name], _ = train_variant(
            table[name],
            fit_train,
            validation,
            test,
            epochs=epochs or table[name].epochs,
            batch_size=batch_size,
            run_dir=out_dir / name,
            class_names=class_names,
            seed=seed,
            verbose=verbose,
            resume=resume,
        )
    best = max(records, key=lambda n: records[n]["test_accuracy"])
    figures = [
        plot_history(histories, out_dir / "curves.png", title=title),
        plot_confusion_matrix(
            np.asarray(records[best]["confusion_matrix"]), list(class_names), out_dir / "confusion_matrix.png"
        ),
    ]
    metrics = {
        "models": records,
        "best": best,
        "data": {
            **(data_info or {}),
            "train": len(fit_train[0]),
            "validation": len(validation[0]),
            "test": len(test[0]),
        },
        "figures": [str(f) for f in figures],
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


@dataclass(frozen=True)
class ScratchDataset:
    """One from-scratch comparison: the data, its preprocessing and the models compared on it.

    Attributes:
        load: `load(data_dir) -> ((x_train, y_train), (x_test, y_test))`, from `keras_vision.data`.
        prepare: `prepare(x, y) -> (x, y_one_hot)`, the taught preprocessing.
        variants: Variant name -> `Variant`; all of them train unless some are named.
        title: Title of the learning-curve figure.
        batch_size: Default batch size.
    """

    load: Callable
    prepare: Callable
    variants: dict[str, Variant]
    title: str
    batch_size: int


#: Dataset name (as in `keras_vision.data.DATASETS`) -> its comparison, for `train_from_scratch`.
SCRATCH_DATASETS = {
    "fashion_mnist": ScratchDataset(
        load_fashion_mnist, prepare_fashion_mnist, FASHION_MNIST_VARIANTS, title="Fashion-MNIST", batch_size=64
    ),
    "cifar10": ScratchDataset(load_cifar10, prepare_cifar10, CIFAR10_VARIANTS, title="CIFAR-10", batch_size=128),
}


def train_from_scratch(
    dataset: str,
    out_dir,
    *,
    data_dir=None,
    variants: Sequence[str] | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    train_limit: int | None = None,
    test_limit: int | None = None,
    seed: int = 0,
    verbose="auto",
    resume: bool = False,
    validation_fraction: float = 0.1,
) -> dict:
    """Loads `dataset`, applies the taught preprocessing and compares its variants (`SCRATCH_DATASETS`).

    - `"fashion_mnist"`: the dense network (`ann`) against the classic CNN (`cnn`). Pixels / 255,
      reshaped to 28x28x1, one-hot labels, categorical cross-entropy; Adam with a cosine learning
      rate from 1e-3. Reaches about 89 % (ann) and 92 % (cnn) test accuracy.
    - `"cifar10"`: two fully connected baselines (`fcn_small`, `fcn_large`) against a CNN (`cnn`)
      with augmentation and weight decay. Pixels / 255 and one-hot labels for all; the FCNs train
      with Adam, the CNN with SGD (Nesterov momentum) on a cosine learning rate after one warm-up
      epoch, on randomly cropped and flipped batches. Reads the official archive or pickles, or the
      class-folder JPEG copy.

    Args:
        dataset: `"fashion_mnist"` or `"cifar10"`.
        out_dir: Output folder (see the module docstring).
        data_dir: Where the dataset is; see `keras_vision.data.load_fashion_mnist` / `load_cifar10`.
        variants: Variants to train, in order; `None` for all of the dataset's (`FASHION_MNIST_VARIANTS`,
            `CIFAR10_VARIANTS`). Defaults to `None`.
        epochs: Epochs of every variant; `None` for each variant's default (20 ann, 12 cnn on
            Fashion-MNIST; 30 fcn, 25 cnn on CIFAR-10).
        batch_size: Batch size; `None` for the dataset's (64 Fashion-MNIST, 128 CIFAR-10).
        train_limit: Use only the first `train_limit` training images (quick runs).
        test_limit: Use only the first `test_limit` test images.
        seed: Random seed. Defaults to `0`.
        verbose: Passed to `model.fit`.
        resume: Continue interrupted trainings from their last finished epoch. Defaults to `False`.
        validation_fraction: Share of the training images held out for validation. Defaults to `0.1`.

    Returns:
        The metrics dict also written to `out_dir/metrics.json`.

    Raises:
        ValueError: an unknown `dataset` or variant (the message lists the valid ones), or a bad
            `epochs` or `validation_fraction`.
    """
    if not isinstance(dataset, str) or dataset not in SCRATCH_DATASETS:
        raise ValueError(f"Unknown dataset {dataset!r}. Valid datasets: {', '.join(SCRATCH_DATASETS)}.")
    spec = SCRATCH_DATASETS[dataset]
    variants = check_variants(spec.variants, tuple(spec.variants) if variants is None else variants)
    (x_train, y_train), (x_test, y_test) = spec.load(data_dir)  # after the cheap checks: loading can be slow
    train = spec.prepare(x_train[:train_limit], y_train[:train_limit])
    test = spec.prepare(x_test[:test_limit], y_test[:test_limit])
    return compare_variants(
        spec.variants,
        variants,
        train,
        test,
        out_dir=out_dir,
        title=spec.title,
        class_names=DATASETS.get(dataset).class_names,
        epochs=epochs,
        batch_size=spec.batch_size if batch_size is None else batch_size,
        seed=seed,
        verbose=verbose,
        data_info={"source": locate(dataset, data_dir)},
        resume=resume,
        validation_fraction=validation_fraction,
    )
