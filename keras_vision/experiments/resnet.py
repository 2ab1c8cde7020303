"""`resnet`: plain vs residual networks of two depths on CIFAR-10 (He et al. 2016, section 4.2).

The lesson of residual connections, measured: a plain stack of 3x3 convolutions gets WORSE when it
gets deeper, and not from overfitting: its error on the training set itself rises (the paper's
"degradation problem": the optimizer cannot even make the extra layers do nothing). The same
networks with identity shortcuts (`relu(x + F(x))`) do not degrade: the deeper one trains at least
as well as the shallower one (the paper trains 64k iterations of 128 images). Early in training a
deep ResNet from the usual initialization still lags a shallow one, so the residual networks start
with each block's last batch-norm scale at zero (`--zero-init-residual`, on by default; Goyal et
al. 2017, "Accurate, Large Minibatch SGD", section 5.1; torchvision's `zero_init_residual`): every
residual block starts as the identity, so ResNet-56 starts as a shallow network and keeps up with
ResNet-20 early on (the price, at so few steps: ResNet-20 itself trains slower than from the usual
initialization; the README gives both). The plain networks keep scale 1 (zero would cut
their signal), and the initialization changes no weight count. The `--quick` preset (320 steps)
then shows both halves of the lesson: plain-56 above plain-20, ResNet-56 at or below ResNet-20;
and the default run (2,340 steps; about 1 h 40 min on 2 CPU cores) shows them too: training
error plain-20 23.4 %, plain-56 61.7 %, ResNet-20 19.7 %, ResNet-56 18.0 % (the README's `resnet`
rows).

The four networks (`--depths 20,56`: `plain20`, `plain56`, `resnet20`, `resnet56`) are the
paper's CIFAR-10 models, built by `keras_vision.models.build_cifar_resnet` from the package's
blocks (`plain_block`, `residual_block` with zero-padding shortcuts, so each residual network has
exactly the parameters of its plain twin: 0.27 M and 0.85 M). Each is trained by the shared
classifier trainer (`keras_vision.experiments.classifiers.train_candidate`) from the same seed on
the same images: per-channel standardized pixels, with the paper's augmentation (pad 4, random
crop, flip; `--no-augment` turns it off), SGD with momentum 0.9 and decoupled weight decay, a
linear warm-up over the first epoch and a cosine learning rate, computing in bfloat16 with float32
weights (`--no-mixed-precision`: float32; bfloat16 takes about 30 % fewer CPU seconds per step of
ResNet-20 here). One figure,
`error_curves.png`, draws the training error (solid: the training batches of each epoch, as in
the paper's Figure 6) and the test error (dashed) of all four.

`metrics.json`: `models.{plain20,plain56,resnet20,resnet56}` with `train_error` (the last
epoch's), `test_error`, `test_accuracy`, parameters and seconds per epoch; `degradation` with the
deeper-minus-shallower training error of each family.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_vision.augment import augment_pad_crop_flip
from keras_vision.data import DATASETS, load_cifar10, locate, sparse_labels
from keras_vision.data.split import take
from keras_vision.errors import UsageError
from keras_vision.evaluation import plot_history
from keras_vision.experiments.catalog import ResnetConfig
from keras_vision.experiments.classifiers import Candidate, train_candidate
from keras_vision.models import (
    CIFAR_RESNET_LAYOUTS,
    SCRATCH_BN_MOMENTUM,
    build_cifar_resnet,
    dtype_policy,
    set_batchnorm_momentum,
)
from keras_vision.training import cosine_decay


def run(config: ResnetConfig) -> dict:
    depths = parse_depths(config.depths)  # before loading: that can be slow
    train, test = load_standardized(config)
    records, histories = train_networks(config, depths, train, test)
    return {
        "models": records,
        "degradation": degradation(records, depths),
        "data": {"source": locate("cifar10", config.data_dir), "train": len(train[0]), "test": len(test[0])},
        "figures": [str(plot_errors(histories, len(train[0]), config.run_dir / "error_curves.png"))],
    }


def load_standardized(config: ResnetConfig) -> tuple[tuple, tuple]:
    """CIFAR-10's first `train_limit` / `test_limit` images, sparse labels, standardized per channel.

    Both splits get the training images' statistics (the test images never their own).
    """
    (x_train, y_train), (x_test, y_test) = load_cifar10(config.data_dir)
    x_train, y_train = take(x_train, sparse_labels(y_train), config.train_limit)
    x_test, y_test = take(x_test, sparse_labels(y_test), config.test_limit)
    mean, std = channel_statistics(x_train)
    return (standardize(x_train, mean, std), y_train), (standardize(x_test, mean, std), y_test)


def train_networks(config: ResnetConfig, depths: tuple[int, int], train: tuple, test: tuple) -> tuple[dict, dict]:
    """Trains the plain and the residual network of each depth alike (same seed, images and recipe).

    Returns:
        `(records, histories)`, keyed `plain20`, `plain56`, `resnet20`, `resnet56`: the trainer's
        record with `train_error` and `test_error`, and the per-epoch errors for the figure.
    """
    records, histories = {}, {}
    for residual in (False, True):
        for depth in depths:
            name = f"{'resnet' if residual else 'plain'}{depth}"
            trained = train_candidate(
                config,
                name,
                candidate(config, depth, residual=residual),
                train,
                test,
                test,
                class_names=DATASETS.get("cifar10").class_names,
            )
            record = records[name] = error_record(trained.record, trained.history)
            histories[name] = error_history(trained.history)
            print(f"{name}: training error {record['train_error']:.2%}, test error {record['test_error']:.2%}")
    return records, histories


def degradation(records: dict, depths: tuple[int, int]) -> dict:
    """Deeper minus shallower final training error of each family (`plain`, `resnet`)."""
    shallow, deep = min(depths), max(depths)
    return {
        family: records[f"{family}{deep}"]["train_error"] - records[f"{family}{shallow}"]["train_error"]
        for family in ("plain", "resnet")
    }


def plot_errors(histories: dict, train_images: int, path):
    """The four networks' error curves on one figure (solid: training, dashed: test); returns `path`."""
    title = f"CIFAR-10, {train_images:,} training images: training (solid) and test (dashed) error"
    return plot_history(histories, path, metrics=("error",), title=title)


