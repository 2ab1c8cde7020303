# %% [markdown]
# # Low light: brightening dark photographs by max pooling, CLAHE and gamma
#
# **Experiment:** `python -m keras_vision.run lowlight` (this notebook makes the same library
# calls, one step at a time).<br>
# **Description:** photographs darkened on purpose (so the original is the reference: PSNR, SSIM)
# and real low-light photographs (no reference: brightness, contrast, entropy, clipping,
# sharpness), brightened by a max filter, CLAHE and a gamma curve.
#
# **How to run it.** The synthetic part uses photographs embedded in scikit-image, so it runs
# anywhere; the real part reads `DATA_DIR/lowlight/LIME` when it is there (the LIME set) and is
# skipped otherwise (or point `REAL_DIR` at a folder of your own dark photographs). `FULL = False`
# uses the experiment's `--quick` settings (two photographs, at most 128 pixels a side).

# %% install the course (notebooks/build.py writes this cell)

# %% [markdown]
# ## Settings

# %%
import os
from pathlib import Path

from IPython.display import Image, display

from keras_vision.quiet import import_tensorflow_quietly

import_tensorflow_quietly()  # TensorFlow without its native start-up messages

FULL = False  # True: the experiment's full settings (every embedded photograph, full size)
# Real datasets, if you have them: the course keeps them in ../shared/data beside its checkout,
# which is ../../shared/data seen from this folder. A folder that does not exist means "none".
DATA_DIR = Path(os.environ.get("KERAS_VISION_SHARED", "../../shared/data"))
OUT = Path("runs")  # figures and models go to OUT/lowlight/

REAL_DIR = DATA_DIR / "lowlight" / "LIME"  # real low-light photographs, if there

# %%
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("lowlight")
config = experiment.make_config(quick=not FULL, out=OUT, data_dir=REAL_DIR if REAL_DIR.is_dir() else None)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick")})

# %% [markdown]
# ## A dark copy with a reference
#
# `darken` imitates an underexposed shot: a tone curve `v ** gamma` (gamma > 1 pushes the
# mid-tones down), an exposure factor, and sensor noise. Because we keep the original, every
# method can be scored against it.

# %%
from keras_vision.data import load_sample_image
from keras_vision.enhance import darken
from keras_vision.enhance.compare import shrink
from keras_vision.experiments.lowlight import sample_names

names = sample_names(config.samples)
originals = [shrink(load_sample_image(name), config.max_side) for name in names]
darkening = {"gamma": config.darken_gamma, "scale": config.darken_scale, "noise": config.darken_noise}
darks = [darken(original, **darkening, seed=config.seed + i) for i, original in enumerate(originals)]
print(f"{len(originals)} photographs: {', '.join(names)}; darkened with {darkening}")

# %% [markdown]
# ## Three ways to brighten
#
# - **Max pooling** (a stride-1 3x3 max filter on the luma): every pixel takes the brightest value
#   of its neighbourhood. It brightens and removes dark noise specks, at the cost of thickening
#   bright details. `maxpool_each` does it per colour channel (brighter, false colours);
#   `maxpool_binning` takes block maxima and resizes back, like a phone's pixel binning.
# - **CLAHE**: histogram equalisation in tiles, with a clip limit against amplified noise, on the
#   lightness of LAB (colours kept).
# - **Gamma** `v ** 0.5`: the classic tone curve, a baseline.

# %%
from IPython.display import Markdown

from keras_vision.enhance.compare import FIGURE_METHODS, EnhanceSettings, plot_side_by_side, score_set
from keras_vision.experiments.tables import format_markdown, result_rows

settings = EnhanceSettings(
    pool_size=config.pool_size, clip_limit=config.clip_limit, tile_grid=config.tile_grid, gamma=config.gamma
)
synthetic, shown = score_set(darks, settings, references=originals)
display(Markdown(format_markdown(result_rows(synthetic, experiment.headline), experiment.headline)))

# %%
path = plot_side_by_side(
    [[original, *row] for original, row in zip(originals, shown)],
    ("original", "dark input", *FIGURE_METHODS[1:]),
    config.run_dir / "synthetic.png",
    limit=config.figure_rows,
)
display(Image(filename=str(path)))

# %% [markdown]
# The three max-pooling variants differ in detail and colour: a crop through each.

# %%
from keras_vision.enhance.compare import plot_maxpool_variants
from keras_vision.experiments.lowlight import colour_first

path = plot_maxpool_variants(colour_first(darks), settings, config.run_dir / "maxpool_variants.png")
display(Image(filename=str(path)))

# %% [markdown]
# ## Real low-light photographs
#
# Real dark photographs have no reference, so only the no-reference measures remain: mean
# brightness, RMS contrast, entropy of the histogram, the share of clipped pixels and sharpness.
# Brighter is not better by itself: compare clipping and sharpness too.

# %%
from keras_vision.data import load_images

if config.data_dir is None:
    print(f"No real low-light photographs at {REAL_DIR}: set REAL_DIR to a folder of dark photographs.")
else:
    photos = [shrink(photo, config.max_side) for photo in load_images(config.data_dir).images]
    real, shown = score_set(photos, settings)
    print(f"{len(photos)} photographs from {config.data_dir}")
    display(Markdown(format_markdown(result_rows(real, experiment.headline), experiment.headline)))
    path = plot_side_by_side(shown, FIGURE_METHODS, config.run_dir / "real.png", limit=config.figure_rows)
    display(Image(filename=str(path)))
