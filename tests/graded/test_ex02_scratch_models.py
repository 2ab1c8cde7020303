"""Graded tests of ex02_scratch_models (visible to students).

Each test calls the student's function through the `submission` fixture (it runs in a separate
worker process; models travel as configuration + weights) and compares the result with the course
library (`keras_vision.data.scale_pixels`, `add_channel_axis`, `one_hot`;
`keras_vision.models.build_ann`, `build_cifar10_cnn`) or with Keras itself. Models are also trained
briefly here, in the grading process, on an easy task: their loss must go down.
"""

import keras
import numpy as np
from graded_references import check_learns

from keras_vision.data import add_channel_axis, one_hot, scale_pixels
from keras_vision.grading.testkit.feedback import expect_same_layers
from keras_vision.grading.testkit.testing import describe, graded
from keras_vision.models import build_ann, build_cifar10_cnn

#: Exercise functions the student writes from NumPy and Keras layers: they may not call these.
OWN_WORK = {
    "prepare_images": ("keras_vision",),
    "encode_labels": ("keras_vision", "keras.utils.to_categorical", "keras.ops.one_hot", "tensorflow.one_hot"),
    "dense_parameter_count": ("keras_vision", "keras", "tensorflow"),
    "build_dense_network": ("keras_vision", "keras.applications"),
    "build_conv_network": ("keras_vision", "keras.applications"),
}


def grey_images(count, height=28, width=28, seed=0):
    images = np.random.default_rng(seed).integers(0, 256, size=(count, height, width), dtype=np.uint8)
    images[0, 0, 0], images[-1, -1, -1] = 255, 0
    return images


def keras_dense_count(sizes):
    """Parameters of Dense layers of these sizes, as Keras counts them."""
    model = keras.Sequential([keras.Input((sizes[0],)), *[keras.layers.Dense(n) for n in sizes[1:]]])
    return model.count_params()


@graded(points=2)
def test_prepare_images_scales_and_adds_a_channel(submission, checks):
    images = grey_images(4)
    got = submission.prepare_images(images)
    call = "prepare_images(uint8 images of shape (4, 28, 28))"
    checks.expect_shape(got, (4, 28, 28, 1), f"{call}: Conv2D needs a channel axis at the end")
    checks.expect(getattr(got, "dtype", None) == np.float32, f"{call}: expected dtype float32, got {describe(got)}.")
    expected = add_channel_axis(scale_pixels(images))
    checks.expect_close(got, expected, call, hint="Divide by 255 so that the pixels lie in [0, 1].")


@graded(points=2)
def test_encode_labels_one_hot(submission, checks):
    labels = np.array([3, 0, 9, 3, 1])
    got = submission.encode_labels(labels)
    call = "encode_labels([3, 0, 9, 3, 1])"
    checks.expect_shape(got, (5, 10), f"{call}: one row per label, one column per class")
    checks.expect_close(got, one_hot(labels, 10), call, hint="Row i is all zeros except a 1 in column labels[i].")


@graded(points=2)
def test_dense_parameter_count(submission, checks):
    for sizes in ([784, 128, 10], [3072, 100, 20, 10]):
        got = submission.dense_parameter_count(sizes)
        expected = keras_dense_count(sizes)
        hint = (
            " Each Dense layer has a*b weights AND b biases."
            if got == sum(a * b for a, b in zip(sizes, sizes[1:]))
            else ""
        )
        checks.expect(
            got == expected, f"dense_parameter_count({sizes}): Keras counts {expected:,}, got {describe(got)}.{hint}"
        )


@graded(points=3)
def test_build_dense_network_layers(submission, checks):
    got = submission.build_dense_network()
    expect_same_layers(checks, got, build_ann((28, 28, 1), 10), "build_dense_network()")


@graded(points=4)
def test_build_conv_network_layers(submission, checks):
    got = submission.build_conv_network()
    expect_same_layers(checks, got, build_cifar10_cnn((32, 32, 3), 10), "build_conv_network()")


@graded(points=2)
def test_build_conv_network_learns(submission, checks):
    got = submission.build_conv_network(input_shape=(16, 16, 3), num_classes=4)
    check_learns(checks, got, (16, 16, 3), 4, "build_conv_network(input_shape=(16, 16, 3), num_classes=4)")


@graded(points=1)
def test_build_dense_network_learns(submission, checks):
    got = submission.build_dense_network(input_shape=(8, 8, 1), num_classes=4)
    check_learns(checks, got, (8, 8, 1), 4, "build_dense_network(input_shape=(8, 8, 1), num_classes=4)")
