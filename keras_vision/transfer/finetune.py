"""Fine-tuning: the second phase of transfer learning.

Phase 1 trains only the new head (frozen base, or `train_head_on_features` on cached features).
Phase 2 unfreezes the top few blocks of the base and trains on with a learning rate 10-100 times
smaller, so the pretrained filters adapt to the new data without being destroyed by large
gradients from a still-poor head. BatchNormalization layers stay frozen (inference mode, moving
statistics kept): updating them on small, differently distributed batches is the classic way a
fine-tuned model collapses (see the Keras guide "Transfer learning & fine-tuning").

`fine_tune` only prepares and recompiles the model; train it with `model.fit` or
`keras_vision.training.fit`.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras

from keras_vision.models.training_state import trainable_params
from keras_vision.transfer.blocks import find_base, unfreeze_top


@dataclass(frozen=True)
class FineTuneSetup:
    """What `fine_tune` changed.

    Attributes:
        unfrozen_blocks: Base blocks made trainable, input side first.
        trainable_params: Trainable scalars after the change (head included).
        frozen_batchnorm: BatchNormalization layers kept frozen inside the unfrozen blocks.
        learning_rate: The new learning rate.
    """

    unfrozen_blocks: list[str]
    trainable_params: int
    frozen_batchnorm: list[str]
    learning_rate: float


def fine_tune(
    classifier: keras.Model,
    *,
    n_blocks: int,
    learning_rate: float = 1e-5,
    freeze_batchnorm: bool = True,
    loss: str | keras.losses.Loss | None = None,
    metrics: list | None = None,
) -> FineTuneSetup:
    """Unfreezes the top `n_blocks` blocks of the base and recompiles with a small learning rate.

    Args:
        classifier: A model from `build_classifier` (or a model containing an application).
        n_blocks: Number of top base blocks to unfreeze (see `unfreeze_top`).
        learning_rate: Adam's learning rate for this phase. Defaults to `1e-5`.
        freeze_batchnorm: Keep every BatchNormalization layer of the base frozen (inference mode).
            Defaults to `True`.
        loss: Loss to compile with. Defaults to `None`: the loss the model was compiled with,
            else `"sparse_categorical_crossentropy"`.
        metrics: Metrics to compile with. Defaults to `None`: `["accuracy"]`.

    Returns:
        A `FineTuneSetup` describing the change.

    Raises:
        ValueError: if `learning_rate` is not positive or `n_blocks` is out of range.
    """
    if not learning_rate > 0:
        raise ValueError(f"`learning_rate` must be positive. Received: learning_rate={learning_rate!r}.")
    unfrozen, frozen_bn = unfreeze_for_fine_tuning(classifier, n_blocks=n_blocks, freeze_batchnorm=freeze_batchnorm)
    loss = loss or getattr(classifier, "loss", None) or "sparse_categorical_crossentropy"
    classifier.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=loss,
        metrics=list(metrics) if metrics is not None else ["accuracy"],
    )
    return FineTuneSetup(unfrozen, trainable_params(classifier), frozen_bn, learning_rate)


def unfreeze_for_fine_tuning(
    model: keras.Model, *, n_blocks: int, freeze_batchnorm: bool = True
) -> tuple[list[str], list[str]]:
    """Unfreezes the top `n_blocks` blocks of the base, keeping its batch norm in inference mode.

    The part of `fine_tune` that changes the model and compiles nothing: use it when the model that
    trains is not the classifier itself (an augmenting wrapper around it, a schedule of your own).

    Args:
        model: A model from `build_classifier` (or a model containing an application).
        n_blocks: Number of top base blocks to unfreeze (see `unfreeze_top`).
        freeze_batchnorm: Keep every BatchNormalization layer of the base frozen (in Keras 3 a
            frozen BatchNormalization layer normalises with its moving statistics and keeps them).
            Defaults to `True`.

    Returns:
        `(unfrozen block names, names of the BatchNormalization layers kept frozen)`.

    Raises:
        ValueError: if `n_blocks` is out of range.
    """
    unfrozen = unfreeze_top(model, n_blocks)
    base, _ = find_base(model)
    frozen_bn = []
    if freeze_batchnorm:
        for layer in base.layers:
            if isinstance(layer, keras.layers.BatchNormalization) and layer.trainable:
                layer.trainable = False
                frozen_bn.append(layer.name)
    return unfrozen, frozen_bn
