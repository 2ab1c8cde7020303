"""Learning-rate schedules: how the step size changes while training.

Both schedules are Keras `LearningRateSchedule` objects: pass one as an optimizer's
`learning_rate`, and it is evaluated at every optimizer step and saved with the model.

- Step decay multiplies the rate by `drop` every `every_steps` steps (the classic ResNet recipe:
  divide by 10 at fixed points).
- Cosine decay follows half a cosine from the initial rate down to `alpha * initial_lr`, optionally
  after a linear warm-up from 0; it is SGDR (Loshchilov & Hutter, 2017) without restarts.

Schedules count optimizer steps, not epochs; `epochs_to_steps` converts.
"""

from __future__ import annotations

import math

import keras


def epochs_to_steps(epochs: int | float, *, num_examples: int, batch_size: int) -> int:
    """Converts a number of epochs into optimizer steps (batches), counting a partial batch.

    Args:
        epochs: Number of epochs (may be fractional, e.g. 0.5 for a warm-up of half an epoch).
        num_examples: Training examples per epoch.
        batch_size: Examples per batch.

    Returns:
        `round(epochs * ceil(num_examples / batch_size))`.

    Raises:
        ValueError: if an argument is not positive (`epochs` may be 0).
    """
    if epochs < 0 or num_examples <= 0 or batch_size <= 0:
        raise ValueError(
            "`epochs` must be >= 0 and `num_examples`, `batch_size` > 0. Received: "
            f"epochs={epochs}, num_examples={num_examples}, batch_size={batch_size}."
        )
    return round(epochs * math.ceil(num_examples / batch_size))


def step_decay(initial_lr: float, *, every_steps: int, drop: float = 0.1):
    """Learning rate `initial_lr * drop ** floor(step / every_steps)`.

    This is `keras.optimizers.schedules.ExponentialDecay` with `staircase=True`.

    Args:
        initial_lr: Learning rate of the first `every_steps` steps.
        every_steps: Steps between drops; see `epochs_to_steps`.
        drop: Factor applied at each drop, in (0, 1]. Defaults to `0.1`.

    Returns:
        A serializable `keras.optimizers.schedules.LearningRateSchedule`.

    Raises:
        ValueError: if an argument is out of range.

    Reference:
        He et al., "Deep Residual Learning for Image Recognition", CVPR 2016 (divide by 10).
    """

    if initial_lr <= 0 or every_steps < 1 or not 0 < drop <= 1:
        raise ValueError(
            "Expected `initial_lr` > 0, `every_steps` >= 1 and 0 < `drop` <= 1. Received: "
            f"initial_lr={initial_lr}, every_steps={every_steps}, drop={drop}."
        )
    return keras.optimizers.schedules.ExponentialDecay(
        initial_lr, decay_steps=every_steps, decay_rate=drop, staircase=True, name="step_decay"
    )


def cosine_decay(initial_lr: float, *, total_steps: int, warmup_steps: int = 0, alpha: float = 0.0):
    """Linear warm-up from 0 to `initial_lr`, then cosine decay to `alpha * initial_lr`.

    After warm-up, with `t = step - warmup_steps` and `T = total_steps - warmup_steps`:
    `lr = initial_lr * (alpha + (1 - alpha) * 0.5 * (1 + cos(pi * min(t, T) / T)))`.
    This is `keras.optimizers.schedules.CosineDecay`, configured so that `total_steps` counts the
    warm-up too.

    Args:
        initial_lr: Peak learning rate, reached at the end of warm-up.
        total_steps: Steps of the whole run, warm-up included; see `epochs_to_steps`.
        warmup_steps: Steps of linear warm-up from 0. Defaults to `0` (start at `initial_lr`).
        alpha: Final learning rate as a fraction of `initial_lr`. Defaults to `0.0`.

    Returns:
        A serializable `keras.optimizers.schedules.LearningRateSchedule`.

    Raises:
        ValueError: if an argument is out of range.

    Reference:
        Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017.
        Goyal et al., "Accurate, Large Minibatch SGD", 2017 (linear warm-up).
    """

    if initial_lr <= 0 or not 0 <= warmup_steps < total_steps or not 0 <= alpha <= 1:
        raise ValueError(
            "Expected `initial_lr` > 0, 0 <= `warmup_steps` < `total_steps` and 0 <= `alpha` <= 1. "
            f"Received: initial_lr={initial_lr}, total_steps={total_steps}, "
            f"warmup_steps={warmup_steps}, alpha={alpha}."
        )
    if warmup_steps == 0:
        return keras.optimizers.schedules.CosineDecay(initial_lr, total_steps, alpha=alpha)
    return keras.optimizers.schedules.CosineDecay(
        0.0,
        total_steps - warmup_steps,
        alpha=alpha,
        warmup_target=initial_lr,
        warmup_steps=warmup_steps,
    )
