"""Hidden graded tests of ex05_transfer_learning: other sizes, more blocks, another base.

Students see only the status and points of these tests; `after_due_date` ones appear after the
deadline. References come from `keras_vision.transfer` and Keras, as in the visible tests.
"""

import keras
import numpy as np
import pytest

from keras_vision.grading.testkit.testing import describe, graded
from keras_vision.transfer import build_feature_head, list_blocks
from keras_vision.transfer.adapt import adapt_input

DENSENET_TIMEOUT = 150


@pytest.fixture(scope="module")
def densenet_base():
    return keras.applications.DenseNet121(include_top=False, weights=None, input_shape=(32, 32, 3))


def block_layers_with_weights(base, block):
    names = set(list_blocks(base)[block])
    return {layer.name for layer in base.layers if layer.name in names and layer.weights}


def weighted(model, *, trainable):
    return {layer.name for layer in model.layers if layer.weights and layer.trainable == trainable}


@graded(points=1, visibility="hidden")
def test_build_input_adapter_for_a_rectangular_image_and_64_pixels(submission, checks):
    got = submission.build_input_adapter((20, 24, 1), 64)
    call = "build_input_adapter((20, 24, 1), 64)"
    if not isinstance(got, keras.Model):
        checks.expect(False, f"{call} should return a keras.Model, got {describe(got)}.")
        return
    inputs = keras.Input(shape=(20, 24, 1))
    reference = keras.Model(inputs, adapt_input(inputs, arch="densenet121", size=(64, 64), preprocess=False))
    x = np.random.default_rng(5).integers(0, 256, size=(2, 20, 24, 1)).astype(np.float32)
    checks.expect_close(np.asarray(got(x)), np.asarray(reference(x)), call, atol=1e-3)


@graded(points=1, visibility="hidden", timeout=DENSENET_TIMEOUT)
def test_freeze_blocks_with_a_transition_between_two_dense_blocks(submission, checks, densenet_base):
    blocks = ["denseblock1", "transition1", "denseblock2"]
    got = submission.freeze_dense_blocks(densenet_base, blocks)
    call = f"freeze_dense_blocks(DenseNet121, {blocks})"
    if not isinstance(got, keras.Model):
        checks.expect(False, f"{call} should return the model, got {describe(got)}.")
        return
    expected = set().union(*(block_layers_with_weights(densenet_base, block) for block in blocks))
    checks.expect(
        weighted(got, trainable=False) == expected,
        f"{call}: expected exactly the {len(expected)} layers with weights of {', '.join(blocks)} frozen.",
    )


@graded(points=1, visibility="hidden", timeout=DENSENET_TIMEOUT)
def test_unfreeze_top_two_blocks(submission, checks, densenet_base):
    got = submission.unfreeze_top_dense_blocks(densenet_base, 2)
    call = "unfreeze_top_dense_blocks(DenseNet121, 2)"
    if not isinstance(got, keras.Model):
        checks.expect(False, f"{call} should return the model, got {describe(got)}.")
        return
    by_name = {layer.name: layer for layer in densenet_base.layers}
    expected = {
        name
        for block in ("denseblock3", "denseblock4")
        for name in block_layers_with_weights(densenet_base, block)
        if not isinstance(by_name[name], keras.layers.BatchNormalization)
    }
    checks.expect(
        weighted(got, trainable=True) == expected,
        f"{call}: expected exactly the {len(expected)} non-BatchNormalization layers of denseblock3 and "
        "denseblock4 trainable.",
    )


@graded(points=1, visibility="after_due_date")
def test_replace_head_on_mobilenetv2_for_two_classes(submission, checks):
    base = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(32, 32, 3), alpha=0.35)
    got = submission.replace_head(base, 2)
    call = "replace_head(MobileNetV2 base, 2)"
    if not isinstance(got, keras.Model):
        checks.expect(False, f"{call} should return a keras.Model, got {describe(got)}.")
        return
    checks.expect(tuple(got.output.shape) == (None, 2), f"{call}: output shape should be (None, 2).")
    head = build_feature_head(base.output.shape[-1], 2).count_params()
    checks.expect(
        got.count_params() - base.count_params() == head, f"{call}: the new head should have {head:,} parameters."
    )
