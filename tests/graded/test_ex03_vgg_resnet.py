"""Graded tests of ex03_vgg_resnet (visible to students).

A block function takes and returns a tensor, which cannot travel between processes; the tests
call it through the module's given `block_as_model("vgg_block" | "residual_block", input_shape,
**kwargs)`, which runs the student's block in the worker and returns a model. Results are compared
with the course library (`keras_vision.models.vgg_block`, `residual_block`, `vgg_from_layout`,
`resnet_from_layout`): the same layer names (part of the contract: they let pretrained weights load
by name), the same layer configurations and shapes, and, with the library's weights copied in by
name, the same outputs. The mini networks are also trained briefly: their loss must go down.
"""

import numpy as np
from graded_references import block_reference, check_learns, outputs_with_reference_weights

from keras_vision.grading.testkit.feedback import expect_keras_model, expect_same_layers
from keras_vision.grading.testkit.testing import graded
from keras_vision.models import residual_block, resnet_from_layout, vgg_block, vgg_from_layout

#: Exercise functions the student writes from Keras layers: they may not call these.
OWN_WORK = {
    "vgg_block": ("keras_vision", "keras.applications"),
    "residual_block": ("keras_vision", "keras.applications"),
    "build_mini_vgg": ("keras_vision", "keras.applications"),
    "build_mini_resnet": ("keras_vision", "keras.applications"),
    # The provided helper that wraps a block in a model: checked through the blocks it calls.
    "block_as_model": ("keras_vision", "keras.applications"),
}

#: The references of `build_mini_vgg` and `build_mini_resnet` (their docstrings' layouts).
MINI_VGG = {"convs": (2, 2), "filters": (16, 32), "dense_units": (64,)}
MINI_RESNET = {"blocks": (1, 1, 1), "filters": (16, 32, 64), "small_inputs": True}


def mini_vgg(input_shape=(32, 32, 3), num_classes=10):
    return vgg_from_layout(
        MINI_VGG["convs"], MINI_VGG["filters"], input_shape, num_classes, dense_units=MINI_VGG["dense_units"]
    )


def mini_resnet(input_shape=(32, 32, 3), num_classes=10):
    return resnet_from_layout(
        MINI_RESNET["blocks"],
        MINI_RESNET["filters"],
        input_shape,
        num_classes,
        small_inputs=MINI_RESNET["small_inputs"],
    )


def check_same_block(checks, got, reference, call, *, hint=""):
    """Same names and layers (weight 1), then the same outputs with the library's weights (weight 2)."""
    if not expect_same_layers(checks, got, reference, call, by="name"):
        return
    x = np.random.default_rng(1).normal(size=(2, *reference.input_shape[1:])).astype(np.float32)
    ours, theirs = outputs_with_reference_weights(got, reference, x)
    checks.expect_close(ours, theirs, f"{call} with the library's weights copied in by layer name", weight=2, hint=hint)


def check_block(checks, submission, block, input_shape, *, hint="", **kwargs):
    """The student's block (`block_as_model`) against the library's `block` with the same arguments."""
    call = f"{block.__name__}(x of shape {input_shape}, {', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
    got = submission.block_as_model(block.__name__, input_shape, **kwargs)
    check_same_block(checks, got, block_reference(block, input_shape, **kwargs), call, hint=hint)


@graded(points=2)
def test_vgg_block(submission, checks):
    check_block(checks, submission, vgg_block, (16, 16, 3), filters=8, convs=2, name="block1")


@graded(points=2)
def test_vgg_block_with_batch_norm(submission, checks):
    check_block(
        checks,
        submission,
        vgg_block,
        (16, 16, 4),
        filters=8,
        convs=2,
        batch_norm=True,
        name="block2",
        hint="Order: convolution (no activation), batch normalization, then ReLU.",
    )


@graded(points=2)
def test_residual_block_identity_shortcut(submission, checks):
    check_block(
        checks,
        submission,
        residual_block,
        (8, 8, 16),
        filters=16,
        stride=1,
        name="conv2_block2",
        hint="The shape does not change, so the shortcut is x itself; add it before the last ReLU.",
    )


@graded(points=3)
def test_residual_block_projection_shortcut(submission, checks):
    check_block(
        checks,
        submission,
        residual_block,
        (8, 8, 16),
        filters=32,
        stride=2,
        name="conv3_block1",
        hint="Here the shortcut is a 1x1 convolution with stride 2, then batch normalization.",
    )


@graded(points=2)
def test_build_mini_vgg_layers(submission, checks):
    got = submission.build_mini_vgg()
    expect_same_layers(checks, got, mini_vgg(), "build_mini_vgg()", by="position and name")


@graded(points=3)
def test_build_mini_resnet_layers(submission, checks):
    call = "build_mini_resnet()"
    got = submission.build_mini_resnet()
    if expect_keras_model(checks, got, call):
        reference = mini_resnet()
        checks.expect(
            got.count_params() == reference.count_params(),
            f"{call}: expected {reference.count_params():,} parameters, got {got.count_params():,}.",
        )
        check_same_block(checks, got, reference, call)


@graded(points=1)
def test_build_mini_vgg_learns(submission, checks):
    got = submission.build_mini_vgg(input_shape=(16, 16, 3), num_classes=4)
    check_learns(checks, got, (16, 16, 3), 4, "build_mini_vgg(input_shape=(16, 16, 3), num_classes=4)")


@graded(points=1)
def test_build_mini_resnet_learns(submission, checks):
    got = submission.build_mini_resnet(input_shape=(16, 16, 3), num_classes=4)
    check_learns(checks, got, (16, 16, 3), 4, "build_mini_resnet(input_shape=(16, 16, 3), num_classes=4)")
