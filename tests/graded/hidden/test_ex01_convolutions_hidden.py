"""Hidden graded tests of ex01_convolutions: other sizes, strides, an asymmetric kernel.

Students see only the status and points of these tests; `after_due_date` ones appear after the
deadline.
"""

import numpy as np
from graded_references import conv2d_reference, stack_output_shape

from keras_vision.convolution import max_pool2d
from keras_vision.grading.testkit.feedback import first_layer_difference
from keras_vision.grading.testkit.testing import graded
from keras_vision.models import build_classic_cnn as reference_classic_cnn


@graded(points=1, visibility="hidden")
def test_apply_filter_asymmetric_kernel_on_a_rectangular_image(submission, checks):
    rng = np.random.default_rng(3)
    image = rng.random((7, 10)).astype(np.float32)
    kernel = np.array([[1.0, 2.0, 0.0], [-1.0, 0.5, 3.0]], dtype=np.float32)
    got = submission.apply_filter(image, kernel)
    checks.expect_close(got, conv2d_reference(image, kernel), "apply_filter(7x10 image, 2x3 kernel)")


@graded(points=1, visibility="hidden")
def test_max_pool_window_of_three_on_channels(submission, checks):
    image = np.random.default_rng(4).random((10, 11, 2)).astype(np.float32)
    checks.expect_close(submission.max_pool(image, size=3), max_pool2d(image, 3), "max_pool(10x11x2 image, size=3)")


@graded(points=1, visibility="hidden")
def test_conv_output_shape_with_strides(submission, checks):
    layers = [("conv", 32, 5, 2), ("pool", 3, 2), ("conv", 16, 3), ("flatten",)]
    got = submission.conv_output_shape((64, 48, 3), layers)
    expected = stack_output_shape((64, 48, 3), layers)
    checks.expect(
        isinstance(got, (tuple, list)) and tuple(got) == expected,
        f"conv_output_shape((64, 48, 3), {layers}): expected {expected}, got {got!r}.",
    )


@graded(points=1, visibility="after_due_date")
def test_build_classic_cnn_for_colour_images(submission, checks):
    got = submission.build_classic_cnn(input_shape=(32, 32, 3), num_classes=5)
    difference = (
        first_layer_difference(got, reference_classic_cnn((32, 32, 3), 5))
        if hasattr(got, "layers")
        else "not a keras.Model"
    )
    checks.expect(difference is None, f"build_classic_cnn(input_shape=(32, 32, 3), num_classes=5): {difference}")
