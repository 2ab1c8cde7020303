"""Hidden graded tests of ex03_vgg_resnet: other shapes, a channel-only projection, no bias."""

import numpy as np
from graded_references import block_reference, outputs_with_reference_weights

from keras_vision.grading.testkit.feedback import expect_same_layers
from keras_vision.grading.testkit.testing import graded
from keras_vision.models import residual_block, resnet_from_layout, vgg_block


def same_outputs(checks, got, reference, call):
    if expect_same_layers(checks, got, reference, call, by="name"):
        x = np.random.default_rng(2).normal(size=(2, *reference.input_shape[1:])).astype(np.float32)
        checks.expect_close(*outputs_with_reference_weights(got, reference, x), call)


@graded(points=1, visibility="hidden")
def test_residual_block_projection_for_more_channels_only(submission, checks):
    kwargs = {"filters": 24, "stride": 1, "name": "b"}
    got = submission.block_as_model("residual_block", (8, 8, 16), **kwargs)
    same_outputs(
        checks,
        got,
        block_reference(residual_block, (8, 8, 16), **kwargs),
        "residual_block(x (8, 8, 16), filters=24, stride=1)",
    )


@graded(points=1, visibility="hidden")
def test_residual_block_without_bias(submission, checks):
    kwargs = {"filters": 8, "stride": 2, "use_bias": False, "name": "conv4_block1"}
    got = submission.block_as_model("residual_block", (8, 8, 8), **kwargs)
    same_outputs(
        checks,
        got,
        block_reference(residual_block, (8, 8, 8), **kwargs),
        "residual_block(x (8, 8, 8), filters=8, stride=2, use_bias=False)",
    )


@graded(points=1, visibility="hidden")
def test_vgg_block_three_convolutions(submission, checks):
    kwargs = {"filters": 5, "convs": 3, "name": "block4"}
    got = submission.block_as_model("vgg_block", (6, 10, 4), **kwargs)
    same_outputs(
        checks, got, block_reference(vgg_block, (6, 10, 4), **kwargs), "vgg_block(x (6, 10, 4), filters=5, convs=3)"
    )


@graded(points=1, visibility="hidden")
def test_build_mini_resnet_grey_four_classes(submission, checks):
    got = submission.build_mini_resnet(input_shape=(16, 16, 1), num_classes=4)
    reference = resnet_from_layout((1, 1, 1), (16, 32, 64), (16, 16, 1), 4, small_inputs=True)
    same_outputs(checks, got, reference, "build_mini_resnet(input_shape=(16, 16, 1), num_classes=4)")
