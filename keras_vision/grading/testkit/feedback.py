"""Comparing a student's Keras model with a reference model, layer by layer, in words.

Layers are compared by what defines them (type, filters or units, kernel size, strides, padding,
activation, output shape, parameter count), never by their auto-generated names or by
`model.summary()` text, which change between Keras versions. The first layer that differs is
reported with both descriptions, so the student knows where to look. Where the names are part of
the contract (they let pretrained weights load by name), `named_layer_difference` pairs the layers
by name instead.

Graded tests record these comparisons with `expect_same_layers(checks, got, reference, call)`, and
the precondition of any other check of a model with `expect_keras_model(checks, got, call)`.
"""

from __future__ import annotations

from typing import Any

import keras

from keras_vision.grading.testkit.testing import describe

#: Configuration keys compared, in the order they are reported.
COMPARED_KEYS = ("filters", "units", "kernel_size", "strides", "pool_size", "padding", "activation", "rate")


def layer_signature(layer) -> dict[str, Any]:
    """What defines a layer: `{"type": "Conv2D", "filters": 64, "kernel_size": (3, 3), ...}`."""
    config = layer.get_config()
    signature: dict[str, Any] = {"type": type(layer).__name__}
    for key in COMPARED_KEYS:
        if key in config:
            value = config[key]
            signature[key] = tuple(value) if isinstance(value, list) else value
    signature["output_shape"] = _output_shape(layer)
    signature["params"] = layer.count_params() if layer.built else None
    return signature


def describe_layer(signature: dict[str, Any]) -> str:
    """`"Conv2D(filters=64, kernel_size=(3, 3), activation='relu') -> (None, 26, 26, 64), 640 parameters"`."""
    details = ", ".join(f"{k}={signature[k]!r}" for k in COMPARED_KEYS if k in signature)
    text = f"{signature['type']}({details})"
    if signature.get("output_shape") is not None:
        text += f" -> output {signature['output_shape']}"
    if signature.get("params") is not None:
        text += f", {signature['params']:,} parameters"
    return text


def model_layers(model) -> list:
    """The layers after the input (InputLayer objects are skipped)."""
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def first_layer_difference(model, reference) -> str | None:
    """The first layer of `model` that differs from `reference`, explained; None when none differs.

    Args:
        model: The student's model.
        reference: The reference model.

    Returns:
        A sentence naming the layer position, what was expected, what was found and which property
        differs, or None when every layer matches.
    """
    if not getattr(model, "built", True) or _output_shape_or_none(model) is None:
        return (
            "Your model has no input shape, so its layers have no output shapes: start it with "
            f"keras.Input(shape={tuple(reference.input_shape[1:])})."
        )
    got_layers, want_layers = model_layers(model), model_layers(reference)
    for position, (got, want) in enumerate(zip(got_layers, want_layers), start=1):
        got_sig, want_sig = layer_signature(got), layer_signature(want)
        differing = [k for k in ("type", *COMPARED_KEYS, "output_shape", "params") if got_sig.get(k) != want_sig.get(k)]
        if differing:
            key = differing[0]
            return (
                f"Layer {position} (after the input) differs from the reference in {key}: expected "
                f"{describe_layer(want_sig)}; got {describe_layer(got_sig)}."
            )
    if len(got_layers) != len(want_layers):
        if len(got_layers) < len(want_layers):
            missing = describe_layer(layer_signature(want_layers[len(got_layers)]))
            return f"Your model stops after {len(got_layers)} layers; the reference continues with {missing}."
        extra = describe_layer(layer_signature(got_layers[len(want_layers)]))
        return (
            f"Your model has {len(got_layers) - len(want_layers)} layer(s) more than the reference, "
            f"starting with {extra}."
        )
    return None


def named_layer_difference(model, reference) -> str | None:
    """Compares two models layer by layer BY NAME (names are part of the contract), in any order.

    Returns:
        A sentence about the first missing, extra or different layer, or None when all match.
    """
    got = {layer.name: layer for layer in model_layers(model)}
    want = {layer.name: layer for layer in model_layers(reference)}
    missing = [name for name in want if name not in got]
    if missing:
        return (
            f"no layer is named {missing[0]!r} (expected {describe_layer(layer_signature(want[missing[0]]))}); "
            f"your layers are named {sorted(got)}."
        )
    extra = [name for name in got if name not in want]
    if extra:
        return f"layer {extra[0]!r} ({describe_layer(layer_signature(got[extra[0]]))}) should not be there."
    for name, layer in want.items():
        if layer_signature(got[name]) != layer_signature(layer):
            return (
                f"layer {name!r} differs: expected {describe_layer(layer_signature(layer))}; "
                f"got {describe_layer(layer_signature(got[name]))}."
            )
    return None


#: How `expect_same_layers` pairs the layers of the two models, and the comparisons that does, in turn.
LAYER_PAIRINGS = {
    "position": (first_layer_difference,),
    "name": (named_layer_difference,),
    "position and name": (first_layer_difference, named_layer_difference),
}


def expect_keras_model(checks, got, call: str) -> bool:
    """A precondition, not a credit: records one failed check only when `got` is not a keras.Model.

    Args:
        checks: The test's `keras_vision.grading.testkit.testing.Checks`.
        got: What the student's function returned.
        call: The call as the student would write it, e.g. `"build_conv_network()"`.

    Returns:
        Whether `got` is a keras.Model, so that the checks of the model can depend on it.
    """
    if isinstance(got, keras.Model):
        return True
    return checks.expect(False, f"{call} should return a keras.Model, got {describe(got)}.")


def expect_same_layers(checks, got, reference, call: str, *, by: str = "position") -> bool:
    """Records ONE check: `got` is a keras.Model with the layers of `reference`.

    The failure message starts with `call` and says what differs: that `got` is not a model, or the
    first layer that differs, with what was expected and what was found.

    Args:
        checks: The test's `keras_vision.grading.testkit.testing.Checks`.
        got: What the student's function returned.
        reference: The reference model, built by the library.
        call: The call as the student would write it, e.g. `"build_conv_network()"`.
        by: How layers are paired, a key of `LAYER_PAIRINGS`: `"position"` (layer k with layer k,
            `first_layer_difference`), `"name"` (`named_layer_difference`), or `"position and
            name"` (the first, then the second). Defaults to `"position"`.

    Returns:
        Whether the check passed, so that later checks (outputs, training) can depend on it.

    Raises:
        ValueError: for an unknown `by`.
    """
    if by not in LAYER_PAIRINGS:
        raise ValueError(f"Unknown pairing by={by!r}. Valid pairings: {', '.join(map(repr, LAYER_PAIRINGS))}.")
    if not expect_keras_model(checks, got, call):
        return False
    differences = (compare(got, reference) for compare in LAYER_PAIRINGS[by])  # lazily: stops at the first
    difference = next((d for d in differences if d is not None), None)
    return checks.expect(difference is None, f"{call}: {difference}")


def _output_shape(layer):
    try:
        return tuple(layer.output.shape)
    except (AttributeError, ValueError, TypeError, IndexError):
        return None


def _output_shape_or_none(model):
    try:
        return tuple(model.outputs[0].shape)
    except (AttributeError, ValueError, TypeError, IndexError):
        return None
