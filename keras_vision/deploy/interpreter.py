"""Running a `.tflite` file: the LiteRT interpreter, batches in, probabilities out.

`LiteModel(path)` wraps the interpreter behind the one method the course's code calls on a Keras
model, `predict(x)`, so the deploy table, the digit reader and `predict` take either. It quantises
float inputs for an int8 model (`q = x / scale + zero_point`) and dequantises its int8 outputs,
so callers always see float images in and float probabilities out.

The interpreter comes from `ai-edge-litert` (`pip install -e ".[litert]"`), the runtime devices
use; without it, from TensorFlow (`tf.lite.Interpreter`, deprecated but still shipped). Both run
the same kernels (XNNPACK for float on CPU).
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np

from keras_vision.errors import CorruptDataError, UsageError

#: Interpreter implementations, the first installed one is used by `backend="auto"`.
BACKENDS = ("litert", "tensorflow")


def available_backends() -> list[str]:
    """The installed interpreter backends, in order of preference."""
    return [b for b in BACKENDS if b != "litert" or importlib.util.find_spec("ai_edge_litert") is not None]


def interpreter_class(backend: str = "auto"):
    """The `Interpreter` class of `backend`: `"litert"`, `"tensorflow"` or `"auto"` (the first installed).

    Raises:
        UsageError: for an unknown or not installed backend (the message says what to install).
    """
    if backend == "auto":
        backend = available_backends()[0]
    if backend not in BACKENDS:
        raise UsageError(f"Unknown LiteRT backend {backend!r}. Valid: auto, {', '.join(BACKENDS)}.")
    if backend == "litert":
        if "litert" not in available_backends():
            raise UsageError('The LiteRT runtime is not installed: pip install -e ".[litert]" (ai-edge-litert).')
        from ai_edge_litert.interpreter import Interpreter

        return Interpreter
    import tensorflow as tf

    return tf.lite.Interpreter


class LiteModel:
    """A `.tflite` classifier with a Keras-like `predict`.

    Args:
        path: The `.tflite` file.
        num_threads: CPU threads of the interpreter. Defaults to `1` (what a small device has,
            and the setting of the latency table).
        backend: `"auto"`, `"litert"` or `"tensorflow"` (see `interpreter_class`). Defaults to `"auto"`.

    Raises:
        FileNotFoundError: if `path` does not exist.
        CorruptDataError: if the file is not a LiteRT model.
    """

    def __init__(self, path: str | Path, *, num_threads: int = 1, backend: str = "auto"):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"No LiteRT model at {self.path}.")
        self.backend = available_backends()[0] if backend == "auto" else backend
        cls = interpreter_class(self.backend)
        try:
            with warnings.catch_warnings():  # tf.lite.Interpreter warns it is deprecated
                warnings.simplefilter("ignore")
                self.interpreter = cls(model_path=str(self.path), num_threads=num_threads)
        except (ValueError, RuntimeError) as error:
            raise CorruptDataError(f"{self.path} is not a readable LiteRT model ({error}). Export it again.") from None
        self._input = self.interpreter.get_input_details()[0]
        self._output = self.interpreter.get_output_details()[0]
        self._batch = None

    @property
    def input_shape(self) -> tuple:
        """`(None, H, W, C)`, like `keras.Model.input_shape`."""
        return (None, *map(int, self._input["shape"][1:]))

    @property
    def input_dtype(self) -> np.dtype:
        """`float32`, or `int8` for a full-integer model."""
        return np.dtype(self._input["dtype"])

    def predict(self, x, batch_size: int = 256, verbose=0) -> np.ndarray:
        """Runs `x` through the model, `batch_size` images per interpreter call.

        Args:
            x: Float inputs `(N, H, W, C)`, preprocessed as for the Keras model.
            batch_size: Images per call. Defaults to `256`.
            verbose: Ignored (for the signature of `keras.Model.predict`).

        Returns:
            Float32 outputs `(N, classes)`.

        Raises:
            UsageError: if an image's shape is not the model's.
        """
        x = np.asarray(x, dtype=np.float32)
        if x.shape[1:] != self.input_shape[1:]:
            raise UsageError(f"{self.path.name} takes images of shape {self.input_shape[1:]}. Received: {x.shape[1:]}.")
        parts = [self._run(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0, *self._output["shape"][1:]), np.float32)

    def __call__(self, x) -> np.ndarray:
        return self.predict(x)

    def _run(self, batch: np.ndarray) -> np.ndarray:
        if self._batch != len(batch):
            self.interpreter.resize_tensor_input(self._input["index"], [len(batch), *self.input_shape[1:]])
            self.interpreter.allocate_tensors()
            self._batch = len(batch)
        self.interpreter.set_tensor(self._input["index"], quantize(batch, self._input))
        self.interpreter.invoke()
        return dequantize(self.interpreter.get_tensor(self._output["index"]), self._output)


def quantize(x: np.ndarray, detail: dict) -> np.ndarray:
    """Float values -> the tensor's dtype: `round(x / scale + zero_point)` clipped for an integer tensor."""
    dtype = np.dtype(detail["dtype"])
    if dtype.kind == "f":
        return x.astype(dtype)
    scale, zero_point = detail["quantization"]
    info = np.iinfo(dtype)
    return np.clip(np.round(x / scale + zero_point), info.min, info.max).astype(dtype)


def dequantize(q: np.ndarray, detail: dict) -> np.ndarray:
    """The tensor's values as float32: `(q - zero_point) * scale` for an integer tensor."""
    if np.dtype(detail["dtype"]).kind == "f":
        return q.astype(np.float32)
    scale, zero_point = detail["quantization"]
    return ((q.astype(np.float32) - zero_point) * scale).astype(np.float32)
