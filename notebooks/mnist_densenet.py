# %% [markdown]
# # DenseNet121 on MNIST: which blocks to freeze
#
# **Experiment:** `python -m keras_vision.run mnist_densenet` (this notebook makes the same
# library calls, one step at a time).<br>
# **Description:** a network built for 224x224 colour photographs adapted to 28x28 grey digits
# (new first and last layers), trained three ways: every layer learning, dense block 1 frozen,
# dense blocks 1 and 2 frozen; accuracy, trainable parameters and seconds per epoch side by side,
# and the batch-norm pitfall of training such a network briefly from scratch.
#
# **How to run it.** MNIST is read from `DATA_DIR` when it is there; offline without it, a tiny
# stand-in in MNIST's own file format is written (scikit-learn's real 8x8 digits scaled to 28x28:
# see `keras_vision.data.tiny`). DenseNet121 is large for a CPU, so `FULL = False` trains each
# variant one epoch on 320 digits (far less than the experiment's `--quick`: a few minutes in
# all, most of it building each model's training graph; the accuracies then say little) and
# without ImageNet weights (they cannot be downloaded offline). `FULL = True` uses the
# experiment's full settings with ImageNet weights: a network, or
# `densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5` in `~/.keras/models/`.

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
OUT = Path("runs")  # figures and models go to OUT/mnist_densenet/


# %%
from keras_vision.data.tiny import lesson_data_dir
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("mnist_densenet")
lesson = {} if FULL else {"train_limit": 320, "test_limit": 160, "epochs": 1, "batch_size": 32, "weights": "none"}
config = experiment.make_config(
    quick=False, out=OUT, data_dir=lesson_data_dir("mnist", DATA_DIR, download=FULL), verbose="epoch", **lesson
)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick", "resume")})

# %% [markdown]
# ## The data
#
# DenseNet121 takes sparse labels (class ids) here, and the grey digits keep their one channel:
# the model itself turns them into what DenseNet expects. `whole_batches` trims each split to a
# multiple of the batch size (batch normalization dislikes a last batch of one).

# %%
from keras_vision.data import load_mnist
from keras_vision.data.split import holdout_split, take
from keras_vision.training import whole_batches

(x_train, y_train), (x_test, y_test) = load_mnist(config.data_dir)
x_train, y_train = take(x_train[..., None], y_train, config.train_limit)
x_test, y_test = take(x_test[..., None], y_test, config.test_limit)
train, validation = (
    whole_batches(*split, config.batch_size) for split in holdout_split(x_train, y_train, config.validation_split)
)
print(f"train {train[0].shape}, validation {validation[0].shape}, test {x_test.shape}")

# %% [markdown]
# ## The first and the last layers changed
#
# `build_classifier("densenet121", 10, (28, 28, 1))` puts an input adapter in front of the
# network (grey to three channels, resize to `base_size`, 32x32 being the smallest DenseNet121
# accepts, and DenseNet's own `preprocess_input`) and a new head behind it (global average
# pooling, Dense(10, softmax)). The layers keep the names of `keras.applications`, so the blocks
# can be found by name: dense block 1 is Keras' `conv2_*` layers, block 2 `conv3_*`.

# %%
from keras_vision.transfer import build_classifier, freeze_blocks

model = build_classifier("densenet121", 10, (28, 28, 1), weights=config.weights, base_size=config.base_size)
print(f"{model.count_params():,} parameters; inputs {model.input_shape}, outputs {model.output_shape}")
print([layer.name for layer in model.layers])
frozen = freeze_blocks(model, ("denseblock1",))
print(f"freezing denseblock1 freezes {len(frozen)} layers, e.g. {frozen[:3]}")

# %% [markdown]
# ## The batch-norm pitfall
#
# Trained from scratch for a few hundred steps with Keras' default BatchNormalization momentum
# (0.99), the moving averages used at inference still remember their initial values: the network
# learns the training set and scores near chance in inference mode. `prepare_batchnorm` lowers
# the momentum to 0.9 when there are no pretrained weights, and says so.

# %% [markdown]
# ## Three variants, trained alike
#
# Each variant is a `Candidate` of the course's classifier trainer: built and compiled (Adam,
# cosine learning-rate decay, sparse categorical cross-entropy), trained by
# `keras_vision.training.fit`, tested, and drawn on one figure of curves.

# %%
import keras

from keras_vision.data import DATASETS
from keras_vision.experiments.classifiers import Candidate, compare_classifiers
from keras_vision.experiments.mnist_densenet import VARIANTS
from keras_vision.training import cosine_decay
from keras_vision.transfer import prepare_batchnorm

notes = []


def builder(frozen_blocks):
    def build(total_steps):
        model = build_classifier("densenet121", 10, (28, 28, 1), weights=config.weights, base_size=config.base_size)
        note = prepare_batchnorm(model, config.weights)
        notes.extend([note] if note not in notes else [])
        if frozen_blocks:
            freeze_blocks(model, frozen_blocks)
        model.compile(
            optimizer=keras.optimizers.Adam(cosine_decay(config.learning_rate, total_steps=total_steps)),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    return build


candidates = {
    variant: Candidate(builder(blocks), config.epochs, extra={"frozen_blocks": list(blocks)})
    for variant, blocks in VARIANTS.items()
}
result = compare_classifiers(
    config,
    candidates,
    train,
    validation,
    (x_test, y_test),
    class_names=DATASETS.get("mnist").class_names,
    title=f"DenseNet121 on MNIST ({config.base_size}x{config.base_size}), weights={config.weights}",
)
print("\n\n".join(notes))

# %% [markdown]
# ## Results
#
# Freezing blocks cuts the trainable parameters and the time of the backward pass. With
# ImageNet weights the frozen blocks hold useful edge and texture detectors; without them (the
# offline settings) they hold random filters, and the comparison shows only what training fewer
# parameters costs or saves. `seconds_per_epoch` includes building the training graph once.

# %%
from IPython.display import Markdown

from keras_vision.experiments.tables import format_markdown, result_rows

display(Markdown(format_markdown(result_rows(result["models"], experiment.headline), experiment.headline)))
for figure in result["figures"]:
    display(Image(filename=figure))
