"""Freezing and unfreezing a pretrained network by block name.

Transfer learning first trains only a new head on a frozen base, then "fine-tunes": unfreezes the
top blocks of the base and trains on with a small learning rate. The unit of freezing is a block,
named as the architecture's paper or torchvision names it (DenseNet: `stem`, `denseblock1`,
`transition1`, ...) or as Keras prefixes its layers (`conv2` = `denseblock1`); see
`keras_vision.transfer.layouts` for every architecture's blocks.

These functions work on a bare `keras.applications` model and on a classifier from
`build_classifier` (the base nested inside). A classifier also has the blocks `input_adapter`
(no weights) and `head`.

BatchNormalization and freezing: in Keras 3 a BatchNormalization layer with `trainable=False`
runs in inference mode even inside `fit` (it uses and keeps its moving mean and variance), so a
frozen block stays exactly as pretrained.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import keras

from keras_vision.transfer.applications import APPLICATIONS, Application

#: Blocks outside the base in a `build_classifier` model, by layer-name prefix.
CLASSIFIER_BLOCKS = {"input_adapter": "input_adapter_", "head": "head_"}


def find_base(model: keras.Model) -> tuple[keras.Model, Application]:
    """Finds the registered application in `model`: the model itself or a nested layer.

    Args:
        model: A `keras.applications` model (include_top=False) or a model containing one.

    Returns:
        `(base, application)`.

    Raises:
        ValueError: if no registered architecture's layers are found.
    """
    for candidate in [model] + [layer for layer in model.layers if isinstance(layer, keras.Model)]:
        names = {layer.name for layer in candidate.layers}
        for _, app in APPLICATIONS.items():
            if app.layout.matches(names):
                return candidate, app
    raise ValueError(
        f"Model {model.name!r} contains none of the registered applications "
        f"({', '.join(APPLICATIONS.names())}). Pass a keras.applications model or a classifier from "
        "keras_vision.transfer.build_classifier."
    )


def _base_blocks(base: keras.Model, app: Application) -> dict[str, list[keras.layers.Layer]]:
    names = app.layout.block_names
    blocks: dict[str, list] = {name: [] for name in names}
    current = names[0]
    for layer in base.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        matched = app.layout.block_of(layer.name)
        if app.layout.closing:  # the matched layer ends its block: the next layer starts the next one
            blocks[current].append(layer)
            if matched:
                current = names[min(names.index(matched) + 1, len(names) - 1)]
            continue
        current = matched or current
        blocks[current].append(layer)
    return blocks


def _all_blocks(model: keras.Model) -> tuple[dict[str, list], dict[str, list]]:
    """`(blocks, aliases)`, each a dict name -> layers, for a base or a classifier."""
    base, app = find_base(model)
    blocks = _base_blocks(base, app)
    aliases = {
        alias: [layer for layer in base.layers if re.match(pattern, layer.name)]
        for alias, pattern in app.layout.aliases
    }
    if base is not model:
        outer = {
            block: [layer for layer in model.layers if layer.name.startswith(prefix)]
            for block, prefix in CLASSIFIER_BLOCKS.items()
        }
        blocks = {"input_adapter": outer["input_adapter"], **blocks, "head": outer["head"]}
    return blocks, aliases


def list_blocks(model: keras.Model, *, aliases: bool = False) -> dict[str, list[str]]:
    """Names the blocks of `model`, in order from input to output, with their layer names.

    Args:
        model: A `keras.applications` model or a classifier from `build_classifier`.
        aliases: Also list the alias names (e.g. Keras' `conv2` for `denseblock1`).
            Defaults to `False`.

    Returns:
        A dict block name -> names of its layers.

    Raises:
        ValueError: if `model` contains no registered application.
    """
    blocks, alias_blocks = _all_blocks(model)
    listed = {**blocks, **alias_blocks} if aliases else blocks
    return {name: [layer.name for layer in layers] for name, layers in listed.items()}


def freeze_blocks(model: keras.Model, names: str | Iterable[str], *, trainable: bool = False) -> list[str]:
    """Sets `trainable` on every layer of the named blocks; other layers are left as they are.

    Args:
        model: A `keras.applications` model or a classifier from `build_classifier`.
        names: A block name or names: blocks from `list_blocks(model)` or their aliases.
        trainable: The value to set; `True` unfreezes. Defaults to `False`.

    Returns:
        The names of the layers changed, in model order.

    Raises:
        ValueError: for an unknown block name; the message lists the valid ones.

    Example:
        >>> base = keras.applications.DenseNet121(include_top=False, weights=None,
        ...                                       input_shape=(32, 32, 3))
        >>> frozen = freeze_blocks(base, ["denseblock1"])   # exactly the conv2_* layers
    """
    names = [names] if isinstance(names, str) else list(names)
    blocks, alias_blocks = _all_blocks(model)
    known = {**blocks, **alias_blocks}
    for name in names:
        if name not in known:
            raise ValueError(
                f"Unknown block {name!r}. Valid blocks: {', '.join(blocks)} "
                f"(aliases: {', '.join(alias_blocks) or 'none'}). Received: {names}."
            )
    base, _ = find_base(model)
    if trainable and not base.trainable:
        # Keras propagates `trainable` to every sublayer: re-enable the base, keep the rest frozen.
        base.trainable = True
        for layer in base.layers:
            layer.trainable = False
    chosen = {id(layer) for name in names for layer in known[name]}
    changed = []
    for layer in [*model.layers, *(base.layers if base is not model else [])]:
        if id(layer) in chosen:
            layer.trainable = trainable
            changed.append(layer.name)
    return changed


def unfreeze_top(model: keras.Model, n_blocks: int) -> list[str]:
    """Makes the top `n_blocks` blocks of the base trainable and freezes the others.

    The blocks count from the output end of `list_blocks` (DenseNet121: `norm5`, `denseblock4`,
    `transition3`, ...); a classifier's head stays trainable and is not counted.

    Args:
        model: A `keras.applications` model or a classifier from `build_classifier`.
        n_blocks: How many top blocks to unfreeze, from 0 (all frozen) to the number of blocks.

    Returns:
        The names of the unfrozen base blocks, from input side to output side.

    Raises:
        ValueError: if `n_blocks` is out of range.
    """
    base, app = find_base(model)
    order = app.layout.block_names
    if not isinstance(n_blocks, int) or not 0 <= n_blocks <= len(order):
        raise ValueError(
            f"`n_blocks` must be an integer from 0 to {len(order)} (the blocks of {app.name}: "
            f"{', '.join(order)}). Received: n_blocks={n_blocks!r}."
        )
    top = order[len(order) - n_blocks :]
    base.trainable = True
    freeze_blocks(model, order, trainable=False)
    if base is not model:
        freeze_blocks(model, ["head"], trainable=True)
    if top:
        freeze_blocks(model, top, trainable=True)
    return top
