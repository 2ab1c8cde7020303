"""Feature extraction: run the frozen base once, then train only a small head on its output.

With the base frozen, every epoch of `classifier.fit` pushes every image through the whole
pretrained network again to get the same pooled features. Computing them once and training a
dense head on the stored features gives the same head, orders of magnitude faster per epoch
(`benchmarks/transfer.py` measures the speed-up). The price: no data augmentation (the features of
a flipped image differ) and no fine-tuning of the base during this phase.

`FeatureCache` keeps features in memory or as `.npy` files, keyed by a hash of everything they
depend on: the model name, its weights, its input size and the images themselves.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from keras_vision.files import atomic_path
from keras_vision.training.fit import fit

#: Hex digits of a cache key.
KEY_DIGEST_SIZE = 20


class FeatureCache:
    """Stores feature arrays by key, in memory or as `<dir>/<key>.npy` files.

    Args:
        dir: Folder for `.npy` files (created when needed); None keeps features in memory only.
            Defaults to `None`.

    Attributes:
        hits: How many `get` calls found their key.
        misses: How many did not.
    """

    def __init__(self, dir: str | os.PathLike | None = None):
        self.dir = Path(dir) if dir is not None else None
        self._memory: dict[str, np.ndarray] = {}
        self.hits = 0
        self.misses = 0

    def path(self, key: str) -> Path | None:
        """The file of `key`, or None for an in-memory cache."""
        return None if self.dir is None else self.dir / f"{key}.npy"

    def get(self, key: str) -> np.ndarray | None:
        """The features stored under `key`, or None (counted as a miss)."""
        found = self._memory.get(key)
        path = self.path(key)
        if found is None and path is not None and path.is_file():
            found = np.load(path)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: str, features: np.ndarray) -> None:
        """Stores `features` under `key` (on disk: written to a temporary file, then renamed)."""
        path = self.path(key)
        if path is None:
            self._memory[key] = features
            return
        with atomic_path(path) as partial, open(partial, "wb") as f:
            np.save(f, features)

    def __contains__(self, key: str) -> bool:
        path = self.path(key)
        return key in self._memory or (path is not None and path.is_file())

    def __repr__(self) -> str:
        where = "memory" if self.dir is None else str(self.dir)
        return f"FeatureCache({where}, hits={self.hits}, misses={self.misses})"


def array_digest(x: np.ndarray) -> str:
    """blake2b of an array's dtype, shape and bytes: equal digests mean equal arrays."""
    x = np.ascontiguousarray(x)
    digest = hashlib.blake2b(f"{x.dtype.str}{x.shape}".encode(), digest_size=KEY_DIGEST_SIZE)
    digest.update(memoryview(x).cast("B"))
    return digest.hexdigest()


def weights_digest(model: keras.Model) -> str:
    """blake2b over the paths, shapes and values of all of `model`'s weights."""
    digest = hashlib.blake2b(digest_size=KEY_DIGEST_SIZE)
    for weight in model.weights:
        digest.update(f"{weight.path}{tuple(weight.shape)}".encode())
        digest.update(memoryview(np.ascontiguousarray(keras.ops.convert_to_numpy(weight))).cast("B"))
    return digest.hexdigest()


def feature_key(feature_model: keras.Model, x: np.ndarray) -> str:
    """The cache key of `feature_model(x)`: model name, input shape, weights and data."""
    parts = [feature_model.name, str(feature_model.input_shape), weights_digest(feature_model), array_digest(x)]
    return hashlib.blake2b("|".join(parts).encode(), digest_size=KEY_DIGEST_SIZE).hexdigest()


def feature_extractor(model: keras.Model) -> keras.Model:
    """The part of `model` that produces pooled features.

    Args:
        model: A classifier from `build_classifier` (cut at its `head_pool` layer) or a bare
            base (a 4-D output is average-pooled; a 2-D output is used as it is).

    Returns:
        A model from `model`'s input to a (batch, features) output.
    """
    names = {layer.name for layer in model.layers}
    if "head_pool" in names:
        output = model.get_layer("head_pool").output
    elif len(model.output.shape) == 4:
        output = keras.layers.GlobalAveragePooling2D(name="features_pool")(model.output)
    else:
        output = model.output
    return keras.Model(model.input, output, name=f"{model.name}_features")


