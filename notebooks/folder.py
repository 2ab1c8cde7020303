# %% [markdown]
# # Your own photos: the small-set transfer recipe, and where it goes wrong
#
# **Experiment:** `python -m keras_vision.run folder --data-dir DIR` (this notebook makes the same
# library calls, one step at a time).<br>
# **Description:** a few hundred photos per class, one folder per class, are far too few to train
# a network from scratch; an ImageNet network has already learned the edges, textures and parts.
# The recipe of the Keras guide "Transfer learning & fine-tuning": (1) freeze the pretrained base
# and train only a new head, (2) unfreeze the base and train on with a ten to twenty times lower
# learning rate, the batch-normalization layers kept in inference mode. Each recipe runs with
# several augmentation strategies to compare, and the best model's mistakes are examined: the
# class pairs it confuses most, and the images it is most confidently wrong about.
#
# **How to run it.** The lesson needs a folder of class folders. With the course's data
# (`DATA_DIR` holding `cifar10-jpg.tar.gz`) it cuts the "small folder set": 9 CIFAR-10 classes
# with 126 training and 100 test JPEGs each, the size of the course's source project
# (`keras_vision.data.tiny.lesson_image_folder`; `benchmarks/folder_subset.py` writes the same
# folder). Offline without it, a tiny stand-in is written instead: 32x32 crops of seven
# photographs embedded in scikit-image, one class folder per photograph, on which the numbers only
# show that the code runs and learns. The base is MobileNet (alpha 0.25) with the ImageNet weights
# file of `DATA_DIR/weights` when it is there; without it, random weights (`--weights none`), and
# then there is nothing pretrained to freeze: every layer learns in one phase (`-scratch-`).
# `FULL = False` uses the experiment's `--quick` settings with that base; `FULL = True` its full
# settings (MobileNetV2 and MobileNet, ImageNet weights downloaded through Keras, four
# augmentation strategies). For your own photos, set `MY_PHOTOS` to their folder.

# %% install the course (notebooks/build.py writes this cell)

# %% [markdown]
# ## Settings

# %%
import os
from pathlib import Path

from IPython.display import Image, display

from keras_vision.quiet import import_tensorflow_quietly

import_tensorflow_quietly()  # TensorFlow without its native start-up messages

FULL = False  # True: the experiment's full settings (needs a network for the ImageNet weights)
# Real datasets, if you have them: the course keeps them in ../shared/data beside its checkout,
# which is ../../shared/data seen from this folder. A folder that does not exist means "none".
DATA_DIR = Path(os.environ.get("KERAS_VISION_SHARED", "../../shared/data"))
OUT = Path("runs")  # figures and models go to OUT/folder/
MY_PHOTOS = None  # your own class folders (DIR/<class>/*.jpg, or DIR/train/<class>/* and DIR/test/<class>/*)

MOBILENET_WEIGHTS = DATA_DIR / "weights" / "mobilenet_2_5_224_tf_no_top.h5"  # if there

# %%
from keras_vision.data.tiny import lesson_image_folder
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("folder")
weights = str(MOBILENET_WEIGHTS) if MOBILENET_WEIGHTS.is_file() else "none"
lesson = {} if FULL else {"arch": "mobilenet:alpha=0.25", "weights": weights}
photos = MY_PHOTOS or lesson_image_folder(DATA_DIR if DATA_DIR.is_dir() else None)
config = experiment.make_config(quick=not FULL, out=OUT, data_dir=photos, verbose="epoch", **lesson)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick", "resume")})

# %% [markdown]
# ## The recipes to compare
#
# `plan_recipes` checks the options before anything is loaded: which architectures (`arch`), with
# which weights, which augmentation strategies, and how many top blocks of the base learn in
# phase 2 (`fine_tune`: `all`, a number, or `none` for the head only). A typo fails here in a
# second, not after an hour of training.

# %%
from keras_vision.experiments.folder import plan_recipes

plan = plan_recipes(config)
print(f"architectures {plan.specs}, strategies {plan.strategies}, phase-2 blocks {plan.fine_tune}")

# %% [markdown]
# ## The photos
#
# `load_splits` reads the class folders (`load_image_folder`: every image resized to
# `image_size` when loaded; folders `train/` and `test/`, or 20 % of each class held out for
# testing), applies the limits and holds out the last `validation_split` of the training images
# for validation, in whole batches. Small sets are rarely balanced: `balanced_class_weights`
# makes a class with half the images count twice as much in the loss.

# %%
from keras_vision.evaluation import plot_image_grid
from keras_vision.experiments.folder import load_splits
from keras_vision.training import balanced_class_weights

