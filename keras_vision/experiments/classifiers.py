"""The one classifier trainer of the experiments: a table of candidates, trained and tested alike.

Every classifier experiment (`mnist`, `fashion_mnist`, `cifar10`, `mnist_densenet`, `folder`,
`cifar100`'s fine-tuning) describes its models as `Candidate`s and hands them to
`compare_classifiers`, which for each one, in order:

1. seeds everything with `--seed`, then builds and compiles it inside the `--strategy`'s scope
   (`Candidate.build(total_steps)`: the number of optimizer steps lets it shape a learning-rate
   schedule);
2. trains it with `keras_vision.training.fit` into `OUT/EXPERIMENT/<name>/` (history, logs,
   backup for `--resume`, divergence check), with `--batch-size` and `--verbose`;
3. predicts the test set once and scores it (`classification_report`), giving the record of
   `metrics["models"][name]` (`variant_record`: accuracy, parameters, seconds per epoch, ...).

Then it draws the learning curves of all candidates on one figure, and the confusion matrix and
misclassified test images of the best (or of each). It returns numbers and figure paths; the runner
writes `metrics.json`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from keras_vision.evaluation import (
    classification_report,
    plot_confusion_matrix,
    plot_history,
    plot_misclassified,
    plot_misclassified_gradcam,
    variant_record,
)
from keras_vision.experiments.options import TrainingOptions
from keras_vision.models import trainable_params
from keras_vision.training import fit, get_strategy, predict_in_whole_batches, set_seed
from keras_vision.training.distributed import steps_per_epoch


@dataclass(frozen=True)
class Candidate:
    """One classifier of a comparison: how to build it, how long to train it, on what.

    Attributes:
        build: `build(total_steps) -> keras.Model`, compiled (with a `"accuracy"` metric), called
            inside the strategy's scope; `total_steps` is the number of optimizer steps of the run.
        epochs: Epochs of training.
        data: `data(x, y, batch_size) -> dataset` turning the training arrays into what `fit`
            trains on (an augmenting `tf.data` pipeline); `None` trains on the arrays themselves.
        class_weight: Class id -> loss weight (e.g. `balanced_class_weights`); `None`: equal.
        extra: Further facts for the candidate's record (a description, the frozen blocks, ...).
        callbacks: `callbacks() -> [keras.callbacks.Callback]`, called once per training, for
            Keras callbacks of its own (e.g. a `TrainingTimer`); `None`: none.
    """

    build: Callable[[int], keras.Model]
    epochs: int
    data: Callable[[np.ndarray, np.ndarray, int], Any] | None = None
    class_weight: Mapping[int, float] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    callbacks: Callable[[], Sequence[keras.callbacks.Callback]] | None = None


@dataclass
class Trained:
    """What training one candidate gave: its record for `metrics.json`, history and test outputs."""

    model: keras.Model
    record: dict
    history: dict
    probs: np.ndarray


def train_candidate(
    config: TrainingOptions, name: str, candidate: Candidate, train, validation, test, *, class_names=None
) -> Trained:
    """Builds, trains and tests one candidate (see the module docstring).

    Args:
        config: The run's options: `TrainingOptions` (`batch_size`, `resume`, `verbose`) and
            `DistributionOptions` (`strategy`); the candidate's folder is `config.variant_dir(name)`.
        name: The candidate's name: its folder `OUT/EXPERIMENT/<name>/` and its key in the records.
        candidate: What to build and how long to train it.
        train: `(x, y)` training arrays (labels as the model's loss expects them).
        validation: `(x, y)` validation arrays, or `None`.
        test: `(x, y)` test arrays; `y` as class ids or one-hot.
        class_names: One name per class, for the report. Defaults to the class ids.

    Returns:
        A `Trained`.
    """
    set_seed(config.seed)  # each candidate starts from the same seed, whatever trained before it
    x_train, y_train = train
    strategy = get_strategy(config.strategy)
    steps = candidate.epochs * steps_per_epoch(strategy, num_examples=len(x_train), batch_size=config.batch_size)
    with strategy.scope():
        model = candidate.build(steps)
    replicas = strategy.num_replicas_in_sync
    print(
        f"\n{name}: {trainable_params(model):,} trainable of {model.count_params():,} parameters; "
        f"--strategy {config.strategy}: {type(strategy).__name__}, {replicas} replica{'s' * (replicas != 1)}"
    )
    if candidate.data is None:
        data, batch_size = (x_train, y_train), config.batch_size
    else:
        data, batch_size = candidate.data(x_train, y_train, config.batch_size), None
    result = fit(
        model,
        data,
        validation=validation,
        epochs=candidate.epochs,
        batch_size=batch_size,
        run_dir=config.variant_dir(name),
        resume=config.resume,
        class_weight=dict(candidate.class_weight) if candidate.class_weight else None,
        callbacks=candidate.callbacks() if candidate.callbacks else (),
        verbose=config.verbose,
    )
    probs = predict_in_whole_batches(model, test[0])
    report = classification_report(test[1], probs, class_names)
    record = variant_record(model, result, report, **candidate.extra)
    model.save(config.variant_dir(name) / "final.keras")
    return Trained(model, record, result.history, probs)


def compare_classifiers(
    config: TrainingOptions,
    candidates: Mapping[str, Candidate],
    train,
    validation,
    test,
    *,
    class_names: Sequence[str],
    title: str,
    error_figures: str = "best",
) -> dict:
    """Trains every candidate on the same split; scores and draws them side by side.

    Args:
        config: The run's options (see `train_candidate`).
        candidates: Name -> `Candidate`, trained in this order.
        train: `(x, y)` training arrays.
        validation: `(x, y)` validation arrays.
        test: `(x, y)` test arrays.
        class_names: One name per class.
        title: Title of the learning-curve figure.
        error_figures: `"best"`: confusion matrix and misclassified images of the most accurate
            candidate; `"each"`: of every candidate. Defaults to `"best"`.

    Returns:
        `{"models": {name: record}, "best": name, "figures": [paths], "trained": {name: Trained}}`;
        the experiment drops `trained` (models and arrays) from what it returns.
    """
    if error_figures not in ("best", "each"):
        raise ValueError(f"`error_figures` must be 'best' or 'each'. Received: {error_figures!r}.")
    trained = {
        name: train_candidate(config, name, candidate, train, validation, test, class_names=class_names)
        for name, candidate in candidates.items()
    }
    best = max(trained, key=lambda n: trained[n].record["test_accuracy"])
    figures = [plot_history({n: t.history for n, t in trained.items()}, config.run_dir / "curves.png", title=title)]
    for name in trained if error_figures == "each" else [best]:
        suffix = f"_{name}" if error_figures == "each" else ""
        figures += error_analysis(trained[name], test, class_names, config.run_dir, suffix=suffix)
    return {
        "models": {n: t.record for n, t in trained.items()},
        "best": best,
        "figures": [str(f) for f in figures],
        "trained": trained,
    }


def error_analysis(trained: Trained, test, class_names: Sequence[str], folder, *, suffix: str = "") -> list:
    """The confusion matrix and the misclassified test images of one trained candidate.

    A convolutional model also gets its mistakes with their Grad-CAM heat maps of the predicted
    class (`plot_misclassified_gradcam`; a dense network has no feature map to explain).
    """
    figures = [
        plot_confusion_matrix(
            np.asarray(trained.record["confusion_matrix"]), list(class_names), folder / f"confusion_matrix{suffix}.png"
        ),
        plot_misclassified(test[0], test[1], trained.probs, list(class_names), folder / f"misclassified{suffix}.png"),
    ]
    if has_convolution(trained.model):
        try:
            figures.append(
                plot_misclassified_gradcam(
                    trained.model,
                    test[0],
                    test[1],
                    trained.probs,
                    list(class_names),
                    folder / f"misclassified_gradcam{suffix}.png",
                )
            )
        except ValueError as error:  # e.g. a classifier nested in an augmenting wrapper (folder)
            print(f"Grad-CAM figure left out: {error}")
    return figures


def has_convolution(model) -> bool:
    """True when `model`, or a model nested in it, has a 2-D convolution (a feature map to explain)."""
    return any(
        isinstance(layer, keras.layers.Conv2D) or (isinstance(layer, keras.Model) and has_convolution(layer))
        for layer in model.layers
    )


def split_sizes(train, validation, test) -> dict:
    """`{"train": n, "validation": n, "test": n}`: the examples of each split, for `metrics["data"]`."""
    return {"train": len(train[0]), "validation": len(validation[0]), "test": len(test[0])}