def extract_features(
    model: keras.Model,
    x: np.ndarray,
    *,
    batch_size: int = 64,
    cache: FeatureCache | None = None,
) -> np.ndarray:
    """Computes (or fetches from `cache`) the pooled features of the images `x`.

    Args:
        model: A classifier from `build_classifier` or a bare base model (see `feature_extractor`).
        x: Images as the model expects them, shape (N, H, W, C).
        batch_size: Images per forward pass. Defaults to `64`.
        cache: Where to look first and store after computing. Defaults to `None` (no caching).

    Returns:
        A float array of shape (N, features).
    """
    x = np.asarray(x)
    feature_model = feature_extractor(model)
    key = feature_key(feature_model, x) if cache is not None else None
    if cache is not None:
        found = cache.get(key)
        if found is not None:
            return found
    features = _compute_features(feature_model, x, batch_size)
    if cache is not None:
        cache.put(key, features)
    return features


def _compute_features(feature_model: keras.Model, x: np.ndarray, batch_size: int) -> np.ndarray:
    return np.asarray(feature_model.predict(x, batch_size=batch_size, verbose=0))


def build_feature_head(
    feature_dim: int,
    num_classes: int,
    *,
    hidden_units: tuple[int, ...] = (),
    dropout: float = 0.0,
    name: str = "feature_head",
) -> keras.Model:
    """A small dense classifier on pooled features; its layers are named like the classifier head.

    Args:
        feature_dim: Length of one feature vector.
        num_classes: Number of classes.
        hidden_units: Sizes of ReLU hidden layers (`head_hidden1`, ...). Defaults to `()`: a
            linear softmax classifier (multinomial logistic regression).
        dropout: Dropout rate before the predictions (`head_dropout`). Defaults to `0.0`.
        name: Model name. Defaults to `"feature_head"`.

    Returns:
        An uncompiled model (batch, feature_dim) -> (batch, num_classes) softmax.
    """
    inputs = keras.Input(shape=(feature_dim,), name="features")
    x = inputs
    for i, units in enumerate(hidden_units, start=1):
        x = keras.layers.Dense(units, activation="relu", name=f"head_hidden{i}")(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="head_predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def train_head_on_features(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    num_classes: int,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    epochs: int = 20,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    hidden_units: tuple[int, ...] = (),
    dropout: float = 0.0,
    callbacks: list | None = None,
    steps_per_execution: int = 32,
    verbose: int | str = 0,
    run_dir: str | os.PathLike | None = None,
    resume: bool = False,
    strategy=None,
    seed: int | None = None,
) -> tuple[keras.Model, dict[str, list[float]]]:
    """Builds `build_feature_head` and fits it on stored features with Adam and cross-entropy.

    Args:
        features: (N, D) features, e.g. from `extract_features`.
        labels: (N,) integer class ids or (N, num_classes) one-hot rows.
        num_classes: Number of classes.
        validation_data: Optional `(features, labels)` evaluated after each epoch.
        epochs: Passes over the features. Defaults to `20`.
        batch_size: Defaults to `128`.
        learning_rate: Adam's learning rate. Defaults to `1e-3`.
        hidden_units: See `build_feature_head`. Defaults to `()`.
        dropout: See `build_feature_head`. Defaults to `0.0`.
        callbacks: Keras callbacks passed to `fit`. Defaults to `None`.
        steps_per_execution: Training steps per compiled call. A step of a small head on
            features takes microseconds, so Keras' per-step Python overhead would dominate an
            epoch; running several steps per call removes most of it. Defaults to `32`.
        verbose: `fit` verbosity. Defaults to `0`.
        run_dir: With a folder, training goes through `keras_vision.training.fit`: history
            files, checkpoints and `resume` as in every course run. Defaults to `None`.
        resume: Continue an interrupted run in `run_dir`. Defaults to `False`.
        strategy: The `tf.distribute.Strategy` the head is built in and trains through (with
            `run_dir`; a multi-worker one deals the batches out to the workers). Defaults to the
            current one (no distribution).
        seed: Seed of the shuffle of every epoch; workers of a multi-worker run need the same one,
            so that their shards of the batches do not overlap. Defaults to `None` (TensorFlow's).

    Returns:
        `(head, history)`, the history as `{"loss": [...], "accuracy": [...], ...}`; copy the
        head into a classifier with `copy_head`.

    Raises:
        ValueError: if `features` is not 2-D or `labels` does not match it.
    """
    features, labels = np.asarray(features), np.asarray(labels)
    if features.ndim != 2 or len(labels) != len(features):
        raise ValueError(
            "`features` must be (N, D) and `labels` must have N entries. "
            f"Received: features {features.shape}, labels {labels.shape}."
        )
    loss = "categorical_crossentropy" if labels.ndim == 2 else "sparse_categorical_crossentropy"
    with (strategy or tf.distribute.get_strategy()).scope():
        head = build_feature_head(features.shape[1], num_classes, hidden_units=hidden_units, dropout=dropout)
        head.compile(
            optimizer=keras.optimizers.Adam(learning_rate),
            loss=loss,
            metrics=["accuracy"],
            steps_per_execution=steps_per_execution,
        )
    train = _in_memory_dataset(features, labels, batch_size=batch_size, shuffle=True, seed=seed)
    validation = None if validation_data is None else _in_memory_dataset(*validation_data, batch_size=batch_size)
    if run_dir is not None:
        result = fit(
            head,
            train,
            validation=validation,
            epochs=epochs,
            run_dir=run_dir,
            resume=resume,
            callbacks=callbacks or (),
            verbose=verbose,
        )
        return head, result.history
    history = head.fit(
        train, validation_data=validation, epochs=epochs, callbacks=callbacks, verbose=verbose, shuffle=False
    )  # shuffled above
    return head, history.history


