"""`fashion_mnist` and `cifar10`: classifiers trained from scratch, compared on one plot.

The steps, in the order the course teaches them:

1. Preprocessing: pixels / 255, a channel axis for grayscale, one-hot labels for categorical
   cross-entropy (`prepare_fashion_mnist`, `prepare_cifar10`).
2. A held-out validation set from the end of the training set, for the curves.
3. The recipes (`FASHION_MNIST_RECIPES`, `CIFAR10_RECIPES`): a builder from `keras_vision.models`
   with its optimizer, learning rate and default epochs, each trained by the one classifier
   trainer (`keras_vision.experiments.classifiers`) with a cosine learning rate.
4. For the CIFAR-10 CNN: augmentation (`keras_vision.augment.augment_pad_crop_flip`: pad 4 pixels,
   crop back to 32x32 at a random place, flip left-right half the time) inside `tf.data`, weight
   decay, SGD with Nesterov momentum after one warm-up epoch, and bfloat16 computations
   (`keras_vision.models.dtype_policy`; about 25 % fewer CPU seconds per step).
5. Every model trains from scratch, so batch normalization's moving statistics get the momentum
   `keras_vision.models.SCRATCH_BN_MOMENTUM` (0.9): they follow the batches even in a short run.

Measured on this package's 2-core CPU (the README's "Expected results"): Fashion-MNIST dense network
88.9 %, classic CNN 91.7 %; CIFAR-10 (JPEG copy) FCNs 50.1 % (3072-100-20-10) and 55.3 %
(3072-512-256-10), CNN 85.0 % after 25 epochs (81.3 % after 12).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import numpy as np

from keras_vision.augment import augment_pad_crop_flip
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
from keras_vision.data.split import holdout_split, take
from keras_vision.errors import UsageError
from keras_vision.experiments.catalog import Cifar10Config, ScratchConfig
from keras_vision.experiments.classifiers import Candidate, compare_classifiers, split_sizes
from keras_vision.models import (
    SCRATCH_BN_MOMENTUM,
    build_ann,
    build_cifar10_cnn,
    build_classic_cnn,
    build_fcn,
    dtype_policy,
    set_batchnorm_momentum,
    with_standardization,
)
from keras_vision.training import cosine_decay

#: Optimizers of the recipes: name -> `make(schedule) -> keras.optimizers.Optimizer`.
OPTIMIZERS = {
    "adam": lambda schedule: keras.optimizers.Adam(schedule),
    "sgd": lambda schedule: keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True),
}


@dataclass(frozen=True)
class Recipe:
    """How one model of a from-scratch comparison is built and trained.

    Attributes:
        build: `build(input_shape, num_classes) -> keras.Model` (uncompiled, softmax output).
        epochs: Default number of epochs.
        optimizer: A name in `OPTIMIZERS`: `"adam"` or `"sgd"` (Nesterov momentum 0.9).
        learning_rate: Peak learning rate of the cosine schedule.
        augment: Random crop with padding and horizontal flip on the training batches.
        warmup_epochs: Epochs of linear learning-rate warm-up. Defaults to `0`.
        mixed_precision: Compute in bfloat16, keeping float32 weights.
        standardize: Put a `Normalization` layer in front of the model with the training images'
            per-channel mean and variance (`keras_vision.models.with_standardization`).
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

    def candidate(self, x_train: np.ndarray, num_classes: int, *, epochs: int, seed: int) -> Candidate:
        """This recipe as a `Candidate` of the classifier trainer, for training images `x_train`."""

        def build(total_steps: int) -> keras.Model:
            warmup = min(int(self.warmup_epochs * total_steps / epochs), total_steps - 1)
            with dtype_policy("mixed_bfloat16" if self.mixed_precision else "float32"):
                model = self.build(x_train.shape[1:], num_classes)
            set_batchnorm_momentum(model, SCRATCH_BN_MOMENTUM)  # moving statistics that keep up in short runs
            if self.standardize:
                model = with_standardization(model, x_train)
            schedule = cosine_decay(self.learning_rate, total_steps=total_steps, warmup_steps=warmup)
            model.compile(
                optimizer=OPTIMIZERS[self.optimizer](schedule), loss="categorical_crossentropy", metrics=["accuracy"]
            )
            return model

        def pad_crop_flip(x, y, batch_size):
            return augment_pad_crop_flip(x, y, batch_size=batch_size, seed=seed)

        return Candidate(
            build, epochs, data=pad_crop_flip if self.augment else None, extra={"description": self.description}
        )


