# %% [markdown]
# # Augmentation: what it does to an image, and how fast each pipeline does it
#
# **Experiment:** `python -m keras_vision.run augmentation` (this notebook makes the same library
# calls, one step at a time).<br>
# **Description:** one `AugmentConfig` (rotation, shift, zoom, flip, as `ImageDataGenerator`
# defines them) drawn on a CIFAR-10 image, then the same augmentation timed in
# `ImageDataGenerator`, Keras preprocessing layers, albumentations (when installed) and
# `keras_vision.augment.FastAugmenter`.
#
# **How to run it.** CIFAR-10 is read from `DATA_DIR` when it is there (the official archive or
# class folders of JPEGs); offline without it, a tiny stand-in in the official format is written
# (32x32 crops of photographs embedded in scikit-image: see `keras_vision.data.tiny`). With a
# network and `FULL = True`, CIFAR-10 is downloaded. `FULL = False` uses the experiment's
# `--quick` settings (256 images, one half-second timing round per pipeline and size).

# %% install the course (notebooks/build.py writes this cell)

# %% [markdown]
# ## Settings

# %%
import os
from pathlib import Path

from IPython.display import Image, display

from keras_vision.quiet import import_tensorflow_quietly

import_tensorflow_quietly()  # TensorFlow without its native start-up messages

FULL = False  # True: the experiment's full settings (needs the full data or a network)
# Real datasets, if you have them: the course keeps them in ../shared/data beside its checkout,
# which is ../../shared/data seen from this folder. A folder that does not exist means "none".
DATA_DIR = Path(os.environ.get("KERAS_VISION_SHARED", "../../shared/data"))
OUT = Path("runs")  # figures and models go to OUT/augmentation/


# %%
from keras_vision.data.tiny import lesson_data_dir
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("augmentation")
config = experiment.make_config(quick=not FULL, out=OUT, data_dir=lesson_data_dir("cifar10", DATA_DIR, download=FULL))
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick")})

# %% [markdown]
# ## The images
#
# The experiment times the pipelines on the first test images.

# %%
from keras_vision.data import load_cifar10
from keras_vision.data.split import take

_, (images, labels) = load_cifar10(config.data_dir)
images, labels = take(images, labels, config.test_limit)
print(f"{images.shape} {images.dtype}")

# %% [markdown]
# ## One augmentation, sixteen draws
#
# Every draw picks a rotation in [-15, 15] degrees, a shift of up to 10 % of the side, a zoom in
# [0.9, 1.1] and a coin for the mirror; `fill_mode="nearest"` repeats the edge pixels into the
# corners the rotation uncovers. The label stays: a shifted cat is still a cat.

# %%
from keras_vision.augment import AugmentConfig, augmentation_figure, gaussian_noise

augment = AugmentConfig(
    rotation_range=config.rotation,
    width_shift_range=config.shift,
    height_shift_range=config.shift,
    zoom_range=config.zoom,
    horizontal_flip=config.horizontal_flip,
    fill_mode=config.fill_mode,
    preprocessing_function=gaussian_noise(config.noise, seed=config.seed) if config.noise else None,
)
path = augmentation_figure(images[0], augment, config.run_dir / "augmentation.png", 16, seed=config.seed)
display(Image(filename=str(path)))

# %% [markdown]
# ## How fast
#
# The same `AugmentConfig` in four pipelines: `ImageDataGenerator` transforms one image at a time
# with SciPy; Keras' preprocessing layers run in `tf.data`; albumentations warps with OpenCV;
# `FastAugmenter` composes each image's rotation, shift, zoom and flip into one affine matrix and
# warps the batch with OpenCV on several threads. Images per second, median of the rounds, at
# each size of `sizes` (larger images make the per-image work dominate).

# %%
import importlib.util

import numpy as np
from IPython.display import Markdown

from keras_vision.augment.report import DEFAULT_PIPELINES
from keras_vision.augment.throughput import measure_throughput
from keras_vision.data import resize_images
from keras_vision.experiments.augmentation import parse_sizes
from keras_vision.experiments.tables import format_markdown, result_rows

# albumentations is timed when it is installed (pip install albumentations)
pipelines = DEFAULT_PIPELINES + (("albumentations",) if importlib.util.find_spec("albumentations") else ())
sizes = {}
for side in parse_sizes(config.sizes):
    batch = images if side == images.shape[1] else resize_images(images, (side, side), interpolation="bicubic")
    batch = np.resize(batch, (max(len(batch), 2 * config.batch_size), *batch.shape[1:]))
    rates = measure_throughput(
        batch, augment, pipelines=pipelines, batch_size=config.batch_size, rounds=config.rounds, seconds=config.seconds
    )["rates"]
    sizes[f"{side}px"] = {**rates, **{f"fast_vs_{n}": rates["fast"] / r for n, r in rates.items() if n != "fast"}}
display(Markdown(format_markdown(result_rows(sizes, experiment.headline), experiment.headline)))

# %% [markdown]
# ## Next
#
# Augmentation is a training-time tool: the `cifar10` experiment trains a CNN with random crops
# and flips, and the `folder` experiment with Keras layers inside the model.
