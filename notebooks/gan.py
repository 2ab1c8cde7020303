# %% [markdown]
# # A DCGAN with two upsamplers, judged by the course's MNIST CNN
#
# **Experiment:** `python -m keras_vision.run gan` (this notebook makes the same library calls,
# one step at a time).<br>
# **Description:** two DCGAN generators that differ only in how they upsample (transposed
# convolution or nearest resize + convolution), trained on the same digits with the same seeds;
# scored by a classifier FID (the Fréchet distance between the MNIST CNN's features of samples
# and of real test digits), the share of samples the classifier labels confidently, and the
# checkerboard energy of the samples and inside the generator.
#
# **How to run it.** MNIST is read from `DATA_DIR` when it is there; offline without it, a tiny
# stand-in in MNIST's own file format is written (scikit-learn's real 8x8 digits scaled to 28x28:
# see `keras_vision.data.tiny`). `FULL = False` trains 2 epochs on 3,000 digits and scores 500
# samples (smaller than the experiment's `--quick`, a few minutes on a laptop CPU); `FULL = True`
# uses the experiment's full settings (6 epochs on 60,000 digits, 10,000 samples scored).

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
OUT = Path("runs")  # figures and models go to OUT/gan/


# %%
from keras_vision.data.tiny import lesson_data_dir
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("gan")
lesson = {} if FULL else {"epochs": 2, "train_limit": 3_000, "test_limit": 1_000}
lesson.update({} if FULL else {"sample_count": 500, "epoch_sample_count": 250})
config = experiment.make_config(
    quick=not FULL, out=OUT, data_dir=lesson_data_dir("mnist", DATA_DIR, download=FULL), verbose="epoch", **lesson
)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick", "resume")})

# %% [markdown]
# ## The data, and the judge
#
# The generator ends in `tanh`, so the real digits are scaled to [-1, 1] (`to_signed`); the judge
# sees [0, 1] (`to_unit`). The judge is the classic MNIST CNN (`load_scorer`: trained once on the
# training digits and cached in `$KERAS_HOME`); its 128 features of the Dense layer stand in for
# the Inception features of the usual FID. Two halves of real data are not at distance 0 either:
# `real_floor` is the FID of real training digits against real test digits, the best a generator
# can hope for.

# %%
from keras_vision.data import load_dataset
from keras_vision.data.split import take
from keras_vision.gan import load_scorer, real_floor, to_signed, to_unit

(x_train, y_train), (x_test, y_test) = load_dataset(config.dataset, config.data_dir)
x_train, y_train = take(x_train, y_train, config.train_limit)
x_test, y_test = take(x_test, y_test, config.test_limit)
train_unit, test_unit = to_unit(to_signed(x_train)), to_unit(to_signed(x_test))
scorer = load_scorer(config.dataset, (train_unit, y_train), (test_unit, y_test), path=config.scorer, seed=config.seed)
count = min(config.sample_count, len(test_unit))
reference, _ = scorer(test_unit[:count])
floor = real_floor(scorer, train_unit, test_unit, count, seed=config.seed)
print(f"judge: test accuracy {scorer.test_accuracy:.2%}; real train-vs-test FID floor {floor['fid']:.2f}")

# %% [markdown]
# ## Two generators, one discriminator design
#
# `build_dcgan` makes the generator (noise -> 7x7 -> 14x14 -> 28x28, the upsampler block of
# `keras_vision.upsample` named by the variant), the discriminator (strided convolutions, no
# pooling) and the `DCGAN` model with its own `train_step`: one discriminator step on real and
# fake digits (with one-sided label smoothing), one generator step. The experiment's
# `build_variant` calls it with the run's settings; `train_variant` trains it with `train_dcgan`
# through `keras_vision.training.fit`, scoring `epoch_sample_count` samples after every epoch;
# `score_variant` then scores samples of fixed noise against the real test digits.

# %%
from keras_vision.experiments.gan import build_variant, parse_variants, score_variant, train_variant
from keras_vision.gan.scores import read_scores

steps_per_epoch = len(x_train) // config.batch_size
models, grids, curves, checker = {}, {}, {}, {}
for name in parse_variants(config.variants):
    gan = build_variant(config, name, train_unit.shape[1:], steps_per_epoch)
    run_dir = config.variant_dir(name)
    result = train_variant(config, gan, to_signed(x_train), run_dir, scorer, reference)
    models[name], samples, inner = score_variant(gan, result, scorer, reference, floor, seed=config.seed)
    grids[name], checker[name] = samples[:64], (samples[:16], inner[:16])
    curves[name] = {**result.history, **read_scores(run_dir / "scores.csv")}

# %% [markdown]
# ## Results
#
# A lower FID (relative to the real floor) is better; a larger share of confidently labelled
# samples means more samples look like one clear digit. The checkerboard columns measure the
# transposed convolution's pattern in the samples and at the output of the last upsampling
# block, where the final convolution may not have cleaned it up yet.

# %%
from IPython.display import Markdown

from keras_vision.experiments.tables import format_markdown, result_rows

display(Markdown(format_markdown(result_rows(models, experiment.headline), experiment.headline)))

# %%
from keras_vision.evaluation import plot_history
from keras_vision.experiments.gan import CURVES
from keras_vision.gan import plot_checkerboard, plot_final_samples

out = config.run_dir
figures = [
    plot_final_samples(grids, {n: m["fid"] for n, m in models.items()}, out / "final_samples.png"),
    plot_history(
        curves,
        out / "curves.png",
        metrics=[m for m in CURVES if all(m in c for c in curves.values())],
        title=f"DCGAN on {config.dataset}: losses and scores",
    ),
    plot_checkerboard(
        checker, {n: (m["checkerboard"], m["inner_checkerboard"]) for n, m in models.items()}, out / "checkerboard.png"
    ),
]
for figure in figures:
    display(Image(filename=str(figure)))