FASHION_MNIST_RECIPES = {
    "ann": Recipe(build_ann, epochs=20, description="784-128-10 dense network"),
    "cnn": Recipe(build_classic_cnn, epochs=12, description="classic CNN Conv64-Pool-Conv64-Pool-Dense128"),
}
CIFAR10_RECIPES = {
    "fcn_small": Recipe(
        lambda s, n: build_fcn("small", s, n),
        epochs=30,
        standardize=True,
        description="3072-100-20-10, standardized inputs",
    ),
    "fcn_large": Recipe(
        lambda s, n: build_fcn("large", s, n),
        epochs=30,
        standardize=True,
        description="3072-512-256-10 + dropout, standardized inputs",
    ),
    "cnn": Recipe(
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
    """The taught preprocessing: uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1]; one-hot labels."""
    return add_channel_axis(scale_pixels(x)), one_hot(y, 10)


def prepare_cifar10(x, y) -> tuple[np.ndarray, np.ndarray]:
    """uint8 (N, 32, 32, 3) -> float32 in [0, 1]; labels (N,) or (N, 1) -> one-hot (N, 10)."""
    return scale_pixels(x), one_hot(sparse_labels(y), 10)


@dataclass(frozen=True)
class Comparison:
    """One from-scratch comparison: its data, preprocessing and recipes."""

    dataset: str
    load: Callable
    prepare: Callable
    recipes: dict[str, Recipe]
    title: str


COMPARISONS = {
    "fashion_mnist": Comparison(
        "fashion_mnist", load_fashion_mnist, prepare_fashion_mnist, FASHION_MNIST_RECIPES, "Fashion-MNIST"
    ),
    "cifar10": Comparison("cifar10", load_cifar10, prepare_cifar10, CIFAR10_RECIPES, "CIFAR-10"),
}


def run_fashion_mnist(config: ScratchConfig) -> dict:
    return compare_from_scratch(COMPARISONS["fashion_mnist"], config)


def run_cifar10(config: Cifar10Config) -> dict:
    return compare_from_scratch(COMPARISONS["cifar10"], config)


def compare_from_scratch(comparison: Comparison, config: ScratchConfig) -> dict:
    """Loads and prepares the data, trains the chosen recipes, returns the metrics."""
    names = variant_names(config.variants, comparison.recipes)  # before loading: that can be slow
    train, validation, (x_test, y_test) = prepared_splits(comparison, config)
    candidates = recipe_candidates(comparison, config, names, train[0])
    result = compare_classifiers(
        config,
        candidates,
        train,
        validation,
        (x_test, y_test),
        class_names=DATASETS.get(comparison.dataset).class_names,
        title=comparison.title,
    )
    return {
        "models": result["models"],
        "best": result["best"],
        "data": {
            "source": locate(comparison.dataset, config.data_dir),
            **split_sizes(train, validation, (x_test, y_test)),
        },
        "figures": result["figures"],
    }


def prepared_splits(comparison: Comparison, config: ScratchConfig) -> tuple[tuple, tuple, tuple]:
    """Loads the comparison's dataset, applies the limits and its preprocessing, holds out validation.

    Returns:
        `(train, validation, test)`, each `(x, y)`: float32 images in [0, 1], one-hot labels; the
        validation set is the last `validation_split` of the training images.
    """
    (x_train, y_train), (x_test, y_test) = comparison.load(config.data_dir)
    x_train, y_train = comparison.prepare(*take(x_train, y_train, config.train_limit))
    x_test, y_test = comparison.prepare(*take(x_test, y_test, config.test_limit))
    train, validation = holdout_split(x_train, y_train, config.validation_split)
    return train, validation, (x_test, y_test)


def recipe_candidates(
    comparison: Comparison, config: ScratchConfig, names: tuple[str, ...], x_train: np.ndarray
) -> dict[str, Candidate]:
    """The recipes `names` of `comparison` as `Candidate`s, each for `--epochs` or its own epochs."""
    return {
        name: comparison.recipes[name].candidate(
            x_train, 10, epochs=config.epochs or comparison.recipes[name].epochs, seed=config.seed
        )
        for name in names
    }


def variant_names(text: str, table: dict) -> tuple[str, ...]:
    """`""` -> every recipe of `table`; `"ann,cnn"` -> those, each once.

    Raises:
        UsageError: an unknown or repeated name; the message lists the valid ones.
    """
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        return tuple(table)
    unknown = [n for n in names if n not in table]
    if unknown:
        raise UsageError(
            f"Unknown variants {unknown}. Valid variants: {', '.join(table)}. Received: --variants {text}."
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"Variants {repeated} are named twice: each trains once. Received: --variants {text}.")
    return names
