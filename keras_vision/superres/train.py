"""Training one SRCNN on patches, within an optional time budget.

`train_srcnn` builds and compiles SRCNN inside a `tf.distribute` strategy's scope, trains it with
`keras_vision.training.fit` (history, per-epoch checkpoint `model.keras`, backup to resume from,
divergence check) and returns the model with its `FitResult`. `TimeBudget` stops training at the
end of the batch when its seconds have passed (a fair comparison of losses of different cost).

Two documented departures from the paper's recipe train much faster: the network predicts the
residual over bicubic (`residual=True`, VDSR), and Adam replaces plain SGD.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from keras_vision.superres.model import build_srcnn
from keras_vision.training import FitResult, fit


class TimeBudget(keras.callbacks.Callback):
    """Stops training at the end of the batch when `seconds` have passed since training began.

    Args:
        seconds: The budget, > 0.
    """

    def __init__(self, seconds: float):
        super().__init__()
        if not seconds > 0:
            raise ValueError(f"`seconds` must be a positive number. Received: seconds={seconds!r}.")
        self.seconds = float(seconds)

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if time.perf_counter() - self.start > self.seconds:
            self.model.stop_training = True


def train_srcnn(
    patches: tuple[np.ndarray, np.ndarray],
    *,
    loss: Callable[[], keras.losses.Loss],
    layout: str,
    residual: bool,
    learning_rate: float,
    epochs: int,
    batch_size: int,
    run_dir: str | Path,
    strategy=None,
    max_seconds: float | None = None,
    resume: bool = False,
    verbose: str | int = "auto",
) -> tuple[keras.Model, FitResult]:
    """Builds, compiles and trains one SRCNN on (input, target) patches.

    Args:
        patches: `(inputs, targets)` from `make_patches`: degraded and HR patches (N, S, S, 3).
        loss: Makes the loss, e.g. `lambda: make_loss("mse")`; called inside the strategy's
            scope, so the VGG16 of a perceptual loss is created there too.
        layout: SRCNN layout, a key of `SRCNN_LAYOUTS`.
        residual: Predict the residual over the bicubic input.
        learning_rate: Adam's learning rate.
        epochs: Epochs (a resumed run trains only the missing ones).
        batch_size: Patches per batch (global: split across the strategy's replicas).
        run_dir: `fit`'s folder: history, per-epoch checkpoint `model.keras`, logs, backup.
        strategy: A `tf.distribute.Strategy` (`keras_vision.training.get_strategy(name)`).
            Defaults to the current one (no distribution).
        max_seconds: Stop training after this many seconds (`TimeBudget`). Defaults to no budget.
        resume: Continue an interrupted training from its last finished epoch. Defaults to `False`.
        verbose: Progress output of `fit`. Defaults to `"auto"`.

    Returns:
        `(model, result)`: the trained model and `fit`'s `FitResult`.

    Raises:
        ValueError: for an unknown layout or malformed patches.
        TrainingDivergedError: if the loss became NaN or infinite.
    """
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        model = build_srcnn(layout=layout, residual=residual)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss())
    result = fit(
        model,
        patches,
        epochs=epochs,
        batch_size=batch_size,
        run_dir=run_dir,
        callbacks=[TimeBudget(max_seconds)] if max_seconds else [],
        resume=resume,
        verbose=verbose,
    )
    return model, result
