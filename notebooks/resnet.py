# %% [markdown]
# # Why residual connections: plain networks degrade with depth, residual ones do not
#
# **Experiment:** `python -m keras_vision.run resnet` (this notebook makes the same library calls,
# one step at a time).<br>
# **Description:** He et al. (2016, section 4.2) trained plain stacks of 3x3 convolutions on
# CIFAR-10 and found the 56-layer one WORSE than the 20-layer one, and not from overfitting: its
# error on the training set itself is higher. The optimizer cannot even make the 36 extra layers
# do nothing. The same networks with identity shortcuts (`relu(x + F(x))`: a block only has to
# learn what to add) do not degrade. Here the four networks (plain and residual, two depths) train
# alike from the same seed, and one figure draws their training and test errors.
#
# Reference: He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition", CVPR 2016.
#
# **How to run it.** CIFAR-10 is read from `DATA_DIR` when it is there (the official archive or
# class folders of JPEGs); offline without it, a tiny stand-in in the official format is written
# (32x32 crops of seven photographs embedded in scikit-image, one class per photograph: see
# `keras_vision.data.tiny`), on which the numbers only show that the code runs and learns.
# `FULL = False` uses the experiment's `--quick` settings, read from its catalog entry (four
# networks on 1,000 images, about 7 minutes on a busy 2-core CPU); `FULL = True` its full settings
# (10,000 images, 30 epochs with the paper's augmentation: about 1 h 40 min on a 2-core CPU) and,
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
OUT = Path("runs")  # figures and models go to OUT/resnet/

# %%
from keras_vision.data.tiny import lesson_data_dir
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("resnet")
config = experiment.make_config(
    quick=not FULL, out=OUT, data_dir=lesson_data_dir("cifar10", DATA_DIR, download=FULL), verbose="epoch"
)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick", "resume")})

# %% [markdown]
# ## The data
#
# Labels stay sparse (class ids, for `sparse_categorical_crossentropy`). The pixels are
# standardized per channel with the training images' mean and standard deviation, as in the
# paper (`load_standardized`: `channel_statistics` of the training images, then `standardize` on
# both splits; the test images get the training statistics, never their own).

# %%
from keras_vision.experiments.resnet import load_standardized, parse_depths

depths = parse_depths(config.depths)
train, test = load_standardized(config)
print(f"train {train[0].shape}, test {test[0].shape}; channel means now {train[0].mean(axis=(0, 1, 2)).round(3)}")

# %% [markdown]
# ## Plain and residual twins
#
# `build_cifar_resnet(depth, residual=...)` builds the paper's CIFAR-10 network of 6n + 2 layers:
# a 3x3 convolution with 16 filters, three stages of n blocks of two 3x3 convolutions (16, 32 and
# 64 filters; the first block of stages 2 and 3 halves the size with stride 2), global average
# pooling and a 10-way softmax. `residual=False` gives the plain network; `residual=True` adds the
# shortcut around every block. Where the shape changes, the shortcut subsamples and pads the new
# channels with zeros (the paper's option A), so it has no weights: each ResNet has exactly the
# parameters of its plain twin, and any difference in training comes from the shortcuts alone
# (and from `zero_init_residual`, which only changes the residual blocks' initial values).

# %%
from keras_vision.models import CIFAR_RESNET_LAYOUTS, build_cifar_resnet, format_layer_table, layer_table

for depth in depths:
    plain, residual = (build_cifar_resnet(depth, residual=r, shortcut=config.shortcut) for r in (False, True))
    n, params = CIFAR_RESNET_LAYOUTS[depth], (plain.count_params(), residual.count_params())
    print(f"depth {depth} (n = {n}): plain {params[0]:,} parameters, residual {params[1]:,}")
# the first block of stage 3 in the deeper ResNet: stride 2, and the parameter-free shortcut's add
print(format_layer_table([row for row in layer_table(residual) if row["name"].startswith("conv3_block1")]))

# %% [markdown]
# ## Training the four networks alike
#
# `candidate(config, depth, residual=...)` is the experiment's recipe for one network, as a
# `Candidate` of the course's classifier trainer: SGD with momentum 0.9 and decoupled weight
# decay, one epoch of linear warm-up then a cosine learning rate, bfloat16 computations with
# float32 weights, and (unless `augment` is off) the paper's pad-4, random-crop and flip.
# `train_networks` trains the four with `train_candidate` from the same seed on the same images,
# tests them and turns accuracies into errors (`error_record`, `error_history`). The deeper plain
# network is the one to watch: its *training* error stays above the shallower one's.

# %%
from keras_vision.experiments.resnet import train_networks

records, histories = train_networks(config, depths, train, test)

# %% [markdown]
# ## Results
#
# The table has each network's final training error (the training batches of the last epoch, as
# in the paper's Figure 6), its test error and accuracy, parameters and seconds per epoch; the
# figure draws all four runs, training error solid and test error dashed. `degradation` is the
# deeper minus the shallower network's training error of each family: positive for the plain
# networks (the degradation problem), and in the paper's long runs negative for the ResNets.
#
# The quick settings are far shorter than the paper's 64,000 steps of 128 images, and early in
# training a deep ResNet lags a shallow one. `zero_init_residual` (on by default, Goyal et al.
# 2017) starts each residual block's last batch-norm scale at 0, so every block starts as the
# identity and ResNet-56 starts as a shallow network. Measured on the real CIFAR-10 with the quick
# preset (320 steps): final training error plain-20 55.3 %, plain-56 85.1 % (barely off chance),
# ResNet-20 54.6 %, ResNet-56 48.9 %. Without the zero initialization (`zero_init_residual=False`
# in `make_config`), ResNet-20 reaches 34.2 % and ResNet-56 65.7 %: at this budget the residual
# pair's order comes from the initialization as much as from depth.

# %%
from IPython.display import Markdown

from keras_vision.experiments.resnet import degradation, plot_errors
from keras_vision.experiments.tables import format_markdown, result_rows

display(Markdown(format_markdown(result_rows(records, experiment.headline), experiment.headline)))
for family, change in degradation(records, depths).items():
    print(f"degradation of {family}: {max(depths)} minus {min(depths)} layers = {change:+.2%} training error")
figure = plot_errors(histories, len(train[0]), config.run_dir / "error_curves.png")
display(Image(filename=str(figure)))
