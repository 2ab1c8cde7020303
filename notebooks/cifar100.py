# %% [markdown]
# # CIFAR-100: transfer learning, feature extraction then fine-tuning
#
# **Experiment:** `python -m keras_vision.run cifar100` (this notebook makes the same library
# calls, one step at a time).<br>
# **Description:** an ImageNet network adapted to 32x32 images of 100 classes, in the two classic
# phases: a new head trained on the frozen base's features (computed once and cached), then the
# top blocks of the base unfrozen and trained with a ten times lower learning rate; top-1 and
# top-5 accuracy of both.
#
# **How to run it.** There is no offline copy of CIFAR-100 here: offline, the notebook writes a
# tiny stand-in in the official archive format (`cifar-100-python.tar.gz`: 32x32 crops of seven
# photographs embedded in scikit-image, one class per photograph; see `keras_vision.data.tiny`),
# so the numbers only show that the code runs and learns. The base is MobileNet (alpha 0.25) with
# the ImageNet weights file of `DATA_DIR/weights` when it is there, else with random weights
# (`--weights none`). `FULL = True` uses the experiment's settings: MobileNetV2 at 96 pixels with
# ImageNet weights on the real CIFAR-100, both downloaded through Keras (a network, about 170 MB).

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
OUT = Path("runs")  # figures and models go to OUT/cifar100/

MOBILENET_WEIGHTS = DATA_DIR / "weights" / "mobilenet_2_5_224_tf_no_top.h5"  # if there

# %%
from keras_vision.data.tiny import lesson_data_dir
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("cifar100")
weights = str(MOBILENET_WEIGHTS) if MOBILENET_WEIGHTS.is_file() else "none"
lesson = {} if FULL else {"arch": "mobilenet:alpha=0.25", "weights": weights, "batch_size": 32}
config = experiment.make_config(
    quick=not FULL, out=OUT, data_dir=lesson_data_dir("cifar100", DATA_DIR, download=FULL), verbose="epoch", **lesson
)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick", "resume")})

# %% [markdown]
# ## The data
#
# `load_cifar100("fine")` reads the official archive member by member, without unpacking it;
# labels stay sparse (class ids, for `sparse_categorical_crossentropy`).

# %%
import numpy as np

from keras_vision.data import DATASETS, load_cifar100, sparse_labels
from keras_vision.data.split import holdout_split, take
from keras_vision.training import whole_batches

(x_train, y_train), (x_test, y_test) = load_cifar100("fine", config.data_dir)
x_train, y_train = take(x_train, sparse_labels(y_train), config.train_limit)
x_test, y_test = take(x_test, sparse_labels(y_test), config.test_limit)
train, validation = (
    whole_batches(*split, config.batch_size) for split in holdout_split(x_train, y_train, config.validation_split)
)
names = list(DATASETS.get("cifar100").class_names)
print(f"train {train[0].shape}, validation {validation[0].shape}, test {x_test.shape}")
print(f"{len(np.unique(y_train))} classes present, e.g. {[names[i] for i in np.unique(y_train)[:5]]}")

# %% [markdown]
# ## The classifier
#
# `build_classifier` puts the ImageNet base behind an input adapter that upsamples the 32x32
# images to `image_size` and applies the architecture's own `preprocess_input` (so the model takes
# raw 0-255 pixels), and gives it a new 100-way head with dropout. `prepare_batchnorm` keeps the
# batch-norm layers of a pretrained base in inference mode (and fixes the momentum of a random
# one).

# %%
from keras_vision.transfer import build_classifier, parse_arch_spec, prepare_batchnorm

arch, arch_kwargs = parse_arch_spec(config.arch)
classifier = build_classifier(
    arch, 100, (32, 32, 3), weights=config.weights, base_size=config.image_size, dropout=config.dropout, **arch_kwargs
)
print(prepare_batchnorm(classifier, config.weights))
print(f"{arch} {arch_kwargs}: {classifier.count_params():,} parameters")

# %% [markdown]
# ## Phase 1: a head on cached features
#
# The frozen base is the expensive part and does not change: run it once over every image
# (`extract_features`, stored by `FeatureCache` under a key of the weights and the images) and
# train the small head on the stored features, `head_epochs_per_epoch` times `epochs` epochs in
# seconds. `copy_head` then puts the trained head into the classifier.

# %%
from keras_vision.evaluation import classification_report
from keras_vision.transfer import FeatureCache, copy_head, extract_features, train_head_on_features

cache = FeatureCache(config.run_dir / "features")
features = {
    split: extract_features(classifier, x, batch_size=config.batch_size, cache=cache)
    for split, (x, _) in (("train", train), ("validation", validation), ("test", (x_test, y_test)))
}
print({split: f.shape for split, f in features.items()})
head, head_history = train_head_on_features(
    features["train"],
    train[1],
    num_classes=100,
    validation_data=(features["validation"], validation[1]),
    epochs=config.head_epochs_per_epoch * config.epochs,
    batch_size=128,
    learning_rate=config.learning_rate,
    dropout=config.dropout,
    verbose=config.verbose,
    run_dir=config.variant_dir("feature_extraction"),
)
copy_head(head, classifier)
report = classification_report(y_test, head.predict(features["test"], batch_size=256, verbose=0))
print(f"feature extraction: top-1 {report['accuracy']:.2%}, top-5 {report['top5_accuracy']:.2%}")

# %% [markdown]
# ## Phase 2: fine-tuning the top blocks
#
# `fine_tune` unfreezes the top `fine_tune_blocks` blocks of the base (their batch-norm layers stay
# in inference mode, so the statistics learned on ImageNet are not overwritten by small batches)
# and recompiles with a lower learning rate; the whole classifier then trains through the course's
# classifier trainer.

# %%
from keras_vision.experiments.classifiers import Candidate, train_candidate
from keras_vision.transfer import fine_tune


def build(total_steps):
    setup = fine_tune(
        classifier,
        n_blocks=config.fine_tune_blocks,
        learning_rate=config.fine_tune_learning_rate,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    print(f"fine-tuning {', '.join(setup.unfrozen_blocks)}, learning rate {setup.learning_rate}")
    return classifier


trained = train_candidate(
    config, "fine_tuning", Candidate(build, config.epochs), train, validation, (x_test, y_test), class_names=names
)
print(f"fine-tuning: top-1 {trained.record['test_accuracy']:.2%}, top-5 {trained.record['top5_accuracy']:.2%}")

# %% [markdown]
# ## Curves and mistakes

# %%
from keras_vision.evaluation import plot_history, plot_misclassified

curves = plot_history(
    {"feature_extraction": head_history, "fine_tuning": trained.history},
    config.run_dir / "curves.png",
    title=f"CIFAR-100, {config.arch} at {config.image_size}px: head on features, then fine-tuning",
)
display(Image(filename=str(curves)))
mistakes = plot_misclassified(x_test, y_test, trained.probs, names, config.run_dir / "misclassified.png")
display(Image(filename=str(mistakes)))
