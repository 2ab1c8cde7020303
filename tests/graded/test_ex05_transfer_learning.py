"""Graded tests of ex05_transfer_learning (visible to students).

Each test calls the student's function through the `submission` fixture (it runs in a separate
worker process; models travel as configuration + weights) and compares the result with the
course library `keras_vision.transfer` (`build_classifier`, the input adapter, `list_blocks`,
`freeze_blocks`, `build_feature_head`) or with Keras itself. Every model uses `weights=None`.
DenseNet121 takes seconds to build and to send, so those tests have a longer time limit.
"""

import keras
import numpy as np
import pytest

from keras_vision.grading.testkit.testing import describe, graded
from keras_vision.transfer import build_classifier, build_feature_head, list_blocks
from keras_vision.transfer.adapt import adapt_input

#: keras.applications and keras layers are the point of this exercise; the course library's own functions
#: for the same jobs (building the classifier, the input adapter, listing and freezing blocks) are not.
#: Checked on the source by the grader (keras_vision.grading.testkit.ownwork).
OWN_WORK = {
    "build_input_adapter": ("keras_vision.transfer",),
    "replace_head": ("keras_vision.transfer",),
    "build_digit_classifier": ("keras_vision.transfer",),
    "densenet_block_prefix": ("keras_vision.transfer",),
    "freeze_dense_blocks": ("keras_vision.transfer",),
    "unfreeze_top_dense_blocks": ("keras_vision.transfer",),
}

#: Seconds of student code (and model transfer) for tests that move a DenseNet121 around.
DENSENET_TIMEOUT = 150


@pytest.fixture(scope="module")
def densenet_base():
    """The bare DenseNet121 (include_top=False, 32x32x3, random weights) the freezing tests send."""
    return keras.applications.DenseNet121(include_top=False, weights=None, input_shape=(32, 32, 3))


def mobilenet_base():
    """A small base with a 4-D feature map of 1024 * 0.25 = 256 channels."""
    return keras.applications.MobileNet(include_top=False, weights=None, input_shape=(32, 32, 3), alpha=0.25)


def reference_adapter(input_shape, size):
    """The library's input adapter (grey -> RGB, bilinear resize), without preprocessing."""
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, adapt_input(inputs, arch="densenet121", size=(size, size), preprocess=False))


def grey_digits(count, height=28, width=28, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(count, height, width, 1)).astype(np.float32)


def all_layers(model):
    """Every layer of `model`, nested models' layers included."""
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from all_layers(layer)


def weighted(model, *, trainable):
    """Names of the layers that own weights and have the given `trainable` flag."""
    return {layer.name for layer in model.layers if layer.weights and layer.trainable == trainable}


def block_layers_with_weights(base, block):
    """Names of the layers of `block` (per `keras_vision.transfer.list_blocks`) that own weights."""
    names = set(list_blocks(base)[block])
    return {layer.name for layer in base.layers if layer.name in names and layer.weights}


def check_model(checks, got, call, what="a keras.Model"):
    """A precondition, not a credit: records a failed check only when `got` is not a model."""
    if isinstance(got, keras.Model):
        return True
    return checks.expect(False, f"{call} should return {what}, got {describe(got)}.")


def check_adapter(checks, got, input_shape, size, call):
    if not check_model(checks, got, call):
        return
    expected_shape = (None, size, size, 3)
    if not checks.expect(
        tuple(got.output.shape) == expected_shape,
        f"{call}: the output shape should be {expected_shape}, got {tuple(got.output.shape)}.",
    ):
        return
    x = grey_digits(3, *input_shape[:2])
    out = np.asarray(got(x))
    expected = np.asarray(reference_adapter(input_shape, size)(x))
    hint = ""
    if not np.allclose(out[..., 0], out[..., 1]) or not np.allclose(out[..., 0], out[..., 2]):
        hint = "The three channels differ: repeat the grey channel (Concatenate the input with itself)."
    checks.expect_close(
        out,
        expected,
        f"{call} on random digits compared with a bilinear layers.Resizing",
        atol=1e-3,
        weight=2,
        hint=hint or "Resize with layers.Resizing (bilinear): no padding, no rescaling.",
    )


