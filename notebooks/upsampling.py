# %% [markdown]
# # Upsampling: why transposed convolutions leave checkerboards
#
# **Experiment:** `python -m keras_vision.run upsampling` (this notebook makes the same library
# calls, one step at a time).<br>
# **Description:** a transposed convolution computed by hand (insert zeros, pad, convolve), the
# checkerboard it makes of a constant image, and the resize + convolution that does not.
#
# **How to run it.** Nothing to download: the upsamplers are measured at initialisation on
# constant images and on a photograph embedded in scikit-image. `FULL = False` averages 3 random
# initialisations per score (the experiment's `--quick`), `FULL = True` 10.

# %% install the course (notebooks/build.py writes this cell)

# %% [markdown]
# ## Settings

# %%
from pathlib import Path

from IPython.display import Image, display

from keras_vision.quiet import import_tensorflow_quietly

import_tensorflow_quietly()  # TensorFlow without its native start-up messages

FULL = False  # True: the experiment's full settings (10 initialisations per score)
OUT = Path("runs")  # figures and models go to OUT/upsampling/


# %%
from keras_vision.experiments import EXPERIMENTS

config = EXPERIMENTS.get("upsampling").make_config(quick=not FULL, out=OUT)
print(config.to_dict())

# %% [markdown]
# ## A transposed convolution by hand
#
# `Conv2DTranspose` with stride 2 does three things: it inserts a zero between neighbouring
# pixels (`zero_insert`), pads the result, and runs an ordinary convolution with the kernel
# flipped. On an all-ones 4x4 image with an all-ones 3x3 kernel, count how many kernel taps land
# on each output pixel: the windows overlap unevenly, 1, 2 or 4 ones, in a pattern of period 2.

# %%
import numpy as np

from keras_vision.upsample import conv2d_transpose, zero_insert

ones = np.ones((4, 4), np.float32)
print("zeros inserted:\n", zero_insert(ones, 2).astype(int))
output = conv2d_transpose(ones[..., None], np.ones((3, 3, 1, 1), np.float32), stride=2, padding="same")
print("transposed convolution, stride 2, 3x3 kernel of ones:\n", output[..., 0].astype(int))

# %% [markdown]
# Keras computes the same numbers (the NumPy version exists to be read, the Keras layer to be
# trained):

# %%
import keras

layer = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same", use_bias=False, kernel_initializer="ones")
print(np.asarray(layer(ones[None, :, :, None]))[0, :, :, 0].astype(int))

# %% [markdown]
# ## The checkerboard score
#
# A constant image should upsample to a constant image. `checkerboard_score` builds each
# upsampler with random initial weights, feeds it ones, crops the border, and measures the share
# of the output's energy that lies in the stride's sub-pixel phase pattern: 0 means no
# checkerboard. Resize + convolution sees every input pixel the same number of times, so its
# interior output is constant by construction (Odena et al., Distill 2016).

# %%
from keras_vision.upsample import UPSAMPLERS, checkerboard_score

size = max(16, 2 * (config.kernel_size + 1) + 2)
scores = {
    kind: checkerboard_score(
        kind,
        size=size,
        factor=config.factor,
        kernel_size=config.kernel_size,
        filters=config.filters,
        interpolation=config.interpolation,
        trials=config.trials,
        seed=config.seed,
    )
    for kind in UPSAMPLERS.names()
}
for kind, score in scores.items():
    print(f"{kind:>9}: checkerboard score {score:.4f}")

# %% [markdown]
# ## What the two upsamplers make of a constant image and of a photograph
#
# Row 1: the transposed convolution, row 2: nearest-neighbour resize then a 3x3 convolution; each
# output is stretched to the full grey range so that a faint pattern shows. The weights are
# random: look at the pattern, not the picture.

# %%
from keras_vision.upsample.report import plot_upsampler_outputs

path = plot_upsampler_outputs(
    config.run_dir / "upsampler_outputs.png",
    factor=config.factor,
    kernel_size=config.kernel_size,
    interpolation=config.interpolation,
    seed=config.seed,
)
display(Image(filename=str(path)))

# %% [markdown]
# ## Try
#
# A kernel that is a multiple of the stride overlaps evenly: set `kernel_size=4` in the
# `checkerboard_score` call above and the transposed convolution's score drops. Training can
# also learn to cancel the pattern: the `gan` lesson measures it inside trained generators.
