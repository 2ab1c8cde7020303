"""Benchmark of keras_vision.transfer on real CIFAR-10 images: feature caching and a linear probe.

    python benchmarks/transfer.py --json runs/transfer.json [--data-dir ../shared/data]

1. cache_speedup: seconds per epoch of training the head with the frozen MobileNet base in the
   model (`classifier.fit`: every epoch recomputes the features) divided by seconds per epoch of
   training the same head on features computed once (`train_head_on_features`).
2. probe: a linear classifier (scikit-learn logistic regression) on the frozen, average-pooled
   features of MobileNet(alpha=0.25) at 128x128, ImageNet weights vs random weights. Pretrained
   features should be far more linearly separable.

Data: CIFAR-10 through `keras_vision.data.load_cifar10` (here the class-folder archive
`cifar10-jpg.tar.gz`, decoded once and cached), and `weights/mobilenet_2_5_224_tf_no_top.h5` (the file Keras
downloads for this model).
Prints the JSON and writes it to --json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from reporting import default_data_dir, write_report  # noqa: E402  (benchmarks/ is the script folder)

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
#: Both ways of training the head run this many steps per compiled call (the library default).
STEPS_PER_EXECUTION = 32
WEIGHTS_FILE = Path("weights") / "mobilenet_2_5_224_tf_no_top.h5"


def balanced_subset(x: np.ndarray, y: np.ndarray, per_class: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `per_class` examples of every class, in class order."""
    y = y.reshape(-1)
    keep = np.concatenate([np.flatnonzero(y == c)[:per_class] for c in range(len(CLASSES))])
    return x[keep], y[keep].astype(np.int64)


def epoch_timer():
    """A Keras callback whose `seconds` list gets the wall-clock time of each epoch."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def linear_probe(train_features, train_labels, test_features, test_labels) -> float:
    """Test accuracy of a standardised multinomial logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=0.1))
    probe.fit(train_features, train_labels)
    return float(probe.score(test_features, test_labels))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--data-dir", type=Path, default=default_data_dir(), help="the shared data folder")
    parser.add_argument("--train-per-class", type=int, default=300)
    parser.add_argument("--test-per-class", type=int, default=100)
    parser.add_argument("--size", type=int, default=128, help="side the images are upsampled to")
    parser.add_argument("--epochs", type=int, default=5, help="epochs timed for each head-training way")
    args = parser.parse_args(argv)

    import keras

    from keras_vision.transfer import (
        FeatureCache,
        build_classifier,
        extract_features,
        find_base,
        train_head_on_features,
    )

    keras.utils.set_random_seed(0)
    start = time.perf_counter()
    from keras_vision.data import load_cifar10

    (x_train, y_train), (x_test, y_test) = load_cifar10(data_dir=args.data_dir)
    data = {
        "train": balanced_subset(x_train, y_train, args.train_per_class),
        "test": balanced_subset(x_test, y_test, args.test_per_class),
    }
    (x_train, y_train), (x_test, y_test) = data["train"], data["test"]
    read_seconds = time.perf_counter() - start

    weights = {"pretrained": str(args.data_dir / WEIGHTS_FILE), "random": None}
    probe, seconds, cache = {}, {"read_data": read_seconds}, FeatureCache()
    models = {}
    for kind, w in weights.items():
        model = build_classifier("mobilenet", 10, (32, 32, 3), weights=w, base_size=args.size, alpha=0.25)
        models[kind] = model
        t = time.perf_counter()
        f_train = extract_features(model, x_train, batch_size=128, cache=cache)
        f_test = extract_features(model, x_test, batch_size=128, cache=cache)
        seconds[f"features_{kind}"] = time.perf_counter() - t
        probe[kind] = linear_probe(f_train, y_train, f_test, y_test)

    # Uncached: the full classifier with its base frozen; each epoch runs the base again.
    model = models["pretrained"]
    find_base(model)[0].trainable = False
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    uncached = epoch_timer()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=64, callbacks=[uncached], verbose=0)
    # Cached: the same head on features computed once (a cache hit now).
    t = time.perf_counter()
    f_train = extract_features(model, x_train, batch_size=128, cache=cache)
    seconds["features_cache_hit"] = time.perf_counter() - t
    cached = epoch_timer()
    train_head_on_features(
        f_train,
        y_train,
        num_classes=10,
        epochs=args.epochs,
        batch_size=64,
        callbacks=[cached],
        steps_per_execution=STEPS_PER_EXECUTION,
    )

    # The first epoch of each includes graph tracing; compare the steady-state epochs.
    per_epoch = {"uncached": statistics.median(uncached.seconds[1:]), "cached": statistics.median(cached.seconds[1:])}
    result = {
        "cache_speedup": per_epoch["uncached"] / per_epoch["cached"],
        "probe": probe,
        "seconds_per_epoch": per_epoch,
        "epoch_seconds": {"uncached": uncached.seconds, "cached": cached.seconds},
        "seconds": {**seconds, "total": time.perf_counter() - start},
        "cache": {"hits": cache.hits, "misses": cache.misses},
        "sizes": {
            "train": len(x_train),
            "test": len(x_test),
            "image": list(x_train.shape[1:]),
            "base_input": [args.size, args.size, 3],
            "features": int(f_train.shape[1]),
        },
        "model": "MobileNet(alpha=0.25, include_top=False), average pooling",
        "probe_classifier": "StandardScaler + LogisticRegression(C=0.1), scikit-learn",
        "data": str(args.data_dir / "cifar10-jpg.tar.gz"),
    }
    return write_report(result, args.json)


if __name__ == "__main__":
    main()
