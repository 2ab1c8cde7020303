"""`deploy`: the course's MNIST CNN on a device: LiteRT files in float32, dynamic-range int8 and int8.

The robot's first stage is recognising one digit; on the robot it runs as a LiteRT file. This
run takes a trained classifier (`--model RUN_DIR`, or the `mnist` model trained first into
`OUT/deploy/mnist/`), exports it three ways and measures each next to the Keras model: file
size, milliseconds per image on one CPU thread, and test accuracy.

    python -m keras_vision.run deploy --data-dir ../shared/data
    python -m keras_vision.run deploy --model runs/mnist

Only 28x28 grey classifiers (`mnist`, `fashion_mnist` runs): the run measures accuracy on, and
calibrates int8 with, the data the model was trained on, and loads those only for the digit
datasets. A `folder` or `cifar100` model is exported from Python with `export_litert`.

Writes `float32.tflite`, `dynamic_int8.tflite`, `int8.tflite` and
`metrics.json` = `{"formats": {"keras"|"float32"|"dynamic_int8"|"int8": {"size_bytes",
"ms_per_image", "test_accuracy", "size_ratio"}}, ...}`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import keras
import numpy as np

from keras_vision.data import add_channel_axis, load_fashion_mnist, load_mnist, locate, scale_pixels
from keras_vision.data.split import take
from keras_vision.deploy import (
    QUANTIZATIONS,
    LiteModel,
    accuracy,
    available_backends,
    export_litert,
    find_model_file,
    keras_ms_per_image,
    ms_per_image,
    read_run_config,
    representative_dataset,
)
from keras_vision.errors import UsageError
from keras_vision.experiments.base import EXPERIMENTS, run_experiment
from keras_vision.experiments.catalog import DeployConfig, TrainedMnistConfig

#: Datasets of 28x28 grey classifiers, by the experiment that trained them (others: MNIST).
DIGIT_DATASETS = {"fashion_mnist": ("fashion_mnist", load_fashion_mnist)}


def run(config: DeployConfig) -> dict:
    model_file = trained_model_file(config)
    model = keras.models.load_model(model_file)
    dataset, (x_train, _), (x_test, y_test) = load_images_for(model, model_file, config)
    formats = {"keras": _measure_keras(model, model_file, x_test, y_test, config)}
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
            "ms_per_image": round(ms_per_image(lite.predict, x_test, count=config.timing_images), 4),
            "test_accuracy": accuracy(lite.predict, x_test, y_test),
            "file": str(path),
        }
    float_size = formats["float32"]["size_bytes"]
    for numbers in formats.values():
        numbers["size_ratio"] = round(float_size / numbers["size_bytes"], 3)
    return {
        "formats": formats,
        "model": str(model_file),
        "backend": LiteModel(config.run_dir / "float32.tflite", backend=config.backend).backend,
        "backends_installed": available_backends(),
        "int8_accuracy_drop_points": round(
            100 * (formats["keras"]["test_accuracy"] - formats["int8"]["test_accuracy"]), 3
        ),
        "data": {
            "source": locate(dataset, config.data_dir),
            "test": len(x_test),
            "calibration": config.calibration_images,
        },
    }


def trained_model_file(config: TrainedMnistConfig) -> Path:
    """`--model`'s `.keras` file, or the `mnist` experiment run first into `OUT/<experiment>/mnist/`.

    With `--resume`, a finished `mnist` run there is reused, an interrupted one continues.
    """
    if config.model is not None:
        return find_model_file(config.model)
    mnist_run = config.run_dir / "mnist"
    finished = mnist_run / "classic_cnn" / "final.keras"
    if config.resume and finished.is_file():
        return finished
    mnist = EXPERIMENTS.get("mnist")
    shared = {f.name for f in mnist.config.options()} & {f.name for f in dataclasses.fields(config)}
    values = {name: getattr(config, name) for name in shared if name != "out"}
    run_experiment(mnist.make_config(**values, out=config.run_dir))
    return finished


def load_images_for(model: keras.Model, model_file: Path, config: TrainedMnistConfig):
    """`(dataset name, (x_train, y_train), (x_test, y_test))` as the model takes them (28x28x1 in [0, 1]).

    Raises:
        UsageError: if the model does not take 28x28 grey images.
    """
    if tuple(model.input_shape[1:]) != (28, 28, 1):
        raise UsageError(
            f"{model_file} takes images of shape {tuple(model.input_shape[1:])}; this experiment measures 28x28 "
            "grey digit classifiers (an mnist or fashion_mnist run), whose data it loads to measure and calibrate. "
            "Export other models from Python: keras_vision.deploy.export_litert(model, path, quantization=...)."
        )
    trained_on = read_run_config(model_file).get("experiment", "mnist")
    dataset, loader = DIGIT_DATASETS.get(trained_on, ("mnist", load_mnist))
    (x_train, y_train), (x_test, y_test) = loader(config.data_dir)
    x_train, y_train = take(x_train, y_train, config.train_limit)
    x_test, y_test = take(x_test, y_test, config.test_limit)
    prepare = lambda x: add_channel_axis(scale_pixels(x))  # noqa: E731
    return dataset, (prepare(x_train), y_train), (prepare(x_test), y_test)


def _measure_keras(model, model_file: Path, x_test, y_test, config: DeployConfig) -> dict:
    probs = model.predict(x_test, batch_size=256, verbose=0)
    return {
        "size_bytes": model_file.stat().st_size,
        "ms_per_image": round(keras_ms_per_image(model_file, x_test, count=config.timing_images), 4),
        "test_accuracy": float(np.mean(probs.argmax(axis=1) == y_test)),
        "file": str(model_file),
    }
