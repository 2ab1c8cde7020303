"""Hidden graded tests of ex06_upsampling: "same" padding, stride 3, other kernels and channels.

References come from Keras and from `keras_vision.upsample`, as in the visible tests.
"""

import numpy as np
from graded_references import check_is_model, conv2d_transpose_reference

from keras_vision.grading.testkit.feedback import first_layer_difference
from keras_vision.grading.testkit.testing import graded
from keras_vision.upsample import build_upsampler, zero_insert


@graded(points=2, visibility="hidden")
def test_conv2d_transpose_same_padding_and_stride_three(submission, checks):
    rng = np.random.default_rng(7)
    for kernel_size, stride in [(5, 2), (2, 3), (5, 3)]:
        image = rng.normal(size=(4, 3, 2)).astype(np.float32)
        kernel = rng.normal(size=(kernel_size, kernel_size, 3, 2)).astype(np.float32)
        bias = rng.normal(size=3).astype(np.float32)
        got = submission.conv2d_transpose(image, kernel, bias, stride=stride, padding="same")
        checks.expect_close(
            got,
            conv2d_transpose_reference(image, kernel, bias, stride=stride, padding="same"),
            f"conv2d_transpose(kernel {kernel_size}, stride={stride}, padding='same')",
            atol=1e-4,
        )


@graded(points=1, visibility="hidden")
def test_zero_insert_channels_and_stride_three(submission, checks):
    image = np.random.default_rng(8).normal(size=(3, 2, 4)).astype(np.float32)
    checks.expect_close(submission.zero_insert(image, 3), zero_insert(image, 3), "zero_insert(3x2x4 image, stride=3)")


@graded(points=1, visibility="hidden")
def test_upsamplers_with_stride_three(submission, checks):
    got = submission.build_transpose_upsampler((6, 6, 4), 5, 5, 3)
    if check_is_model(checks, got, "build_transpose_upsampler((6, 6, 4), 5, 5, 3)"):
        reference = build_upsampler("transpose", (6, 6, 4), filters=5, factor=3, kernel_size=5)
        checks.expect(
            first_layer_difference(got, reference) is None,
            f"transpose, stride 3: {first_layer_difference(got, reference)}",
        )
    got = submission.build_resize_upsampler((6, 6, 4), 5, "nearest", 3)
    if check_is_model(checks, got, "build_resize_upsampler((6, 6, 4), 5, 'nearest', 3)"):
        reference = build_upsampler("resize", (6, 6, 4), filters=5, factor=3)
        checks.expect(
            first_layer_difference(got, reference) is None, f"resize, size 3: {first_layer_difference(got, reference)}"
        )
