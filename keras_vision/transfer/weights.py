"""Which weights a base model starts from: none, ImageNet (cached or downloaded), or a file.

`weights="imagenet"` behaves as in `keras.applications` with two differences: without a network
Keras would hang on the download, so `resolve_weights` first looks in the Keras cache
(`$KERAS_HOME/models/`, `KERAS_HOME` defaulting to `~/.keras`, read when called, not when Keras
was imported), then asks `keras_vision.network.downloads_available()` and downloads the file
there with the public `keras.utils.get_file`, and otherwise raises `WeightsNotFoundError` naming
the file to place and where to get it. The builder then receives the file's path, which
`keras.applications` loads like its own download.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras

from keras_vision import network
from keras_vision.errors import UsageError, WeightsNotFoundError
from keras_vision.network import keras_home
from keras_vision.transfer.applications import Application

#: Suffixes of the weights files `keras.Model.load_weights` reads (legacy HDF5 and Keras 3).
WEIGHTS_SUFFIXES = (".weights.h5", ".h5")


def imagenet_weights_path(app: Application, *, input_size: int | None = None, alpha: float = 1.0) -> Path:
    """Where Keras caches the ImageNet no-top weights of `app`: `$KERAS_HOME/models/<file>`."""
    return keras_home() / "models" / app.weights_file(input_size=input_size, alpha=alpha)


def resolve_weights(
    weights: str | os.PathLike | None,
    app: Application,
    *,
    input_size: int | None = None,
    alpha: float = 1.0,
) -> str | None:
    """Checks a `weights` argument and returns what to pass to the `keras.applications` builder.

    Args:
        weights: `None` or `"none"` (random initialisation), `"imagenet"`, or the path of a
            `.h5` / `.weights.h5` file saved from the same base architecture.
        app: The architecture the weights are for.
        input_size: Side of the base's square input (MobileNet's file depends on it).
        alpha: Width multiplier of MobileNet/MobileNetV2 (the file depends on it).

    Returns:
        `None`, or the path of the weights file as a string (for `"imagenet"`: the cached file,
        downloaded first when it is missing and the machine is online).

    Raises:
        ValueError: if `weights` is none of the above.
        WeightsNotFoundError: if the file is missing, or ImageNet weights are neither cached nor
            downloadable; the message names the exact file and where to put it.
    """
    if weights is None or (isinstance(weights, str) and weights.lower() == "none"):
        return None
    if isinstance(weights, str) and weights.lower() == "imagenet":
        return _resolve_imagenet(app, input_size=input_size, alpha=alpha)
    if not isinstance(weights, (str, os.PathLike)):
        raise UsageError(_bad_weights_message(weights))
    path = Path(weights).expanduser()
    if not path.name.endswith(WEIGHTS_SUFFIXES):
        raise UsageError(_bad_weights_message(weights))
    if not path.is_file():
        raise WeightsNotFoundError(
            f"The weights file {str(path)!r} does not exist. Pass the path of a .h5 or .weights.h5 "
            f"file saved from a {app.constructor_name} base (include_top=False), 'imagenet' or None."
        )
    return str(path)


def _resolve_imagenet(app: Application, *, input_size: int | None, alpha: float) -> str:
    cached = imagenet_weights_path(app, input_size=input_size, alpha=alpha)
    url = app.weights_origin(input_size=input_size, alpha=alpha)
    if cached.is_file():
        return str(cached)
    if network.downloads_available():
        return keras.utils.get_file(cached.name, origin=url, cache_dir=str(cached.parent.parent), cache_subdir="models")
    raise WeightsNotFoundError(
        f"The ImageNet weights of {app.constructor_name} (include_top=False) are not in the Keras "
        f"cache and this machine cannot download them. Download {url} elsewhere and place it as "
        f"{cached} (file {cached.name} in $KERAS_HOME/models/, KERAS_HOME defaults to ~/.keras), "
        f"or pass weights=PATH to a copy of it, or weights=None for random initialisation."
    )


def _bad_weights_message(weights: object) -> str:
    return (
        "`weights` must be 'imagenet', None (or 'none') for random initialisation, or the path of "
        f"a weights file ending in {' or '.join(WEIGHTS_SUFFIXES)}. Received: weights={weights!r}."
    )
