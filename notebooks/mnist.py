# %% [markdown]
# # MNIST: the classic small CNN, and what its first two layers do to a digit
#
# **Experiment:** `python -m keras_vision.run mnist` (this notebook makes the same library calls,
# one step at a time).<br>
# **Description:** a 3x3 filter and 2x2 max pooling by hand, then the classic CNN
# (Conv2D 64, MaxPool, Conv2D 64, MaxPool, Dense 128, Dense 10) trained on handwritten digits,
# with its curves, confusion matrix and mistakes.
#
# **How to run it.** As it is, the notebook uses the `--quick` settings of the experiment (one
# epoch on 6,000 digits, about a minute on a laptop) and reads MNIST from `DATA_DIR` when it is
# there; offline without it, it trains on a tiny stand-in written in MNIST's own file format
# (scikit-learn's 1,797 real 8x8 digits, scaled to 28x28: see `keras_vision.data.tiny`). Set
# `FULL = True` for the full settings (3 epochs on all 60,000 digits); with a network, MNIST is
# downloaded when it is not on disk.

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
OUT = Path("runs")  # figures and models go to OUT/mnist/

# %%
from keras_vision.data.tiny import lesson_data_dir
from keras_vision.experiments import EXPERIMENTS

config = EXPERIMENTS.get("mnist").make_config(
    quick=not FULL,
    data_dir=lesson_data_dir("mnist", DATA_DIR, download=FULL),
    out=OUT,
    verbose="epoch",
)
print({k: v for k, v in config.to_dict().items() if k in ("epochs", "train_limit", "test_limit", "batch_size")})

# %% [markdown]
# ## The data
#
# `load_mnist` returns the arrays `keras.datasets.mnist.load_data()` returns: uint8 images of
# shape (N, 28, 28), white digits on black, and integer labels.

# %%
from keras_vision.data import add_channel_axis, load_mnist, one_hot, scale_pixels
from keras_vision.data.split import holdout_split, take

(x_train, y_train), (x_test, y_test) = load_mnist(config.data_dir)
x_train, y_train = take(x_train, y_train, config.train_limit)
x_test, y_test = take(x_test, y_test, config.test_limit)
print(f"train {x_train.shape} {x_train.dtype}, test {x_test.shape}, labels {sorted(set(y_train.tolist()))}")

# %% [markdown]
# ## A filter and a pooling, by hand
#
# A convolution slides a 3x3 kernel over the image and sums the products: with the
# vertical-edge kernel (1, 0, -1 in each row) the response is large where the brightness
# changes from left to right. Without padding, a 28x28 digit gives a 26x26 map. Max pooling
# keeps the largest value of each 2x2 window: 26x26 becomes 13x13, and the edges survive. The
# network stacks these two operations twice, with 64 kernels it learns itself.

# %%
from keras_vision.convolution import VERTICAL_EDGE_KERNEL, convolve2d, max_pool2d
from keras_vision.evaluation import plot_image_grid

digit = x_train[0] / 255.0
edges = convolve2d(digit, VERTICAL_EDGE_KERNEL)
pooled = max_pool2d(edges, 2)
print(VERTICAL_EDGE_KERNEL)
path = plot_image_grid(
    [digit, edges, pooled],
    config.run_dir / "filter_and_pool.png",
    titles=[f"digit {digit.shape}", f"vertical edges {edges.shape}", f"2x2 max pooling {pooled.shape}"],
    cols=3,
    cmap="gray",
)
display(Image(filename=str(path)))

# %% [markdown]
# ## Preprocessing
#
# The network wants floats in [0, 1], a channel axis (28x28x1) and, for categorical
# cross-entropy, one-hot labels. The last 10 % of the training digits are held out for
# validation.

# %%
x_train, x_test = add_channel_axis(scale_pixels(x_train)), add_channel_axis(scale_pixels(x_test))
train, validation = holdout_split(x_train, one_hot(y_train, 10), config.validation_split)
print(f"train {train[0].shape}, validation {validation[0].shape}, labels {train[1].shape}")

# %% [markdown]
# ## The model
#
# `build_classic_cnn` is the network of the course, built with Keras' functional API and layer
# names in the style of `keras.applications`. Its first convolution has 64 x (3 x 3 x 1 + 1) = 640
# parameters; the Dense layer after Flatten (5 x 5 x 64 = 1,600 inputs) holds most of them.

# %%
from keras_vision.models import build_classic_cnn, format_layer_table, layer_table

print(format_layer_table(layer_table(build_classic_cnn((28, 28, 1), 10))))

# %% [markdown]
# ## Training
#
# The experiment trains through the course's one classifier trainer: each `Candidate` says how to
# build and compile the model (Adam with a cosine learning-rate decay over all steps), and
# `compare_classifiers` trains it with `keras_vision.training.fit` (checkpoints, history, a stop on
# a NaN loss), tests it, and draws the curves, the confusion matrix and the mistakes.

# %%
import keras

from keras_vision.data import DATASETS
from keras_vision.experiments.classifiers import Candidate, compare_classifiers
from keras_vision.training import cosine_decay


def build(total_steps):
    model = build_classic_cnn((28, 28, 1), 10)
    optimizer = keras.optimizers.Adam(cosine_decay(config.learning_rate, total_steps=total_steps))
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


result = compare_classifiers(
    config,
    {"classic_cnn": Candidate(build, config.epochs)},
    train,
    validation,
    (x_test, y_test),
    class_names=DATASETS.get("mnist").class_names,
    title="MNIST: classic CNN",
)
record = result["models"]["classic_cnn"]
print(f"test accuracy {record['test_accuracy']:.4f}, {record['params']:,} parameters")

# %% [markdown]
# ## What it learned, and where it fails
#
# The curves, the confusion matrix (rows: true digit) and the misclassified test digits, with the
# Grad-CAM map of the class the network chose: where in the image the evidence for its wrong
# answer came from.

# %%
for figure in result["figures"]:
    print(Path(figure).name)
    display(Image(filename=figure))

# %% [markdown]
# ## Next
#
# With the full settings the same network reaches about 99 % test accuracy in three epochs
# (`python -m keras_vision.run mnist`). The `mnist_densenet` lesson puts a network two hundred
# times larger on the same digits.