@graded(points=1)
def test_build_input_adapter_output_shape(submission, checks):
    got = submission.build_input_adapter((28, 28, 1), 32)
    if check_model(checks, got, "build_input_adapter((28, 28, 1), 32)"):
        checks.expect(
            tuple(got.output.shape) == (None, 32, 32, 3),
            f"build_input_adapter((28, 28, 1), 32): the output shape should be (None, 32, 32, 3), "
            f"got {tuple(got.output.shape)}: three channels, 32x32 pixels.",
        )


@graded(points=2)
def test_build_input_adapter_matches_the_library(submission, checks):
    got = submission.build_input_adapter((28, 28, 1), 32)
    check_adapter(checks, got, (28, 28, 1), 32, "build_input_adapter((28, 28, 1), 32)")


@graded(points=2)
def test_replace_head_outputs_class_probabilities(submission, checks):
    base = mobilenet_base()
    got = submission.replace_head(base, 7)
    call = "replace_head(MobileNet base, 7)"
    if not check_model(checks, got, call):
        return
    checks.expect(
        tuple(got.output.shape) == (None, 7),
        f"{call}: output shape should be (None, 7), got {tuple(got.output.shape)}.",
    )
    probs = np.asarray(got(np.random.default_rng(1).random((4, 32, 32, 3)).astype(np.float32) * 255))
    checks.expect(
        probs.ndim == 2 and np.allclose(probs.sum(axis=-1), 1.0, atol=1e-4),
        f"{call}: each row of predictions should sum to 1: use a softmax activation on the last Dense layer.",
    )
    last = got.layers[-1]
    checks.expect(
        isinstance(last, keras.layers.Dense) and last.units == 7,
        f"{call}: the last layer should be Dense(7), got {type(last).__name__}.",
    )


@graded(points=2)
def test_replace_head_adds_only_pooling_and_one_dense_layer(submission, checks):
    base = mobilenet_base()
    got = submission.replace_head(base, 7)
    call = "replace_head(MobileNet base, 7)"
    if not check_model(checks, got, call):
        return
    features = base.output.shape[-1]
    head = build_feature_head(features, 7).count_params()
    added = got.count_params() - base.count_params()
    checks.expect(
        added == head,
        f"{call}: the new head should have {head:,} parameters (global pooling, then Dense(7) on "
        f"{features} features), got {added:,}. Pool with GlobalAveragePooling2D before the Dense layer.",
    )
    conv = next((layer for layer in all_layers(got) if layer.name == "conv1"), None)
    checks.expect(
        conv is not None
        and all(np.array_equal(a, b) for a, b in zip(conv.get_weights(), base.get_layer("conv1").get_weights())),
        f"{call}: the base's layers and weights should be reused (build the model from base.input and base.output).",
    )


@graded(points=3, timeout=DENSENET_TIMEOUT)
def test_build_digit_classifier_matches_the_library(submission, checks):
    got = submission.build_digit_classifier(10)
    call = "build_digit_classifier(10)"
    if not check_model(checks, got, call):
        return
    reference = build_classifier("densenet121", 10, (28, 28, 1), weights=None, preprocess=False)
    checks.expect(
        tuple(got.input.shape) == (None, 28, 28, 1),
        f"{call}: the model should take (28, 28, 1) digits, its input is {tuple(got.input.shape)}.",
    )
    checks.expect(
        tuple(got.output.shape) == (None, 10),
        f"{call}: the output shape should be (None, 10), got {tuple(got.output.shape)}.",
    )
    checks.expect(
        got.count_params() == reference.count_params(),
        f"{call}: expected {reference.count_params():,} parameters (DenseNet121 without its top, "
        f"plus Dense(10) on 1024 features), got {got.count_params():,}.",
    )
    names = {layer.name for layer in all_layers(got)}
    checks.expect(
        "conv2_block1_1_conv" in names and "conv5_block16_concat" in names,
        f"{call}: no DenseNet121 layers found: build the base with keras.applications.DenseNet121.",
    )


