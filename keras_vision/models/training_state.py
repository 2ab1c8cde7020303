"""What training changes in a model: its trainable scalars and its batch-norm momentum.

Generic helpers every topic uses (transfer learning, training from scratch, the records of a run):

- `trainable_params`: the number of scalars the optimizer updates.
- `set_batchnorm_momentum`, `SCRATCH_BN_MOMENTUM`: at inference a BatchNormalization layer
  normalises with moving averages of the batch statistics,
  `moving = momentum * moving + (1 - momentum) * batch`. With Keras' default momentum 0.99 they
  forget their initial values (mean 0, variance 1) only after several hundred steps, so a deep
  network trained briefly from scratch predicts near chance in inference mode; 0.9 follows the
  batches within a few dozen steps. Pretrained weights bring their own statistics: keep 0.99 there
  (see `keras_vision.transfer.prepare_batchnorm`).
"""

from __future__ import annotations

import math

import keras

#: BatchNormalization momentum for training from scratch (Keras' default is 0.99).
SCRATCH_BN_MOMENTUM = 0.9


def trainable_params(model: keras.Model) -> int:
    """The number of trainable scalars of `model`: what the optimizer updates."""
    return sum(math.prod(w.shape) for w in model.trainable_weights)


def set_batchnorm_momentum(model: keras.Model, momentum: float) -> int:
    """Sets `momentum` on every BatchNormalization layer of `model`, nested models included.

    Call it before `compile`/`fit`: the training step reads the momentum when it is traced.

    Args:
        model: A Keras model.
        momentum: The new momentum of the moving mean and variance, e.g. 0.9.

    Returns:
        The number of BatchNormalization layers changed.
    """
    count = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = momentum
            count += 1
        elif hasattr(layer, "layers"):
            count += set_batchnorm_momentum(layer, momentum)
    return count
