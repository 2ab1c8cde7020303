"""Benchmark of CPU augmentation pipelines, and of the cost of augmentation while training.

    python benchmarks/augmentation.py --json runs/augmentation.json                 # throughput
    python benchmarks/augmentation.py --mode training --json runs/aug_training.json  # CIFAR-10 CNN

Throughput (images per second, one augmented float32 batch of 128 at a time, 32x32 and 128x128
uint8 RGB inputs), every pipeline with the same augmentation (rotation 15 degrees, shifts 0.1,
zoom 0.1, horizontal flip, fill "nearest"):

- `imagedatagenerator`: `tf.keras.preprocessing.image.ImageDataGenerator.flow`.
- `keras_layers`: Keras preprocessing layers (RandomRotation, RandomTranslation, RandomZoom,
  RandomFlip) mapped over a batched `tf.data` pipeline with `num_parallel_calls=AUTOTUNE`.
- `albumentations`: `A.Compose([A.Affine(...), A.HorizontalFlip()])` image by image, as in a
  data loader (single thread); `albumentations_2threads`: the same on a pool of two threads.
- `fast`: `keras_vision.augment.FastAugmenter` (two threads); `fast_1thread`: one thread.

The pipelines are timed in rounds, each pipeline once per round, and the median of the rounds is
reported, so that a change in the load of this shared machine hits every pipeline alike. The
JSON is `{"32": {pipeline: images_per_second, ...}, "128": {...}, "speedups": {...}}`.

Training (`--mode training`): seconds per epoch of a small CIFAR-10 CNN with batch normalisation
(`benchmark_cifar10_cnn`, defined here), trained on real CIFAR-10 images
(`keras_vision.data.load_cifar10`, the class-folder JPEG archive of the shared data) without
augmentation (`model.fit` on arrays) and with the fast pipeline (`AugmentedBatches`, 2 workers),
one epoch of each in turn; the first epoch of each (tracing) is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BATCH = 128
SIZES = (32, 128)
#: The augmentation every pipeline applies.
ROTATION, SHIFT, ZOOM = 15.0, 0.1, 0.1


def default_data_dir() -> Path:
    return Path(os.environ.get("KERAS_VISION_SHARED", REPO.parent / "shared" / "data"))


def augment_config(**extra):
    from keras_vision.augment import AugmentConfig

    return AugmentConfig(rotation_range=ROTATION, width_shift_range=SHIFT, height_shift_range=SHIFT, zoom_range=ZOOM,
                         horizontal_flip=True, fill_mode="nearest", **extra)


def imagedatagenerator_batches(images: np.ndarray):
    from keras_vision.augment import image_data_generator

    iterator = image_data_generator(augment_config()).flow(images, batch_size=BATCH, shuffle=False, seed=0)
    return lambda: next(iterator)


def keras_layers_batches(images: np.ndarray):
    import keras
    import tensorflow as tf

    layers = keras.Sequential([
        keras.layers.RandomRotation(ROTATION / 360, fill_mode="nearest", seed=0),
        keras.layers.RandomTranslation(SHIFT, SHIFT, fill_mode="nearest", seed=1),
        keras.layers.RandomZoom((-ZOOM, ZOOM), (-ZOOM, ZOOM), fill_mode="nearest", seed=2),
        keras.layers.RandomFlip("horizontal", seed=3),
    ])
    dataset = (tf.data.Dataset.from_tensor_slices(images).repeat().batch(BATCH)
               .map(lambda x: layers(tf.cast(x, tf.float32), training=True), num_parallel_calls=tf.data.AUTOTUNE)
               .prefetch(tf.data.AUTOTUNE))
    return TfDataBatches(dataset)


class TfDataBatches:
    """Batches of a `tf.data` pipeline; `reset` drops the iterator, so that its background
    threads (parallel map, prefetch) neither work ahead nor take CPU while the others are timed."""

    def __init__(self, dataset):
        self.dataset, self.iterator = dataset, None

    def __call__(self):
        self.iterator = self.iterator or iter(self.dataset)
        return next(self.iterator).numpy()

    def reset(self):
        self.iterator = None


def albumentations_batches(images: np.ndarray, threads: int = 1):
    import albumentations as A
    import cv2

    transform = A.Compose([
        A.Affine(rotate=(-ROTATION, ROTATION), translate_percent=(-SHIFT, SHIFT), scale=(1 - ZOOM, 1 + ZOOM),
                 keep_ratio=False, border_mode=cv2.BORDER_REPLICATE, interpolation=cv2.INTER_LINEAR, p=1.0),
        A.HorizontalFlip(p=0.5),
    ], seed=0)
    pool = ThreadPoolExecutor(threads) if threads > 1 else None
    cursor = [0]

    def augment_one(image):
        return transform(image=image)["image"]

    def next_batch():
        start = cursor[0] % len(images)
        cursor[0] += BATCH
        chosen = images[start:start + BATCH]
        augmented = pool.map(augment_one, chosen) if pool else map(augment_one, chosen)
        return np.stack(list(augmented)).astype(np.float32)

    return next_batch


def fast_batches(images: np.ndarray, threads: int = 2):
    from keras_vision.augment import FastAugmenter

    augmenter = FastAugmenter(augment_config(), seed=0, threads=threads)
    cursor = [0]

    def next_batch():
        start = cursor[0] % len(images)
        cursor[0] += BATCH
        return augmenter.augment(images[start:start + BATCH])

    return next_batch


PIPELINES = {
    "imagedatagenerator": imagedatagenerator_batches,
    "keras_layers": keras_layers_batches,
    "albumentations": albumentations_batches,
    "albumentations_2threads": lambda images: albumentations_batches(images, threads=2),
    "fast": fast_batches,
    "fast_1thread": lambda images: fast_batches(images, threads=1),
}


def images_per_second(next_batch, seconds: float) -> float:
    """Batches drawn for at least `seconds` (and at least 2 batches), in images per second.

    One batch is drawn before the clock starts (a tf.data iterator starts its threads then)."""
    next_batch()
    count, start = 0, time.perf_counter()
    while True:
        batch = next_batch()
        count += len(batch)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and count >= 2 * BATCH:
            return count / elapsed


def throughput(args) -> dict:
    results, rounds_kept = {}, {}
    rng = np.random.default_rng(0)
    for size in args.sizes:
        images = rng.integers(0, 256, size=(4 * BATCH, size, size, 3), dtype=np.uint8)
        batches = {name: PIPELINES[name](images) for name in args.pipelines}
        for next_batch in batches.values():
            next_batch()  # warm-up: tracing, thread pools, first allocation
            getattr(next_batch, "reset", lambda: None)()
        rounds = {name: [] for name in batches}
        for _ in range(args.rounds):
            for name, next_batch in batches.items():
                rounds[name].append(images_per_second(next_batch, args.seconds))
                getattr(next_batch, "reset", lambda: None)()
        results[str(size)] = {name: round(statistics.median(values), 1) for name, values in rounds.items()}
        rounds_kept[str(size)] = {name: [round(v, 1) for v in values] for name, values in rounds.items()}
        print(f"{size}x{size}: {json.dumps(results[str(size)])}", flush=True)
    results["speedups"] = {
        size: {f"fast_over_{name}": round(row["fast"] / row[name], 2) for name in row if name != "fast" and "fast" in row}
        for size, row in results.items()
    }
    results["rounds"] = rounds_kept
    results["setup"] = {"batch": BATCH, "rotation": ROTATION, "shift": SHIFT, "zoom": ZOOM, "horizontal_flip": True,
                        "rounds": args.rounds, "seconds_per_round": args.seconds, "cpus": os.cpu_count()}
    return results


def benchmark_cifar10_cnn():
    """A small CIFAR-10 CNN with batch normalisation (3 stages of two 3x3 convolutions, 0.29 M weights)."""
    import keras
    from keras import layers

    inputs = keras.Input((32, 32, 3))
    x = inputs
    for stage, filters in enumerate((32, 64, 128), start=1):
        for conv in (1, 2):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"block{stage}_conv{conv}")(x)
            x = layers.BatchNormalization(name=f"block{stage}_bn{conv}")(x)
            x = layers.ReLU(name=f"block{stage}_relu{conv}")(x)
        x = layers.MaxPooling2D(name=f"block{stage}_pool")(x) if stage < 3 else x
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs, outputs, name="benchmark_cifar10_cnn")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def training(args) -> dict:
    """Seconds per epoch without and with augmentation, the two variants' epochs interleaved."""
    import keras
    from transfer import epoch_timer  # benchmarks/transfer.py, beside this script

    from keras_vision.augment import AugmentedBatches, FastAugmenter
    from keras_vision.data import load_cifar10

    (x_train, y_train), (x_test, y_test) = load_cifar10(data_dir=args.data_dir)
    x_train, y_train = x_train[: args.train_images], y_train[: args.train_images].reshape(-1)
    x_scaled = x_train.astype(np.float32) / 255.0
    augmenter = FastAugmenter(augment_config(rescale=1 / 255), seed=0)
    data = {
        "no_augmentation": ((x_scaled, y_train), {"batch_size": BATCH, "shuffle": True}),
        "fast": ((AugmentedBatches(x_train, y_train, augmenter, batch_size=BATCH, workers=args.workers),), {}),
    }
    models, timers = {}, {}
    for name in data:
        keras.utils.set_random_seed(0)
        models[name], timers[name] = benchmark_cifar10_cnn(), epoch_timer()
    # Alternate epochs (A, B, A, B, ...) so that a change in the machine's load hits both alike.
    for _ in range(args.epochs):
        for name, (inputs, kwargs) in data.items():
            models[name].fit(*inputs, epochs=1, verbose=0, callbacks=[timers[name]], **kwargs)
    results = {"train_images": len(x_train), "batch": BATCH, "epochs": args.epochs, "workers": args.workers}
    for name, model in models.items():
        seconds = timers[name].seconds[1:]  # the first epoch traces the model
        results[name] = {"seconds_per_epoch": round(statistics.median(seconds), 2),
                         "epoch_seconds": [round(s, 2) for s in timers[name].seconds],
                         "test_accuracy": round(float(model.evaluate(x_test / 255.0, y_test.reshape(-1), verbose=0)[1]), 4)}
    results["overhead"] = round(results["fast"]["seconds_per_epoch"] / results["no_augmentation"]["seconds_per_epoch"] - 1, 4)
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--mode", choices=("throughput", "training"), default="throughput")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="image sides (throughput)")
    parser.add_argument("--pipelines", nargs="+", choices=sorted(PIPELINES), default=list(PIPELINES))
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds per pipeline (median reported)")
    parser.add_argument("--seconds", type=float, default=1.5, help="seconds per pipeline per round")
    parser.add_argument("--data-dir", type=Path, default=default_data_dir(), help="the shared data folder (training)")
    parser.add_argument("--train-images", type=int, default=50_000, help="CIFAR-10 training images (training)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per variant, interleaved; the first is not timed (training)")
    parser.add_argument("--workers", type=int, default=2, help="AugmentedBatches workers (training)")
    args = parser.parse_args(argv)
    results = throughput(args) if args.mode == "throughput" else training(args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "rounds"}, indent=2))
    return results


if __name__ == "__main__":
    main()
