"""Deploying a trained classifier: LiteRT files, int8 quantisation, and the robot's digit reader.

The story of the topic, in the order a practitioner meets it:

1. `find_model_file`: the trained `.keras` model of a run folder (`artifacts`).
2. `export_litert`: the model as a LiteRT `.tflite` file in `float32`, `dynamic_int8` (int8
   weights) or full-integer `int8` (weights and activations), calibrated by
   `representative_dataset` on a few hundred training images (`export`, `calibration`).
3. `LiteModel`: the `.tflite` file behind a Keras-like `predict`, on the `ai-edge-litert` runtime
   or TensorFlow's interpreter (`interpreter`).
4. `ms_per_image`, `keras_ms_per_image`, `accuracy`: the numbers of the deploy table (`benchmark`).
5. `build_sequences`: lines of handwritten MNIST digits with gaps, touching pairs, slant and
   noise (`sequences`).
6. `read_digits`: a line of handwriting in, its digits out: threshold, deslant, connected
   components, then segmentation by recognition (candidate cuts through touching digits, every
   candidate digit classified, the surest reading chosen by a dynamic programme) (`reader`).
7. `reader_training_set`, `with_not_a_digit`: the reader's own candidates on lines of training
   digits, labelled with the digit they hold or `NOT_A_DIGIT`, and the MNIST classifier widened
   to that 11th class, so that it can tell the reader "this is not one digit" (`reader_training`).
"""

from keras_vision.deploy.artifacts import find_model_file, read_run_config
from keras_vision.deploy.benchmark import accuracy, keras_ms_per_image, ms_per_image
from keras_vision.deploy.calibration import representative_dataset
from keras_vision.deploy.export import QUANTIZATIONS, export_litert
from keras_vision.deploy.interpreter import BACKENDS, LiteModel, available_backends
from keras_vision.deploy.reader import DigitReading, ReaderSettings, center_digit, read_digits
from keras_vision.deploy.reader_training import NOT_A_DIGIT, reader_training_set, with_not_a_digit
from keras_vision.deploy.sequences import SequenceStyle, build_sequences

__all__ = [
    "BACKENDS",
    "DigitReading",
    "LiteModel",
    "NOT_A_DIGIT",
    "QUANTIZATIONS",
    "ReaderSettings",
    "SequenceStyle",
    "accuracy",
    "available_backends",
    "build_sequences",
    "center_digit",
    "export_litert",
    "find_model_file",
    "keras_ms_per_image",
    "ms_per_image",
    "read_digits",
    "read_run_config",
    "reader_training_set",
    "representative_dataset",
    "with_not_a_digit",
]