def _in_memory_dataset(features, labels, *, batch_size: int, shuffle: bool = False, seed: int | None = None):
    """A `tf.data` pipeline over arrays held in memory, reshuffled every epoch.

    Cheaper per epoch than `fit` on NumPy arrays, whose per-epoch slicing would otherwise cost more
    than the training steps of a small head.
    """
    dataset = tf.data.Dataset.from_tensor_slices((np.asarray(features), np.asarray(labels)))
    if shuffle:
        dataset = dataset.shuffle(len(features), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def copy_head(head: keras.Model, classifier: keras.Model) -> list[str]:
    """Copies the weights of `head`'s layers into the same-named layers of `classifier`.

    Args:
        head: From `train_head_on_features` / `build_feature_head`.
        classifier: From `build_classifier`, with the same head structure (by default one
            `head_predictions` layer with the same number of classes).

    Returns:
        The names of the layers copied.

    Raises:
        ValueError: if a head layer is missing from `classifier` or its weights differ in shape.
    """
    copied = []
    for layer in head.layers:
        if not layer.weights:
            continue
        names = [target.name for target in classifier.layers]
        if layer.name not in names:
            raise ValueError(
                f"The classifier {classifier.name!r} has no layer {layer.name!r} to copy the head "
                f"into. Its layers: {', '.join(names)}."
            )
        target = classifier.get_layer(layer.name)
        shapes = [tuple(w.shape) for w in layer.weights], [tuple(w.shape) for w in target.weights]
        if shapes[0] != shapes[1]:
            raise ValueError(
                f"Layer {layer.name!r} has weights of shapes {shapes[0]} in the head but {shapes[1]} "
                "in the classifier: build both with the same number of classes and features."
            )
        target.set_weights(layer.get_weights())
        copied.append(layer.name)
    return copied
