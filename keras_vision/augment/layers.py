"""Augmentation inside the model: Keras preprocessing layers, active only while training."""

from __future__ import annotations

import keras
from keras import layers


def augmentation_layers(
    *, translation: float = 0.1, zoom: float = 0.1, flip: str | None = "horizontal", name: str = "augmentation"
) -> keras.Sequential:
    """Random flips, shifts and zooms as one block to put in front of a model.

    Args:
        translation: Largest random shift, as a fraction of the height and width.
        zoom: Largest random zoom in or out, as a fraction of the size.
        flip: `"horizontal"`, `"vertical"`, `"horizontal_and_vertical"` or None.
        name: Name of the block; its layers are `augment_flip`, `augment_translate`, `augment_zoom`.

    Returns:
        A `keras.Sequential`: random while training, the identity at inference.
    """
    steps = [layers.RandomFlip(flip, name="augment_flip")] if flip else []
    if translation:
        steps.append(layers.RandomTranslation(translation, translation, name="augment_translate"))
    if zoom:
        steps.append(layers.RandomZoom(zoom, name="augment_zoom"))
    return keras.Sequential(steps, name=name)
