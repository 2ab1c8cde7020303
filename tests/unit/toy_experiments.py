"""Two experiments that are not classifiers, for the contract tests (`test_experiment_config.py`).

- `image_to_image`: a tiny convolutional network learns to undo a blur; scored by PSNR/SSIM gain.
- `two_losses`: a `keras.Model` subclass with its own `train_step` returning `a_loss` and `b_loss`,
  like a GAN's discriminator and generator losses; `nan_after` makes `b_loss` NaN from that step on.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from keras_vision.evaluation import image_to_image_report
from keras_vision.experiments import TrainingOptions, option
from keras_vision.training import fit


@dataclass(frozen=True)
class ImageToImageConfig(TrainingOptions):
    learning_rate: float = option(1e-2, help="Adam's learning rate")


def blurred_pairs(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Smooth random images (targets) and their 3x3 box-blurred versions (inputs), in [0, 1]."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 1, (count, 4, 4, 1)).astype("float32")
    targets = np.asarray(tf.image.resize(coarse, (16, 16), method="bicubic")).clip(0, 1)
    padded = np.pad(targets, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    inputs = sum(padded[:, i : i + 16, j : j + 16] for i in range(3) for j in range(3)) / 9.0
    return inputs.astype("float32"), targets.astype("float32")


def run_image_to_image(config: ImageToImageConfig) -> dict:
    x, y = blurred_pairs(64, config.seed)
    inputs = keras.Input((16, 16, 1))
    hidden = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="sharpen_conv1")(inputs)
    residual = keras.layers.Conv2D(1, 3, padding="same", kernel_initializer="zeros", name="sharpen_conv2")(hidden)
    model = keras.Model(inputs, keras.layers.Add(name="sharpen_add")([inputs, residual]))
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="mse")
    result = fit(
        model,
        (x[:48], y[:48]),
        validation=(x[48:], y[48:]),
        epochs=config.epochs,
        batch_size=config.batch_size,
        run_dir=config.variant_dir("residual"),
        verbose=config.verbose,
    )
    output = model.predict(x[48:], verbose=0).clip(0, 1)
    report = image_to_image_report(list(y[48:]), list(output), baselines=list(x[48:]))
    report.pop("per_image")
    return {"models": {"residual": {**report, "epochs": result.epochs, "history": result.history}}}


class TwoLossModel(keras.Model):
    """Two small networks trained by one `train_step` with two losses (the shape of a GAN)."""

    def __init__(self, nan_after: int | None = None):
        super().__init__()
        self.a = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, name="a_dense")], name="a")
        self.b = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, name="b_dense")], name="b")
        self.nan_after = nan_after
        self.steps = tf.Variable(0, trainable=False, dtype="int64")

    def compile(self, **kwargs):
        super().compile(**kwargs)
        self.a_optimizer = keras.optimizers.SGD(0.05)
        self.b_optimizer = keras.optimizers.SGD(0.05)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape(persistent=True) as tape:
            a_loss = tf.reduce_mean((self.a(x) - y) ** 2)
            b_loss = tf.reduce_mean((self.b(x) + y) ** 2)
        self.a_optimizer.apply_gradients(zip(tape.gradient(a_loss, self.a.trainable_weights), self.a.trainable_weights))
        self.b_optimizer.apply_gradients(zip(tape.gradient(b_loss, self.b.trainable_weights), self.b.trainable_weights))
        self.steps.assign_add(1)
        if self.nan_after is not None:
            b_loss = tf.where(self.steps > self.nan_after, tf.constant(np.nan, b_loss.dtype), b_loss)
        return {"a_loss": a_loss, "b_loss": b_loss}


@dataclass(frozen=True)
class TwoLossConfig(TrainingOptions):
    nan_after: int | None = option(None, help="b_loss becomes NaN after this many steps (none: never)")


def run_two_losses(config: TwoLossConfig) -> dict:
    rng = np.random.default_rng(config.seed)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], "float32")).astype("float32")
    model = TwoLossModel(config.nan_after)
    model.compile()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(config.batch_size)
    result = fit(model, dataset, epochs=config.epochs, run_dir=config.variant_dir("pair"), verbose=config.verbose)
    return {
        "models": {
            "pair": {
                "a_loss": result.history["a_loss"][-1],
                "b_loss": result.history["b_loss"][-1],
                "first_a_loss": result.history["a_loss"][0],
                "epochs": result.epochs,
            }
        }
    }