def candidate(config: ResnetConfig, depth: int, *, residual: bool) -> Candidate:
    """One network of the comparison as a `Candidate` of the classifier trainer."""

    def build(total_steps: int) -> keras.Model:
        with dtype_policy("mixed_bfloat16" if config.mixed_precision else "float32"):
            model = build_cifar_resnet(
                depth,
                residual=residual,
                shortcut=config.shortcut,
                zero_init_residual=residual and config.zero_init_residual,
            )
        set_batchnorm_momentum(model, SCRATCH_BN_MOMENTUM)  # moving statistics that keep up in short runs
        warmup = min(total_steps // config.epochs, total_steps - 1)  # one epoch
        schedule = cosine_decay(config.learning_rate, total_steps=total_steps, warmup_steps=warmup)
        optimizer = keras.optimizers.SGD(schedule, momentum=0.9, weight_decay=config.weight_decay)
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    def pad_crop_flip(x, y, batch_size):
        return augment_pad_crop_flip(x, y, batch_size=batch_size, seed=config.seed)

    kind = "residual (zero-padding shortcuts)" if residual and config.shortcut == "zeros" else "residual"
    description = f"{depth} layers, {CIFAR_RESNET_LAYOUTS[depth]} blocks per stage, {kind if residual else 'plain'}"
    return Candidate(
        build, config.epochs, data=pad_crop_flip if config.augment else None, extra={"description": description}
    )


def channel_statistics(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of uint8 images, in [0, 1] units."""
    pixels = images.reshape(-1, images.shape[-1]).astype(np.float64) / 255.0
    return pixels.mean(axis=0).astype(np.float32), np.maximum(pixels.std(axis=0), 1e-3).astype(np.float32)


def standardize(images: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """uint8 images -> float32 `(x / 255 - mean) / std`, per channel."""
    return (images.astype(np.float32) / 255.0 - mean) / std


def error_history(history: dict) -> dict:
    """`{"error": 1 - accuracy, "val_error": 1 - val_accuracy}` per epoch, for the figure."""
    return {
        "error": [1.0 - a for a in history["accuracy"]],
        **({"val_error": [1.0 - a for a in history["val_accuracy"]]} if "val_accuracy" in history else {}),
    }


def error_record(record: dict, history: dict) -> dict:
    """The trainer's record with `train_error` (the last epoch's) and `test_error`."""
    return {**record, "train_error": 1.0 - history["accuracy"][-1], "test_error": 1.0 - record["test_accuracy"]}


def parse_depths(text: str) -> tuple[int, int]:
    """`"20,56"` -> `(20, 56)`: two different depths of `CIFAR_RESNET_LAYOUTS`, shallower first.

    Raises:
        UsageError: anything else; the message lists the valid depths.
    """
    valid = ", ".join(map(str, CIFAR_RESNET_LAYOUTS))
    try:
        depths = tuple(sorted(int(part) for part in text.split(",") if part.strip()))
    except ValueError:
        depths = ()
    if len(depths) != 2 or depths[0] == depths[1] or not set(depths) <= set(CIFAR_RESNET_LAYOUTS):
        raise UsageError(
            f"--depths takes two different depths 6n + 2, comma-separated, from {valid} (e.g. 20,56). "
            f"Received: {text!r}."
        )
    return depths
