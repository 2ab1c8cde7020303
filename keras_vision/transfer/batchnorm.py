"""Batch normalisation when training from scratch: the momentum of the moving statistics.

At inference a BatchNormalization layer normalises with moving averages of the batch statistics,
`moving = momentum * moving + (1 - momentum) * batch`. With Keras' default momentum 0.99 they
forget their initial values (mean 0, variance 1) only after several hundred steps, so a deep
network trained briefly from scratch predicts near chance in inference mode; 0.9 follows the
batches within a few dozen steps. Pretrained weights bring their own statistics: keep 0.99 there.
"""

from __future__ import annotations

#: BatchNormalization momentum for training from scratch (Keras' default is 0.99).
SCRATCH_BN_MOMENTUM = 0.9


def from_scratch(weights) -> bool:
    """True when `weights` means random initialisation (`None` or `"none"`)."""
    return weights is None or str(weights).lower() == "none"


def set_batchnorm_momentum(model, momentum: float) -> int:
    """Sets `momentum` on every BatchNormalization layer of `model`, nested models included.

    Call it before `compile`/`fit`: the training step reads the momentum when it is traced.

    Args:
        model: A Keras model, e.g. from `keras_vision.transfer.build_classifier`.
        momentum: The new momentum of the moving mean and variance, e.g. 0.9.

    Returns:
        The number of BatchNormalization layers changed.
    """
    import keras

    count = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = momentum
            count += 1
        elif hasattr(layer, "layers"):
            count += set_batchnorm_momentum(layer, momentum)
    return count

