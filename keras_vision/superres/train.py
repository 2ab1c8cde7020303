"""Training one super-resolution network on patches, within an optional time budget.

`train_sr_model` builds and compiles a network of `SR_MODELS` (SRCNN, ESPCN, FSRCNN) inside a
`tf.distribute` strategy's scope, trains it with `keras_vision.training.fit` (history, per-epoch
checkpoint `model.keras`, backup to resume from, divergence check) and returns the model with its
`FitResult`. `TimeBudget` stops training at the end of the batch when its seconds have passed (a
fair comparison of networks and losses of different cost).

Two documented departures from the paper's recipe train much faster: the network predicts the
residual over bicubic (`residual=True`, VDSR), and Adam replaces plain SGD. With `flips=True` the
patches are served randomly flipped (`flipped_patches`), new flips every epoch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from keras_vision.superres.architectures import SR_MODELS, build_sr_model
from keras_vision.superres.data import flipped_patches
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


def optimizer_steps(model: keras.Model) -> int:
    """The optimizer steps (batches) a compiled model has trained, under any strategy (resumed runs included)."""
    return int(tf.convert_to_tensor(model.optimizer.iterations.value).numpy())


def train_sr_model(
    patches: tuple[np.ndarray, np.ndarray],
    *,
    architecture: str = "srcnn",
    scale: int = 2,
    loss: Callable[[], keras.losses.Loss],
    layout: str = "9-1-5",
    residual: bool,
    flips: bool = False,
    seed: int | None = None,
    learning_rate: float,
    epochs: int,
    batch_size: int,
    run_dir: str | Path,
    strategy=None,
    max_seconds: float | None = None,
    resume: bool = False,
    verbose: str | int = "auto",
) -> tuple[keras.Model, FitResult]:
    """Builds, compiles and trains one super-resolution network on (input, target) patches.

    Args:
        patches: `(inputs, targets)` from `make_patches`, with `low_resolution=True` for a network
            that upsamples inside (`SR_MODELS.get(architecture).low_resolution_input`).
        architecture: A name of `SR_MODELS`: `"srcnn"`, `"espcn"` or `"fsrcnn"`. Defaults to `"srcnn"`.
        scale: Super-resolution factor (ESPCN and FSRCNN are built for it). Defaults to `2`.
        loss: Makes the loss, e.g. `lambda: make_loss("mse")`; called inside the strategy's
            scope, so the VGG16 of a perceptual loss is created there too.
        layout: SRCNN layout, a key of `SRCNN_LAYOUTS`. Defaults to `"9-1-5"`.
        residual: Predict the residual over the bicubic upscale.
        flips: Serve the patches randomly flipped, shuffled by `seed` (`flipped_patches`).
            Defaults to `False` (the arrays as they are, shuffled by Keras).
        seed: Seed of the flips and their shuffle. Defaults to TensorFlow's global seed.
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
        ValueError: for an unknown architecture or layout, or patches that do not fit the network.
        TrainingDivergedError: if the loss became NaN or infinite.
    """
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        model = build_sr_model(architecture, scale=scale, residual=residual, layout=layout)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss())
    expected = model.compute_output_shape((None, *patches[0].shape[1:]))[1:]
    if tuple(expected) != tuple(patches[1].shape[1:]):
        raise ValueError(
            f"{architecture} turns inputs {patches[0].shape[1:]} into {tuple(expected)}, but the targets are "
            f"{patches[1].shape[1:]}: cut the patches with "
            f"make_patches(low_resolution={SR_MODELS.get(architecture).low_resolution_input})."
        )
    train = flipped_patches(patches, batch_size=batch_size, seed=seed) if flips else patches
    result = fit(
        model,
        train,
        epochs=epochs,
        batch_size=None if flips else batch_size,
        run_dir=run_dir,
        callbacks=[TimeBudget(max_seconds)] if max_seconds else [],
        resume=resume,
        verbose=verbose,
    )
    return model, result
