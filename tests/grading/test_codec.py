"""The codec between grader and worker: round trips, and nothing that could run code."""

import base64
import io
import json
import time

import numpy as np
import pytest

from keras_vision.grading.sandbox import codec
from keras_vision.grading.sandbox.codec import CodecError, dumps, loads

VALUES = [
    None,
    True,
    3,
    -2.5,
    "text",
    [1, [2, 3]],
    (1, (2.0, "a")),
    {"a": 1, 2: (3,)},
    float("nan"),
    float("inf"),
    np.float32(1.5),
    np.int64(7),
    np.arange(6, dtype=np.uint8).reshape(2, 3),
    np.zeros((2, 0, 3), np.float64),
    [np.ones(3, np.float32), (np.array(2.0),)],
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_round_trip(value):
    back = loads(dumps(value))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape and np.array_equal(back, value)
    elif isinstance(value, float) and np.isnan(value):
        assert np.isnan(back)
    elif isinstance(value, list) and value and isinstance(value[0], np.ndarray):
        assert np.array_equal(back[0], value[0]) and isinstance(back[1], tuple)
    else:
        assert back == value


def test_refuses_pickled_arrays():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    message = json.dumps({"$ndarray": base64.b64encode(buffer.getvalue()).decode()}).encode()
    with pytest.raises(CodecError, match="Refused"):
        loads(message)


@pytest.mark.parametrize(
    "message",
    [b"\x80\x04K\x01.", b'{"$pickle": "gASVAAAA"}', b'{"a": 1, "b": 2}', b'{"$ndarray": 5}'],
    ids=["raw-pickle", "unknown-tag", "untagged-dict", "bad-array"],
)
def test_refuses_malformed_messages(message):
    with pytest.raises(CodecError):
        loads(message)


@pytest.mark.parametrize(
    "value",
    [object(), (i for i in range(2)), np.array([None, 1], dtype=object)],
    ids=["object", "generator", "object-array"],
)
def test_refuses_to_encode_unknown_types(value):
    with pytest.raises(CodecError, match="cannot be sent"):
        dumps(value)


def test_model_round_trip_keeps_layers_and_weights():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)])
    back = loads(dumps(model))
    assert [type(layer).__name__ for layer in back.layers] == ["Dense", "Dense"]
    for got, want in zip(back.get_weights(), model.get_weights()):
        assert np.array_equal(got, want)


@pytest.mark.parametrize("kind", ["lambda", "custom"])
def test_models_with_code_are_refused(kind):
    import keras

    class Doubler(keras.layers.Layer):
        def call(self, x):
            return 2 * x

    layer = keras.layers.Lambda(lambda x: 2 * x) if kind == "lambda" else Doubler()
    model = keras.Sequential([keras.Input((4,)), layer])
    with pytest.raises(CodecError, match="build the model from keras.layers|Build the model from keras.layers"):
        loads(dumps(model))


def forged_model_reply(units: int = 16_000, layers: int = 3) -> dict:
    """A 'model' reply as a hostile worker would forge it: the configuration of a small real model with
    its Dense layers made huge, and no weights (issue 23: it made the runner allocate 8 GB)."""
    import keras

    model = keras.Sequential([keras.Input((8,)), *[keras.layers.Dense(4) for _ in range(layers)]])
    config = json.loads(model.to_json())
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "Dense":
            layer["config"]["units"] = units
    return {"$model": {"config": json.dumps(config), "weights": []}}


def test_a_forged_model_is_refused_before_its_weights_are_allocated():
    started = time.monotonic()
    with pytest.raises(codec.CodecError, match="builds more weights than the reply carries"):
        codec.decode(forged_model_reply())
    assert time.monotonic() - started < 10


def test_a_model_with_too_many_layers_is_refused_unbuilt():
    import keras

    config = json.loads(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).to_json())
    config["config"]["layers"] *= codec.MAX_MODEL_LAYERS
    with pytest.raises(codec.CodecError, match="layers; the grader rebuilds at most"):
        codec.decode({"$model": {"config": json.dumps(config), "weights": []}})
