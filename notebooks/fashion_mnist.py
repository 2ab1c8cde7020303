# %% [markdown]
# # Fashion-MNIST: a dense network against a convolutional one
#
# **Experiment:** `python -m keras_vision.run fashion_mnist` (this notebook makes the same library
# calls, one step at a time).<br>
# **Description:** the preprocessing every course teaches first (pixels / 255, a channel axis,
# one-hot labels for categorical cross-entropy), then the same clothes classified by a dense
# network 784-128-10 and by the classic CNN of the `mnist` lesson, trained alike and drawn on one
# figure, with the confusion matrix and the mistakes of the better one.
#
# **How to run it.** Fashion-MNIST is read from `DATA_DIR` when it is there; offline without it,
# a tiny stand-in is written in Fashion-MNIST's own files (scikit-learn's 1,797 real digits, since
# no clothes ship offline: class "T-shirt/top" then holds the zeros; see `keras_vision.data.tiny`),
# on which the numbers only show that the code runs and learns. `FULL = False` uses the
# experiment's `--quick` settings (2 epochs on 6,000 images); `FULL = True` its full settings (20
# epochs of the dense network and 12 of the CNN on all 60,000 images) and, with a network,
# downloads Fashion-MNIST when it is missing.

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
OUT = Path("runs")  # figures and models go to OUT/fashion_mnist/

# %%
from keras_vision.data.tiny import lesson_data_dir
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("fashion_mnist")
config = experiment.make_config(
    quick=not FULL, out=OUT, data_dir=lesson_data_dir("fashion_mnist", DATA_DIR, download=FULL), verbose="epoch"
)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick", "resume")})

# %% [markdown]
# ## The data as it comes
#
# `load_fashion_mnist` returns what `keras.datasets.fashion_mnist.load_data()` returns: uint8
# images of shape (N, 28, 28), light garments on black, and integer labels 0-9 naming ten kinds of
# clothes. The same shapes as MNIST, a harder task: a shirt, a T-shirt and a pullover differ in
# details a dense network must find pixel by pixel.

# %%
from keras_vision.data import DATASETS, load_fashion_mnist
from keras_vision.evaluation import plot_image_grid

class_names = DATASETS.get("fashion_mnist").class_names
(x_raw, y_raw), _ = load_fashion_mnist(config.data_dir)
print(f"train {x_raw.shape} {x_raw.dtype}, pixel range {x_raw.min()}-{x_raw.max()}, labels {y_raw[:10]}")
path = plot_image_grid(
    list(x_raw[:16]), config.run_dir / "samples.png", titles=[class_names[y] for y in y_raw[:16]], cols=8, cmap="gray"
)
display(Image(filename=str(path)))

# %% [markdown]
# ## Preprocessing, as the course teaches it
#
# `prepare_fashion_mnist` divides by 255 (floats in [0, 1]: the scale Keras' default initializers
# and learning rates expect), adds the channel axis a `Conv2D` wants (28x28 -> 28x28x1) and makes
# the labels one-hot (3 -> `[0, 0, 0, 1, 0, ...]`) for `categorical_crossentropy`.
# `prepared_splits` applies it to the limited training and test sets and holds out the last
# `validation_split` of the training images for the curves.

# %%
from keras_vision.experiments.scratch import COMPARISONS, prepare_fashion_mnist, prepared_splits

x_one, y_one = prepare_fashion_mnist(x_raw[:1], y_raw[:1])
print(f"one image: {x_raw[:1].shape} uint8 -> {x_one.shape} {x_one.dtype} in [{x_one.min()}, {x_one.max():.2f}]")
print(f"its label: {y_raw[0]} -> {y_one[0]}")

comparison = COMPARISONS["fashion_mnist"]
train, validation, test = prepared_splits(comparison, config)
print(f"train {train[0].shape}, validation {validation[0].shape}, test {test[0].shape}, labels {train[1].shape}")

# %% [markdown]
# ## Two networks
#
# The dense network flattens the image into 784 numbers: it has no idea that neighbouring pixels
# belong together, and a sleeve shifted by two pixels is a new input to it. The CNN slides 64
# small filters over the image (the same weights everywhere) and pools, so it learns edges and
# textures once and finds them anywhere. Each `Recipe` is a builder of `keras_vision.models` with
# its optimizer (Adam), peak learning rate and default epochs.

# %%
from keras_vision.experiments.scratch import variant_names
from keras_vision.models import format_layer_table, layer_table

names = variant_names(config.variants, comparison.recipes)
for name in names:
    recipe = comparison.recipes[name]
    model = recipe.build(train[0].shape[1:], 10)
    print(f"{name}: {recipe.description}, {model.count_params():,} parameters")
    print(format_layer_table(layer_table(model)))

# %% [markdown]
# ## Training, side by side
#
# `recipe_candidates` turns each recipe into a `Candidate` of the course's classifier trainer
# (Adam with a cosine learning rate over all its steps); `compare_classifiers` trains them in turn
# on the same split with the same seed, tests them and draws their curves on one figure, with the
# confusion matrix and the mistakes of the best.

# %%
from keras_vision.experiments.classifiers import compare_classifiers
from keras_vision.experiments.scratch import recipe_candidates

result = compare_classifiers(
    config,
    recipe_candidates(comparison, config, names, train[0]),
    train,
    validation,
    test,
    class_names=class_names,
    title=comparison.title,
)

# %% [markdown]
# ## Results
#
# With the full settings on the real Fashion-MNIST (this package's measurements): the dense
# network reaches 88.9 % test accuracy, the CNN 91.7 % (the benchmark of the dataset's authors:
# about 88 % for a multilayer perceptron, 91-92 % for a small CNN). The confusion matrix shows
# where the rest goes: shirts, T-shirts, pullovers and coats are confused with each other, while
# trousers, bags and footwear are nearly always right.

# %%
from IPython.display import Markdown

from keras_vision.experiments.tables import format_markdown, result_rows

display(Markdown(format_markdown(result_rows(result["models"], experiment.headline), experiment.headline)))
print(f"best: {result['best']}")
for figure in result["figures"]:
    print(Path(figure).name)
    display(Image(filename=figure))

# %% [markdown]
# ## Next
#
# The `cifar10` lesson makes the same comparison on colour photographs, where the gap between a
# fully connected network and a CNN grows from 3 points to 30.
