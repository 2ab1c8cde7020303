# %% [markdown]
# # Deploy: the MNIST CNN as a LiteRT file, in float32 and int8
#
# **Experiment:** `python -m keras_vision.run deploy` (this notebook makes the same library calls,
# one step at a time).<br>
# **Description:** the course's MNIST CNN trained, then exported to LiteRT (the format formerly
# called TensorFlow Lite) three ways: float32, dynamic-range int8 (weights stored in 8 bits) and
# full-integer int8 (weights and activations, calibrated on training digits); file size,
# milliseconds per image on one CPU thread and test accuracy of each, next to the Keras model.
#
# **How to run it.** MNIST is read from `DATA_DIR` when it is there; offline without it, a tiny
# stand-in in MNIST's own file format is written (scikit-learn's real 8x8 digits scaled to 28x28:
# see `keras_vision.data.tiny`). `FULL = False` uses the experiment's `--quick` settings (the CNN
# trained one epoch on 6,000 digits, 100 calibration images, 50 images timed); `FULL = True` its
# full settings. With `pip install ai-edge-litert` the files run on LiteRT's own interpreter,
# otherwise on TensorFlow's.

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
OUT = Path("runs")  # figures and models go to OUT/deploy/


# %%
from keras_vision.data.tiny import lesson_data_dir
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("deploy")
config = experiment.make_config(
    quick=not FULL, out=OUT, data_dir=lesson_data_dir("mnist", DATA_DIR, download=FULL), verbose="epoch"
)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick", "resume")})

# %% [markdown]
# ## A trained classifier
#
# The experiment deploys a finished `mnist` run (`--model RUN_DIR`), or trains one first. Here we
# do what it does: `trained_model_file` runs the `mnist` experiment first (the `mnist` lesson shows
# its steps) into `OUT/<experiment>/mnist/`, and `load_images_for` loads the digits it was trained on.

# %%
import keras

from keras_vision.experiments.deploy import load_images_for, trained_model_file

model_file = trained_model_file(config)  # OUT/deploy/mnist/classic_cnn/final.keras, trained when not there
model = keras.models.load_model(model_file)
_, (x_train, y_train), (x_test, y_test) = load_images_for(model, model_file, config)
accuracy_keras = float((model.predict(x_test, verbose=0).argmax(axis=1) == y_test).mean())
print(f"{model_file}: {model_file.stat().st_size:,} bytes, test accuracy {accuracy_keras:.2%}")
display(Image(filename=str(model_file.parents[1] / "curves.png")))  # its learning curves

# %% [markdown]
# ## Three LiteRT files
#
# `export_litert` converts the model with TensorFlow's LiteRT converter. `dynamic_int8` stores
# the weights as 8-bit integers (about 4x smaller) and dequantizes them on the fly; `int8`
# quantizes the activations too, so it needs to see typical inputs to choose their ranges: the
# `representative_dataset` of a few hundred training digits. `LiteModel` runs a file on one
# thread (quantizing the inputs of an int8 model for us); `ms_per_image` times one image at a
# time, as a robot sees them.

# %%
from keras_vision.deploy import (
    QUANTIZATIONS,
    LiteModel,
    accuracy,
    export_litert,
    keras_ms_per_image,
    ms_per_image,
    representative_dataset,
)

formats = {
    "keras": {
        "size_bytes": model_file.stat().st_size,
        "ms_per_image": keras_ms_per_image(model_file, x_test, count=config.timing_images),
        "test_accuracy": float((model.predict(x_test, verbose=0).argmax(axis=1) == y_test).mean()),
    }
}
for quantization in QUANTIZATIONS:
    path = export_litert(
        model,
        config.run_dir / f"{quantization}.tflite",
        quantization=quantization,
        calibration=representative_dataset(x_train, count=config.calibration_images, seed=config.seed),
    )
    lite = LiteModel(path, num_threads=1, backend=config.backend)
    formats[quantization] = {
        "size_bytes": path.stat().st_size,
        "ms_per_image": ms_per_image(lite.predict, x_test, count=config.timing_images),
        "test_accuracy": accuracy(lite.predict, x_test, y_test),
    }
for numbers in formats.values():
    numbers["size_ratio"] = formats["float32"]["size_bytes"] / numbers["size_bytes"]

# %% [markdown]
# ## Size, speed and accuracy
#
# int8 files are about four times smaller than float32 and usually lose a few tenths of a point
# of accuracy at most; whether they are faster depends on the CPU's integer kernels.

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown

from keras_vision.experiments.tables import format_markdown, result_rows

display(Markdown(format_markdown(result_rows(formats, experiment.headline), experiment.headline)))
fig, axes = plt.subplots(1, 3, figsize=(12, 3))
for ax, (key, title) in zip(
    axes, (("size_bytes", "size (bytes)"), ("ms_per_image", "ms/image"), ("test_accuracy", "test accuracy"))
):
    ax.bar(list(formats), [numbers[key] for numbers in formats.values()])
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=30)
fig.tight_layout()
plt.show()