data = load_splits(config)
names = data.class_names
class_weight = balanced_class_weights(data.train_all[1])
print(f"{len(names)} classes: {', '.join(names)}")
print(f"train {data.train[0].shape}, validation {data.validation[0].shape}, test {data.test[0].shape}")
print("class weights", {names[i]: round(w, 3) for i, w in class_weight.items()})
first = [int((data.train[1] == c).argmax()) for c in range(len(names))]
path = plot_image_grid(data.train[0][first], config.run_dir / "classes.png", titles=list(names))
display(Image(filename=str(path)))

# %% [markdown]
# ## Augmentation strategies
#
# With few images the network soon memorizes them; augmentation shows it a slightly different
# photo at every epoch. The strategies grow: `none`; `flip` (mirror images); `geometric` (flips,
# rotation, shift and zoom, shear); `full` (geometric plus brightness, contrast, saturation and
# hue jitter). They are Keras layers at the front of the model (`strategy_layers`), so they run
# only while training. One photo under each strategy of the plan, six draws:

# %%
import numpy as np

from keras_vision.augment.layers import strategy_layers

photo = np.repeat(data.train[0][:1], 6, axis=0)
rows, titles = [], []
for strategy in plan.strategies:
    augment = strategy_layers(strategy, plan.strengths, seed=config.seed)
    rows += list(np.clip(np.asarray(augment(photo.astype("float32"), training=True)), 0, 255).astype("uint8"))
    titles += [strategy] * len(photo)
path = plot_image_grid(rows, config.run_dir / "augmentations.png", titles=titles, cols=len(photo))
display(Image(filename=str(path)))

# %% [markdown]
# ## Phase 1, the head; phase 2, fine-tuning
#
# `recipe_candidates` makes, per architecture and strategy, the phases as `Candidate`s of the
# course's classifier trainer, trained in this order:
#
# 1. `{arch}-head-{strategy}`: `build_classifier` puts the pretrained base (its own
#    `preprocess_input` inside, so it takes raw pixels) under a new head with dropout; the base is
#    frozen and only the head learns, at `head_only_learning_rate`. A random head on top of good
#    features would otherwise send large gradients down and wreck them.
# 2. `{arch}-finetune-{strategy}`: from where phase 1 ended, the top blocks of the base learn too
#    (`unfreeze_for_fine_tuning`), at the much lower `fine_tune_learning_rate`, with their
#    batch-normalization layers kept in inference mode: a batch of 32 photos would otherwise
#    overwrite statistics learned on a million ImageNet images.
#
# Both phases: the class weights, Adam with a linear warm-up over the first `warmup_fraction` of
# the steps and then a cosine learning rate. `compare_classifiers` trains them all on the same
# split with the same seed, tests each, and draws the curves with the best model's confusion
# matrix and mistakes.

# %%
from keras_vision.experiments.classifiers import compare_classifiers
from keras_vision.experiments.folder import recipe_candidates

candidates = recipe_candidates(config, plan, names, data.train[0].shape[1:], class_weight)
print("phases, in training order:", ", ".join(candidates))
result = compare_classifiers(
    config,
    candidates,
    data.train,
    data.validation,
    data.test,
    class_names=names,
    title=f"{len(names)} classes from {config.data_dir}",
)

# %% [markdown]
# ## Results
#
# Validation and test accuracy of every phase. Measured on the small folder set with MobileNet
# 0.25 ImageNet weights (the README's "Expected results", 5 epochs per phase): validation / test
# accuracy 70.1 / 62.7 % with the head only, 73.7 / 69.2 % fine-tuned; with the `full`
# augmentation 68.3 / 61.7 % and 74.1 / 68.9 %. Fine-tuning is worth 4 to 7 points; in five
# epochs augmentation changes little (it pays in longer runs, where the unaugmented network has
# time to memorize its 900 photos).

# %%
from IPython.display import Markdown

from keras_vision.experiments.folder import add_error_analysis
from keras_vision.experiments.tables import format_markdown, result_rows

models = add_error_analysis(result, data.test[1], names)
display(Markdown(format_markdown(result_rows(models, experiment.headline), experiment.headline)))
print(f"best: {result['best']}")
for figure in result["figures"]:
    print(Path(figure).name)
    display(Image(filename=figure))

# %% [markdown]
# ## Where it goes wrong
#
# The largest off-diagonal cells of the best model's confusion matrix name the pairs of classes it
# mixes up (on CIFAR-10: cat and dog, deer and horse, airplane and ship), often a
# sign of what more photos should show. The images it is most *confidently* wrong about are worth
# a look of their own: a wrong label in the data, an ambiguous photo, or a shortcut the network
# learned (the background instead of the object).

# %%
from keras_vision.evaluation import plot_confident_mistakes

best = models[result["best"]]
for pair in best["most_confused"]:
    print(f"{pair['true']:>12} taken for {pair['predicted']:<12} {pair['count']:3d} times ({pair['share']:.0%})")
probs = result["trained"][result["best"]].probs
path = plot_confident_mistakes(*data.test, probs, names, config.run_dir / "confident_mistakes.png")
display(Image(filename=str(path)))