@graded(points=2, timeout=DENSENET_TIMEOUT)
def test_densenet_block_prefix_names_the_keras_layers(submission, checks, densenet_base):
    blocks = list_blocks(densenet_base)
    for block in [f"denseblock{i}" for i in range(1, 5)] + [f"transition{i}" for i in range(1, 4)]:
        prefix = submission.densenet_block_prefix(block)
        members = set(blocks[block])
        with_prefix = {
            layer.name for layer in densenet_base.layers if isinstance(prefix, str) and layer.name.startswith(prefix)
        }
        checks.expect(
            isinstance(prefix, str) and with_prefix == members,
            f"densenet_block_prefix({block!r}) returned {prefix!r}, which names "
            f"{len(with_prefix)} layers; {block} has {len(members)} layers, e.g. {sorted(members)[0]}.",
        )


@graded(points=2, timeout=DENSENET_TIMEOUT)
def test_freeze_blocks_freezes_exactly_denseblock1(submission, checks, densenet_base):
    got = submission.freeze_dense_blocks(densenet_base, ["denseblock1"])
    check_freezing(checks, got, densenet_base, ["denseblock1"], 'freeze_dense_blocks(DenseNet121, ["denseblock1"])')


def check_freezing(checks, got, base, blocks, call):
    if not check_model(checks, got, call, "the model"):
        return
    expected = set().union(*(block_layers_with_weights(base, block) for block in blocks))
    frozen = weighted(got, trainable=False)
    hint = ""
    if not frozen:
        hint = " Nothing is frozen: set layer.trainable = False."
    elif any(name.startswith("pool2_") for name in frozen - expected):
        hint = " transition1 (pool2_*) is not part of denseblock1 (conv2_*)."
    checks.expect(
        frozen == expected,
        f"{call}: {len(frozen)} layers with weights are frozen, expected exactly the {len(expected)} "
        f"of {', '.join(blocks)}.{hint}",
        weight=2,
    )
    if frozen:  # an unchanged model earns nothing here
        checks.expect(
            weighted(got, trainable=True) == weighted(base, trainable=True) - expected,
            f"{call}: the layers outside {', '.join(blocks)} should stay trainable.",
        )


def check_fine_tuning(checks, got, base, n_blocks, call):
    if not check_model(checks, got, call, "the model"):
        return
    top = [f"denseblock{i}" for i in range(5 - n_blocks, 5)]
    layers_by_name = {layer.name: layer for layer in base.layers}
    expected = {
        name
        for block in top
        for name in block_layers_with_weights(base, block)
        if not isinstance(layers_by_name[name], keras.layers.BatchNormalization)
    }
    trainable = weighted(got, trainable=True)
    hint = ""
    if any(isinstance(layers_by_name.get(name), keras.layers.BatchNormalization) for name in trainable):
        hint = " Keep the BatchNormalization layers frozen."
    checks.expect(
        trainable == expected,
        f"{call}: {len(trainable)} layers with weights are trainable, expected the {len(expected)} "
        f"non-BatchNormalization layers of {', '.join(top)}.{hint}",
    )


@graded(points=2, timeout=DENSENET_TIMEOUT)
def test_unfreeze_top_prepares_fine_tuning_of_the_last_block(submission, checks, densenet_base):
    got = submission.unfreeze_top_dense_blocks(densenet_base, 1)
    check_fine_tuning(checks, got, densenet_base, 1, "unfreeze_top_dense_blocks(DenseNet121, 1)")
