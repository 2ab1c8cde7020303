"""Keras model -> LiteRT flatbuffer (`.tflite`), in float32 or quantised to 8-bit integers.

Three formats, from largest and most exact to smallest and most device-friendly:

- `float32`: the model as it is; outputs equal Keras' to rounding.
- `dynamic_int8`: weights stored as int8 (about 4x smaller), activations stay float and are
  quantised on the fly; no calibration data needed.
- `int8`: full-integer quantisation. Weights *and* activations are int8, including the model's
  input and output tensors, so it runs on integer-only accelerators (Edge TPU, DSPs, MCUs). The
  converter needs the range of every activation: it runs a few hundred real training images (a
  "representative dataset", see `calibration.py`) through the model and records them.

Conversion goes through `model.export(path, format="litert")` (Keras 3 traces the model into a
`tf.function` and hands it to the TensorFlow Lite converter). The older
`tf.lite.TFLiteConverter.from_keras_model` fails on Keras 3 models (tensorflow/tensorflow#63867).

Reference: Jacob et al., "Quantization and Training of Neural Networks for Efficient
Integer-Arithmetic-Only Inference", CVPR 2018.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import keras
import numpy as np

from keras_vision.errors import UsageError
from keras_vision.files import atomic_path

#: The export formats, in the order of the deploy table.
QUANTIZATIONS = ("float32", "dynamic_int8", "int8")


def export_litert(
    model: keras.Model,
    path: str | Path,
    *,
    quantization: str = "float32",
    calibration: Callable[[], Iterable[list[np.ndarray]]] | None = None,
) -> Path:
    """Converts `model` to a LiteRT `.tflite` file.

    Args:
        model: A Keras model with one image input.
        path: The `.tflite` file to write (atomically: a failed conversion leaves no file).
        quantization: One of `QUANTIZATIONS`. Defaults to `"float32"`.
        calibration: For `"int8"`: a function returning an iterable of `[batch]` inputs, e.g.
            `representative_dataset(x_train)`. Ignored otherwise.

    Returns:
        The path written.

    Raises:
        UsageError: for an unknown `quantization`, `"int8"` without `calibration`, a `path` not
            ending in `.tflite`, or a model with operations LiteRT's built-in kernels lack.
    """
    if quantization not in QUANTIZATIONS:
        raise UsageError(f"Unknown quantization {quantization!r}. Valid: {', '.join(QUANTIZATIONS)}.")
    if quantization == "int8" and calibration is None:
        raise UsageError(
            "Full-integer int8 export needs calibration images: pass calibration=representative_dataset(x_train)."
        )
    if Path(path).suffix != ".tflite":
        raise UsageError(f"A LiteRT model file must end in .tflite. Received: {path}.")
    with tempfile.TemporaryDirectory(prefix="keras_vision_litert_") as scratch:
        converted = Path(scratch) / "model.tflite"
        try:
            with _quiet():
                model.export(
                    str(converted), format="litert", verbose=False, **converter_options(quantization, calibration)
                )
        except Exception as error:  # the converter raises its own ConverterError, with pages of MLIR
            if not type(error).__name__.endswith("ConverterError"):
                raise
            first = str(error).strip().splitlines()[0][:300]
            raise UsageError(
                f"LiteRT cannot convert model {model.name!r} to {quantization}: {first}. Only built-in "
                "LiteRT operations are allowed (no TF Select ops), so that the file runs on a device."
            ) from None
        with atomic_path(path) as partial:
            shutil.copyfile(converted, partial)
    return Path(path)


def converter_options(quantization: str, calibration=None) -> dict:
    """The TensorFlow Lite converter settings of one format (passed through `model.export`)."""
    import tensorflow as tf

    if quantization == "float32":
        # Built-in kernels only: a model needing TF Select ops (Flex) would not run on a device.
        return {"target_spec": {"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]}}
    options = {"optimizations": [tf.lite.Optimize.DEFAULT]}
    if quantization == "dynamic_int8":
        options["target_spec"] = {"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]}
    else:
        options.update(
            representative_dataset=calibration,
            target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]},
            inference_input_type=tf.int8,
            inference_output_type=tf.int8,
        )
    return options


@contextlib.contextmanager
def _quiet():
    """Silences the converter's Python-level prints (C++ logs follow TF_CPP_MIN_LOG_LEVEL)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield
