"""Benchmark of CPU augmentation pipelines, and of the cost of augmentation while training.

    python benchmarks/augmentation.py --json runs/augmentation.json                 # throughput
    python benchmarks/augmentation.py --mode training --json runs/aug_training.json  # CIFAR-10 CNN

Throughput (images per second, one augmented float32 batch of 128 at a time, 32x32 and 128x128
uint8 RGB inputs), every pipeline with the same augmentation (rotation 15 degrees, shifts 0.1,
zoom 0.1, horizontal flip, fill "nearest"):

- `imagedatagenerator`: `tf.keras.preprocessing.image.ImageDataGenerator.flow`.
- `keras_layers`: Keras preprocessing layers (RandomRotation, RandomTranslation, RandomZoom,
  RandomFlip; `keras_vision.augment.keras_layers_like`) mapped over a batched `tf.data` pipeline
  with `num_parallel_calls=AUTOTUNE`.
- `albumentations`: `A.Compose([A.Affine(...), A.HorizontalFlip()])` (`albumentations_like`)
  image by image, as in a data loader (single thread); `albumentations_2threads`: the same on a
  pool of two threads.
- `fast`: `keras_vision.augment.FastAugmenter` (two threads); `fast_1thread`: one thread.

Timing is `keras_vision.augment.measure_throughput`: rounds, each pipeline once per round, the
median of the rounds reported, so that a change in the load of this shared machine hits every
pipeline alike. The JSON is `{"32": {pipeline: images_per_second, ...}, "128": {...}, "speedups": {...}}`.

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
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BATCH = 128
PIPELINE_NAMES = [
    "imagedatagenerator",
    "keras_layers",
    "albumentations",
    "albumentations_2threads",
    "fast",
    "fast_1thread",
]
SIZES = (32, 128)
#: The augmentation every pipeline applies.
ROTATION, SHIFT, ZOOM = 15.0, 0.1, 0.1


def default_data_dir() -> Path:
    return Path(os.environ.get("KERAS_VISION_SHARED", REPO.parent / "shared" / "data"))


def augment_config(**extra):
    from keras_vision.augment import AugmentConfig

    return AugmentConfig(
        rotation_range=ROTATION,
        width_shift_range=SHIFT,
        height_shift_range=SHIFT,
        zoom_range=ZOOM,
        horizontal_flip=True,
        fill_mode="nearest",
        **extra,
    )


def throughput(args) -> dict:
    from keras_vision.augment import measure_throughput

    results, rounds = {}, {}
    rng = np.random.default_rng(0)
    for size in args.sizes:
        images = rng.integers(0, 256, size=(4 * BATCH, size, size, 3), dtype=np.uint8)
        measured = measure_throughput(
            images,
            augment_config(),
            pipelines=args.pipelines,
            batch_size=BATCH,
            rounds=args.rounds,
            seconds=args.seconds,
        )
        results[str(size)], rounds[str(size)] = measured["rates"], measured["rounds"]
        print(f"{size}x{size}: {json.dumps(results[str(size)])}", flush=True)
    results["speedups"] = {
        size: {
            f"fast_over_{name}": round(row["fast"] / row[name], 2) for name in row if name != "fast" and "fast" in row
        }
        for size, row in results.items()
    }
    results["rounds"] = rounds
    results["setup"] = {
        "batch": BATCH,
        "rotation": ROTATION,
        "shift": SHIFT,
        "zoom": ZOOM,
        "horizontal_flip": True,
        "rounds": args.rounds,
        "seconds_per_round": args.seconds,
        "cpus": os.cpu_count(),
    }
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
        results[name] = {
            "seconds_per_epoch": round(statistics.median(seconds), 2),
            "epoch_seconds": [round(s, 2) for s in timers[name].seconds],
            "test_accuracy": round(float(model.evaluate(x_test / 255.0, y_test.reshape(-1), verbose=0)[1]), 4),
        }
    results["overhead"] = round(
        results["fast"]["seconds_per_epoch"] / results["no_augmentation"]["seconds_per_epoch"] - 1, 4
    )
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--mode", choices=("throughput", "training"), default="throughput")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="image sides (throughput)")
    parser.add_argument("--pipelines", nargs="+", default=PIPELINE_NAMES, help=f"any of {', '.join(PIPELINE_NAMES)}")
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds per pipeline (median reported)")
    parser.add_argument("--seconds", type=float, default=1.5, help="seconds per pipeline per round")
    parser.add_argument("--data-dir", type=Path, default=default_data_dir(), help="the shared data folder (training)")
    parser.add_argument("--train-images", type=int, default=50_000, help="CIFAR-10 training images (training)")
    parser.add_argument(
        "--epochs", type=int, default=3, help="epochs per variant, interleaved; the first is not timed (training)"
    )
    parser.add_argument("--workers", type=int, default=2, help="AugmentedBatches workers (training)")
    args = parser.parse_args(argv)
    results = throughput(args) if args.mode == "throughput" else training(args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "rounds"}, indent=2))
    return results


if __name__ == "__main__":
    main()
