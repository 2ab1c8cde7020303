"""The layer comparison of the graded tests: one check per comparison, and a message saying what differs."""

import keras
import pytest
from keras import layers

from keras_vision.grading.testkit.feedback import expect_keras_model, expect_same_layers
from keras_vision.grading.testkit.testing import Checks


def small_model(units=8, name="fc1", input_shape=(4,)):
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, layers.Dense(units, activation="relu", name=name)(inputs))


def recorded(got, reference, **kwargs):
    checks = Checks()
    ok = expect_same_layers(checks, got, reference, "build()", **kwargs)
    return ok, checks


def test_the_same_layers_pass_one_check():
    for by in ("position", "name", "position and name"):
        ok, checks = recorded(small_model(), small_model(), by=by)
        assert ok and checks.count == 1 and not checks.failures


def test_what_is_not_a_model_fails_one_check_that_says_what_it_got():
    ok, checks = recorded(None, small_model())
    assert not ok and checks.count == 1
    assert checks.failures == ["build() should return a keras.Model, got None (did you forget `return`?)."]
    assert expect_keras_model(Checks(), small_model(), "build()")


def test_a_layer_that_differs_by_position_is_described():
    ok, checks = recorded(small_model(units=5), small_model())
    assert not ok and checks.count == 1
    assert checks.failures[0].startswith(
        "build(): Layer 1 (after the input) differs from the reference in units: expected Dense(units=8"
    )


def test_names_are_compared_only_when_asked():
    renamed, reference = small_model(name="dense"), small_model()
    assert recorded(renamed, reference)[0]
    for by in ("name", "position and name"):
        ok, checks = recorded(renamed, reference, by=by)
        assert not ok and checks.count == 1
        assert checks.failures[0].startswith("build(): no layer is named 'fc1'")


def test_position_comes_first_when_both_are_asked():
    ok, checks = recorded(small_model(units=5, name="dense"), small_model(), by="position and name")
    assert not ok and "Layer 1 (after the input) differs" in checks.failures[0]


def test_an_unknown_pairing_is_refused():
    with pytest.raises(ValueError, match="Valid pairings: 'position', 'name', 'position and name'"):
        expect_same_layers(Checks(), small_model(), small_model(), "build()", by="order")
