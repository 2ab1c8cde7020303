# %% [markdown]
# # CIFAR-10 from scratch: fully connected networks against a small CNN
#
# **Experiment:** `python -m keras_vision.run cifar10` (this notebook makes the same library
# calls, one step at a time).<br>
# **Description:** two fully connected networks (3072-100-20-10, and 3072-512-256-10 with
# dropout, both on standardized inputs) against a three-block CNN with batch normalization,
# random crop and flip, weight decay and SGD with a cosine learning rate, all trained from scratch
# on the same split and drawn on one figure.
#
# **How to run it.** CIFAR-10 is read from `DATA_DIR` when it is there (the official archive or
# class folders of JPEGs); offline without it, a tiny stand-in in the official format is written
# (32x32 crops of seven photographs embedded in scikit-image, one class per photograph: see
# `keras_vision.data.tiny`), on which the numbers only show that the code runs and learns.
# `FULL = False` uses the experiment's `--quick` settings (2 epochs on 5,000 images); `FULL = True`
# its full settings (30, 30 and 25 epochs on 50,000 images; about an hour on a laptop CPU) and,
# with a network, downloads CIFAR-10 when it is missing.

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
OUT = Path("runs")  # figures and models go to OUT/cifar10/


# %%
from keras_vision.data.tiny import lesson_data_dir
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("cifar10")
config = experiment.make_config(
    quick=not FULL, out=OUT, data_dir=lesson_data_dir("cifar10", DATA_DIR, download=FULL), verbose="epoch"
)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick", "resume")})

# %% [markdown]
# ## The data, prepared as the course teaches
#
# `prepared_splits` loads the limited training and test sets and prepares them as the course
# teaches (`prepare_cifar10`: pixels divided by 255, labels one-hot for categorical
# cross-entropy), holding out the last 10 % of the training images for validation.

# %%
from keras_vision.data import DATASETS
from keras_vision.experiments.scratch import COMPARISONS, prepared_splits

comparison = COMPARISONS["cifar10"]
train, validation, test = prepared_splits(comparison, config)
print(f"train {train[0].shape} {train[0].dtype}, validation {validation[0].shape}, labels {train[1].shape}")

# %% [markdown]
# ## Three recipes
#
# A `Recipe` is a builder of `keras_vision.models` with how it trains: optimizer, peak learning
# rate, epochs, augmentation, warm-up, precision. A fully connected network sees the 3,072 pixel
# values as an unordered list, so a shifted object is a new input to it; the CNN shares its small
# filters across the image, and random crops and flips teach it that position and mirror do not
# change the class.

# %%
from keras_vision.experiments.scratch import CIFAR10_RECIPES, variant_names

for name, recipe in CIFAR10_RECIPES.items():
    print(f"{name:>9}: {recipe.description}; {recipe.optimizer}, lr {recipe.learning_rate}, augment {recipe.augment}")

# %% [markdown]
# ## Training, side by side
#
# `recipe_candidates` makes each recipe a `Candidate` of the course's classifier trainer; `compare_classifiers`
# trains them in turn on the same split with the same seed, tests them and draws their curves
# on one figure, with the confusion matrix and the mistakes of the best.

# %%
from keras_vision.experiments.classifiers import compare_classifiers
from keras_vision.experiments.scratch import recipe_candidates

names = variant_names(config.variants, comparison.recipes)
result = compare_classifiers(
    config,
    recipe_candidates(comparison, config, names, train[0]),
    train,
    validation,
    test,
    class_names=DATASETS.get("cifar10").class_names,
    title="CIFAR-10",
)

# %% [markdown]
# ## Results
#
# With the full settings on the real CIFAR-10 (this package's measurements): the fully connected
# networks reach about 53-55 %, the CNN 85.0 % after 25 epochs.

# %%
from IPython.display import Markdown

from keras_vision.experiments.tables import format_markdown, result_rows

display(Markdown(format_markdown(result_rows(result["models"], experiment.headline), experiment.headline)))
for figure in result["figures"]:
    display(Image(filename=figure))
