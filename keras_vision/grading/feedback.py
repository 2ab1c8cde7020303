"""Comparing a student's Keras model with a reference model, layer by layer, in words.

Layers are compared by what defines them (type, filters or units, kernel size, strides, padding,
activation, output shape, parameter count), never by their auto-generated names or by
`model.summary()` text, which change between Keras versions. The first layer that differs is
reported with both descriptions, so the student knows where to look.
"""

from __future__ import annotations

from typing import Any

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
        return ("Your model has no input shape, so its layers have no output shapes: start it with "
                f"keras.Input(shape={tuple(reference.input_shape[1:])}).")
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
        return f"Your model has {len(got_layers) - len(want_layers)} layer(s) more than the reference, starting with {extra}."
    return None


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
