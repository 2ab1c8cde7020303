"""`augmentation`: what the augmentation does to an image, and how fast each pipeline does it.

The CIFAR-10 test images (the first `--test-limit`) go through one `AugmentConfig` (rotation,
shift, zoom, flip) in four pipelines: `ImageDataGenerator` (as the course teaches it), Keras
preprocessing layers in `tf.data`, albumentations (when installed: `pip install albumentations`)
and `keras_vision.augment.FastAugmenter`, timed side by side at each size of `--sizes`
(`keras_vision.augment.augmentation_report`). The figure `augmentation.png` shows one image under
16 random augmentations.
"""

from __future__ import annotations

from keras_vision.augment import AugmentConfig, augmentation_report, gaussian_noise
from keras_vision.data import load_cifar10, locate, resize_images
from keras_vision.data.split import take
from keras_vision.errors import UsageError
from keras_vision.experiments.catalog import AugmentationConfig


def run(config: AugmentationConfig) -> dict:
    _, (images, labels) = load_cifar10(config.data_dir)
    images, _ = take(images, labels, config.test_limit)
    augment = AugmentConfig(
        rotation_range=config.rotation,
        width_shift_range=config.shift,
        height_shift_range=config.shift,
        zoom_range=config.zoom,
        horizontal_flip=config.horizontal_flip,
        fill_mode=config.fill_mode,
        preprocessing_function=gaussian_noise(config.noise, seed=config.seed) if config.noise else None,
    )
    sizes, figures = {}, []
    for side in parse_sizes(config.sizes):
        batch = images if side == images.shape[1] else resize_images(images, (side, side), interpolation="bicubic")
        report = augmentation_report(
            batch,
            augment,
            config.run_dir / f"{side}px" / "augmentation.png",
            batch_size=config.batch_size,
            rounds=config.rounds,
            seconds=config.seconds,
            seed=config.seed,
        )
        rates = report["images_per_second"]
        sizes[str(side)] = {**rates, **{f"fast_vs_{name}": value for name, value in report["fast_speedup"].items()}}
        figures.append(report["figure"])
    return {
        "sizes": sizes,
        "augmentation": {k: v for k, v in vars(augment).items() if k != "preprocessing_function"},
        "data": {"source": locate("cifar10", config.data_dir), "images": len(images)},
        "figures": figures,
    }


def parse_sizes(text: str) -> list[int]:
    """`"32,128"` -> `[32, 128]` (each at least 8 pixels)."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 8:
        raise UsageError(
            f"--sizes takes image sides of at least 8 pixels, comma-separated, e.g. 32,128. Received: {text!r}."
        )
    return sizes
