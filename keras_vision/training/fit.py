"""`fit`: `model.fit` with a run folder, so that every run is logged, saved and resumable.

The caller builds and compiles the model (inside `strategy.scope()` when distributing);
`fit` adds the bookkeeping every course run needs: the history as CSV and JSON, TensorBoard logs,
the last model, a backup to resume an interrupted run from its last finished epoch, and a clear
error when training diverges. See `keras_vision.training.callbacks` for the folder layout.

It is task-neutral: the data may be `(x, y)` arrays, a `tf.data.Dataset`, a `keras.utils.PyDataset`
(an `ImageDataGenerator.flow(...)` iterator is one), and the model may be a classifier, an
image-to-image network or a `keras.Model` subclass with its own `train_step` returning several
losses (a GAN's `d_loss` and `g_loss`): any logged value whose name contains "loss" is watched.

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    result = fit(model, (x_train, y_train), validation=(x_val, y_val), epochs=10,
                 batch_size=128, run_dir="runs/mnist/cnn")
    # interrupted? the same call with resume=True continues from the last finished epoch.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from keras_vision.errors import TrainingDivergedError, UsageError
from keras_vision.training.callbacks import (
    RunPaths,
    StopOnNonFiniteLoss,
    prepare_run_dir,
    progress_verbosity,
    read_history_csv,
    run_callbacks,
    write_history_json,
)
from keras_vision.training.distributed import (
    build_optimizers,
    fit_multi_worker,
    is_multi_worker,
    strategy_of,
    worker_index,
)

_DIVERGED_ADVICE = (
    "Lower the learning rate, check that the inputs are scaled (e.g. pixels to [0, 1]) and hold "
    "no NaN, and that the labels match the loss: one-hot vectors for categorical_crossentropy, integer class ids "
    "for sparse_categorical_crossentropy."
)


@dataclass
class FitResult:
    """What `fit` returns.

    Attributes:
        history: Metric name -> one value per epoch, for all epochs of the run, including those
            finished before a resume (same keys as `keras.callbacks.History.history`).
        seconds: Wall-clock seconds of this call.
        epochs: Number of epochs in `history`.
        seconds_per_epoch: `seconds` divided by the epochs trained in this call.
    """

    history: dict[str, list[float]]
    seconds: float
    epochs: int
    seconds_per_epoch: float

    @classmethod
    def timed(cls, history: dict[str, list[float]], seconds: float) -> FitResult:
        """The result of a training timed by the caller (e.g. a head trained on features)."""
        epochs = len(next(iter(history.values()), []))
        return cls(history, seconds, epochs=epochs, seconds_per_epoch=seconds / max(epochs, 1))


def fit(
    model: keras.Model,
    train,
    *,
    validation=None,
    epochs: int,
    batch_size: int | None = None,
    run_dir: str | Path,
    resume: bool = False,
    class_weight: dict[int, float] | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: str | int = "auto",
) -> FitResult:
    """Trains a compiled model, keeping history, logs, the last model and a backup in `run_dir`.

    Args:
        model: A compiled `keras.Model`.
        train: `(x, y)` arrays, a batched `tf.data.Dataset`, or a `keras.utils.PyDataset` (e.g.
            `ImageDataGenerator().flow(x, y)`); elements are `(x, y)`, or `x` alone for a model
            whose `train_step` needs no labels.
        validation: Same forms as `train`, or `None`. Defaults to `None`.
        epochs: Total number of epochs of the run (a resumed run trains only the missing ones).
        batch_size: Batch size for `(x, y)` arrays; leave `None` for a dataset or `PyDataset`
            (they batch themselves). Under `multi_worker` it is per worker (see
            `keras_vision.training.distributed`), and only the chief writes `run_dir`; the other
            workers use a temporary folder.
        run_dir: Folder for `history.csv`, `history.json`, `model.keras`, `backup/` and `logs/`.
        resume: Continue from the backup of an interrupted run, appending to its history. Without
            it, a previous backup, history and logs are removed and training starts at epoch 1.
            A finished run leaves no backup, so resuming it warns and starts afresh.
            Defaults to `False`.
        class_weight: Class id -> loss weight, e.g. from `balanced_class_weights`.
        callbacks: Extra Keras callbacks, called after the built-in ones.
        verbose: `"auto"` (a progress bar on a terminal, one line per epoch otherwise), `"bar"`,
            `"epoch"`, `"silent"`, or Keras' 0/1/2. Defaults to `"auto"`.

    Returns:
        A `FitResult`.

    Raises:
        ValueError: if the model is not compiled or the data are malformed.
        TrainingDivergedError: if any loss became NaN or infinite (training stops at that batch),
            or the weights did (a ReLU can hide NaN activations from the loss).
    """
    _check_fit_args(model, train, validation, epochs, batch_size)
    _build_if_needed(model, train)
    options = dict(validation=validation, epochs=epochs, batch_size=batch_size, class_weight=class_weight)
    options.update(callbacks=callbacks, verbose=verbose)
    strategy = strategy_of(model)
    if is_multi_worker(strategy):
        build_optimizers(model)  # on every worker, before the chief alone checks its backup
    if is_multi_worker(strategy) and worker_index(strategy) != 0:  # only the chief keeps a run folder
        Path(run_dir).mkdir(parents=True, exist_ok=True)  # the caller may save beside it, as on the chief
        with tempfile.TemporaryDirectory(prefix=f"keras_vision_worker{worker_index(strategy)}_") as scratch:
            return _fit(model, train, run_dir=Path(scratch), resume=False, **options)
    return _fit(model, train, run_dir=run_dir, resume=resume, **options)


def _fit(model, train, *, validation, epochs, batch_size, run_dir, resume, class_weight, callbacks, verbose):
    paths = prepare_run_dir(run_dir, resume=resume)
    _check_backup_fits(model, paths)
    fit_callbacks = run_callbacks(paths)
    start = time.perf_counter()
    if is_multi_worker(strategy_of(model)):
        keras_history = fit_multi_worker(
            model,
            train,
            validation=validation,
            epochs=epochs,
            batch_size=batch_size,
            class_weight=class_weight,
            callbacks=[*fit_callbacks, *callbacks],
            verbose=progress_verbosity(verbose),
            seed=int(np.random.randint(2**31 - 1)),  # the same on every worker: they all ran set_seed(seed)
        )
    else:
        keras_history = model.fit(
            *_as_fit_inputs(train),
            validation_data=validation,
            epochs=epochs,
            batch_size=batch_size,
            class_weight=class_weight,
            shuffle=not _is_batched(train),  # a dataset shuffles itself (dataset.shuffle)
            callbacks=[*fit_callbacks, *callbacks],
            verbose=progress_verbosity(verbose),
        )
    seconds = time.perf_counter() - start
    epochs_done, history = read_history_csv(paths.history_csv, with_epochs=True)
    write_history_json(history, paths.history_json)
    _raise_if_diverged(keras_history, model, paths, fit_callbacks)
    trained = max(len(keras_history.epoch), 1)
    return FitResult(history, seconds, epochs=epochs_done, seconds_per_epoch=seconds / trained)


def _check_backup_fits(model: keras.Model, paths) -> None:
    """Loads the backup a resumed run will continue from, to fail now with advice if it cannot.

    A backup written by another model (other options, or an older version of the code) does not
    fit; Keras would say so deep inside `fit`, in terms of variables.
    """
    weights = paths.backup / "latest.weights.h5"
    if not weights.is_file():
        return
    try:
        model.load_weights(weights)
    except Exception as error:  # noqa: BLE001 - any mismatch: Keras raises ValueError, h5py OSError or KeyError
        reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
        raise UsageError(
            f"The backup in {paths.backup} does not fit this model ({reason}): it was written by a run "
            "with other options or an older version. Resume with that run's options, or start afresh "
            "(without --resume, or with another --out)."
        ) from None


def _as_fit_inputs(data) -> tuple:
    """`(x, y)` -> `(x, y)`; a dataset or PyDataset -> `(data,)` (its elements carry the labels)."""
    return (data,) if _is_batched(data) else tuple(data)


def _is_batched(data) -> bool:
    """True for data that batches itself: a `tf.data.Dataset` or a `keras.utils.PyDataset`."""
    return isinstance(data, (tf.data.Dataset, keras.utils.PyDataset))


def _check_fit_args(model, train, validation, epochs, batch_size) -> None:
    if not getattr(model, "compiled", False):
        raise ValueError(
            "The model is not compiled: call model.compile(optimizer=..., loss=..., metrics=[...]) before fit."
        )
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"`epochs` must be a positive integer. Received: epochs={epochs!r}.")
    for name, data in (("train", train), ("validation", validation)):
        if data is not None:
            _check_data(name, data, batch_size)


def _check_data(name: str, data, batch_size) -> None:
    if _is_batched(data):
        if batch_size is not None and name == "train":
            raise ValueError(
                f"`batch_size` is for (x, y) arrays; `{name}` is a {type(data).__name__}, which batches "
                f"itself (dataset.batch({batch_size}), or batch_size= when creating the PyDataset): "
                "leave batch_size=None."
            )
        return
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(
            f"`{name}` must be an (x, y) tuple of arrays, a tf.data.Dataset or a keras.utils.PyDataset "
            f"(e.g. ImageDataGenerator().flow(x, y)). Received: {type(data).__name__}."
        )
    x_shape, y_shape = (np.shape(keras.tree.flatten(part)[0]) for part in data)
    if x_shape[:1] != y_shape[:1]:
        raise ValueError(
            f"`{name}`: x and y must have the same first dimension (one label per example). "
            f"Received shapes: x {x_shape}, y {y_shape}."
        )


def _build_if_needed(model: keras.Model, train) -> None:
    """Builds the model on one batch, as `BackupAndRestore` needs its weights before fit.

    A model with its own `train_step` (a GAN) may have no `call`: it must be built already,
    typically because its sub-models are.
    """
    if model.built:
        return
    if type(model).call is keras.Model.call:  # no forward pass of its own: its parts carry the weights
        unbuilt = [layer.name for layer in model.layers if not layer.built]
        if unbuilt:
            raise ValueError(
                f"{type(model).__name__} has its own train_step and no call(): build its parts "
                f"before fit (e.g. give each sub-model a keras.Input). Not built: {unbuilt[:5]}."
            )
        model.built = True
        return
    if isinstance(train, tf.data.Dataset):
        x = next(iter(train.take(1)))
    elif isinstance(train, keras.utils.PyDataset):
        x = train[0]
    else:
        x = keras.tree.map_structure(lambda a: a[:1], train[0])
    x = x[0] if isinstance(x, tuple) else x
    with model.distribute_strategy.scope():
        model(x)


def _raise_if_diverged(
    keras_history: keras.callbacks.History, model: keras.Model, paths: RunPaths, callbacks: list
) -> None:
    """Raises `TrainingDivergedError` if any loss or a weight is NaN or infinite."""
    for watcher in callbacks:
        if isinstance(watcher, StopOnNonFiniteLoss) and watcher.diverged:
            key, value, epoch = watcher.diverged
            raise TrainingDivergedError(
                f"Training diverged: {key} became {value} in epoch {epoch}, and training stopped at "
                f"that batch. {_DIVERGED_ADVICE} The per-epoch history is in {paths.history_csv}."
            )
    for key, values in keras_history.history.items():
        if "loss" not in key:
            continue
        for epoch, value in zip(keras_history.epoch, values):
            if not math.isfinite(value):
                raise TrainingDivergedError(
                    f"Training diverged: {key} became {value} in epoch {epoch + 1}, and training "
                    f"stopped. {_DIVERGED_ADVICE} The per-epoch history is in {paths.history_csv}."
                )
    bad = [w.path for w in model.weights if not np.isfinite(keras.ops.convert_to_numpy(w.value)).all()]
    if bad:
        raise TrainingDivergedError(
            f"Training diverged: after training, weights {', '.join(bad[:3])} hold NaN or infinite "
            f"values although the losses stayed finite. {_DIVERGED_ADVICE}"
        )
