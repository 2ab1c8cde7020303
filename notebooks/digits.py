# %% [markdown]
# # Digits: the robot reads a number
#
# **Experiment:** `python -m keras_vision.run digits` (this notebook makes the same library calls,
# one step at a time).<br>
# **Description:** lines of handwritten MNIST test digits from different writers, with random
# gaps, touching neighbours, a slant and noise, read back by `read_digits` (threshold, deslant,
# connected components, cuts through touching digits chosen by what the classifier is surest of)
# with the course's MNIST CNN and with its int8 LiteRT file; digit and sequence accuracy.
#
# **How to run it.** MNIST is read from `DATA_DIR` when it is there; offline without it, a tiny
# stand-in in MNIST's own file format is written (scikit-learn's real 8x8 digits scaled to 28x28:
# see `keras_vision.data.tiny`). `FULL = False` uses the experiment's `--quick` settings (the CNN
# trained one epoch on 6,000 digits, 100 lines of 5 digits); `FULL = True` its full settings
# (3 epochs on 60,000 digits, 1,000 lines).

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
OUT = Path("runs")  # figures and models go to OUT/digits/


# %%
from keras_vision.data.tiny import lesson_data_dir
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("digits")
config = experiment.make_config(
    quick=not FULL, out=OUT, data_dir=lesson_data_dir("mnist", DATA_DIR, download=FULL), verbose="epoch"
)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick", "resume")})

# %% [markdown]
# ## A trained classifier
#
# The experiment reads with a finished `mnist` run (`--model RUN_DIR`), or trains one first. Here we
# do what it does: `trained_model_file` runs the `mnist` experiment first (the `mnist` lesson shows
# its steps) into `OUT/<experiment>/mnist/`, and `load_images_for` loads the digits it was trained on.

# %%
import keras

from keras_vision.experiments.deploy import load_images_for, trained_model_file

model_file = trained_model_file(config)  # OUT/digits/mnist/classic_cnn/final.keras, trained when not there
model = keras.models.load_model(model_file)
_, (x_train, y_train), (x_test, y_test) = load_images_for(model, model_file, config)
accuracy_keras = float((model.predict(x_test, verbose=0).argmax(axis=1) == y_test).mean())
print(f"{model_file}: {model_file.stat().st_size:,} bytes, test accuracy {accuracy_keras:.2%}")
display(Image(filename=str(model_file.parents[1] / "curves.png")))  # its learning curves

# %% [markdown]
# ## Lines of digits
#
# `build_sequences` writes `length` test digits side by side on one canvas, each from another
# writer, with random gaps (some negative: the digits touch), a shear and noise; the truth is the
# string of their labels.

# %%
import numpy as np

from keras_vision.deploy import build_sequences
from keras_vision.evaluation import plot_image_grid

digits = np.round(x_test[..., 0] * 255).astype(np.uint8)
lines, truths = build_sequences(digits, y_test, count=config.sequences, length=config.length, seed=config.seed)
path = plot_image_grid(lines[:4], config.run_dir / "lines.png", titles=truths[:4], cols=1)
display(Image(filename=str(path)))

# %% [markdown]
# ## Reading them
#
# `read_digits(line, classifier)` finds the ink, straightens the slant, splits the line into
# blobs, cuts a blob that is too wide where the classifier is surest of the pieces, centres each
# piece as MNIST centres its digits, and classifies it. The same reader runs with the Keras model
# and with the full-integer int8 LiteRT file the robot would carry. A reading is scored by the
# edit distance to the truth: a missed, extra or wrong digit each costs one.

# %%
import time

from IPython.display import Markdown

from keras_vision.deploy import LiteModel, export_litert, read_digits, representative_dataset
from keras_vision.experiments.digits import plot_readings, score_readings
from keras_vision.experiments.tables import format_markdown, result_rows

readers, readings = {}, {}
for name in [n.strip() for n in config.readers.split(",") if n.strip()]:
    if name == "keras":
        classifier = model
    else:
        path = export_litert(
            model,
            config.run_dir / "int8.tflite",
            quantization="int8",
            calibration=representative_dataset(x_train, count=config.calibration_images, seed=config.seed),
        )
        classifier = LiteModel(path, num_threads=1, backend=config.backend)
    start = time.perf_counter()
    readings[name] = [read_digits(line, classifier).text for line in lines]
    seconds = time.perf_counter() - start
    readers[name] = {**score_readings(readings[name], truths), "ms_per_sequence": 1000 * seconds / len(lines)}
display(Markdown(format_markdown(result_rows(readers, experiment.headline), experiment.headline)))
first = next(iter(readings))
path = plot_readings(lines, truths, readings[first], config.run_dir / "sequences.png", rows=config.figure_rows)
display(Image(filename=str(path)))
