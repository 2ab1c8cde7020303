"""A safe codec for values crossing the boundary between the grader and student code.

Everything travels as JSON with tagged values; nothing is ever unpickled, so a reply from a
student's worker can at worst be wrong data, never code that runs in the grader:

    ndarray       {"$ndarray": base64 of np.save(..., allow_pickle=False)}
    NumPy scalar  {"$npscalar": <the same, 0-d>}
    tuple         {"$tuple": [...]}            list  [...]
    dict          {"$dict": [[key, value], ...]}
    float nan/inf {"$float": "nan" | "inf" | "-inf"}
    ...           {"$ellipsis": true}          (the placeholder of an unfinished exercise)
    keras.Model   {"$model": {"config": model.to_json(), "weights": [ndarray, ...]}}

A model is rebuilt with `keras.models.model_from_json` (Keras' safe mode) after checking that every
class in its configuration comes from `keras` itself: custom layers and `Lambda` are refused with
an explanation instead of being deserialized. The rebuild is bounded before anything is allocated:
at most `MAX_MODEL_LAYERS` layers, and every weight a layer creates is counted as it is created
(`Layer.add_weight`) against the weights the reply carries (at most `MAX_MODEL_PARAMETERS`), so
a forged configuration of huge layers is refused instead of allocating what its author chose.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
from typing import Any

import numpy as np

#: Deepest nesting of lists, tuples and dicts `decode` accepts.
MAX_DEPTH = 32
#: Layers (and other configured objects) a rebuilt model may have; DenseNet121 has about 430.
MAX_MODEL_LAYERS = 3000
#: Parameters a rebuilt model may have (float32: 4 bytes each); DenseNet121 has 8 million.
MAX_MODEL_PARAMETERS = 30_000_000
#: Keras classes that would run code from the configuration; refused even from `keras` itself.
CODE_CARRYING_CLASSES = ("Lambda", "TorchModuleWrapper", "JaxLayer", "FlaxLayer", "TFSMLayer")


class CodecError(ValueError):
    """A value cannot be encoded or a message cannot be decoded; the message says why."""


def dumps(value: Any) -> bytes:
    """Encodes `value` as UTF-8 JSON bytes.

    Raises:
        CodecError: for a value of a type the codec does not carry.
    """
    return json.dumps(encode(value), allow_nan=False, separators=(",", ":")).encode()


def loads(data: bytes) -> Any:
    """Decodes bytes written by `dumps`.

    Raises:
        CodecError: for malformed JSON, unknown tags, pickled arrays or custom model layers.
    """
    try:
        tree = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise CodecError(f"The message is not valid JSON: {error}.") from None
    return decode(tree)


def encode(value: Any) -> Any:
    """Turns `value` into a JSON-compatible tree of tagged values."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, np.generic):
        return value
    if isinstance(value, float) and not isinstance(value, np.generic):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if value is Ellipsis:
        return {"$ellipsis": True}
    if isinstance(value, np.ndarray):
        return {"$ndarray": _array_to_text(value)}
    if isinstance(value, np.generic):
        return {"$npscalar": _array_to_text(np.asarray(value))}
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if _is_keras_model(value):
        return {"$model": _model_to_tree(value)}
    if hasattr(value, "numpy") and hasattr(value, "shape"):  # tf.Tensor, keras/torch tensors
        return {"$ndarray": _array_to_text(np.asarray(value.numpy()))}
    raise CodecError(
        f"A value of type {type(value).__module__}.{type(value).__qualname__} cannot be sent back to "
        "the grader. Return a NumPy array, a number, a string, a list, tuple or dict of those, "
        "or a keras.Model."
    )


def decode(tree: Any, depth: int = 0) -> Any:
    """Rebuilds the value encoded by `encode`.

    Raises:
        CodecError: for unknown tags, pickled arrays, custom model layers, or nesting deeper than
            `MAX_DEPTH`.
    """
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if depth >= MAX_DEPTH:
        raise CodecError(f"The value is nested more than {MAX_DEPTH} levels deep; return flatter values.")
    if isinstance(tree, list):
        return [decode(item, depth + 1) for item in tree]
    if not isinstance(tree, dict) or len(tree) != 1:
        raise CodecError(f"Expected a tagged value like {{'$ndarray': ...}}. Received: {str(tree)[:80]}.")
    ((tag, body),) = tree.items()
    if tag == "$ndarray":
        return _text_to_array(body)
    if tag == "$npscalar":
        return _text_to_array(body)[()]
    if tag == "$tuple":
        return tuple(decode(item, depth + 1) for item in _as_list(body, tag))
    if tag == "$dict":
        return {_hashable(decode(k, depth + 1)): decode(v, depth + 1) for k, v in _pairs(body, tag)}
    if tag == "$float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "$ellipsis":
        return Ellipsis
    if tag == "$model":
        return _tree_to_model(body)
    raise CodecError(f"Unknown tag {tag!r}. Valid tags: $ndarray, $npscalar, $tuple, $dict, $float, $ellipsis, $model.")


def _array_to_text(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    try:
        np.save(buffer, array, allow_pickle=False)
    except ValueError:
        raise CodecError(
            f"An array of dtype {array.dtype} (Python objects) cannot be sent back to the grader. "
            "Return numbers: e.g. np.asarray(values, dtype=np.float32)."
        ) from None
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _text_to_array(text: Any) -> np.ndarray:
    if not isinstance(text, str):
        raise CodecError("An $ndarray value must be a base64 string.")
    try:
        return np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except ValueError as error:  # includes "Object arrays cannot be loaded when allow_pickle=False"
        raise CodecError(f"Refused an array: {error}") from None
    except Exception as error:  # binascii.Error, EOFError, OSError on truncated data
        raise CodecError(f"A corrupt array: {error}") from None


def _as_list(body: Any, tag: str) -> list:
    if not isinstance(body, list):
        raise CodecError(f"The body of {tag} must be a list.")
    return body


def _pairs(body: Any, tag: str) -> list:
    pairs = _as_list(body, tag)
    if not all(isinstance(pair, list) and len(pair) == 2 for pair in pairs):
        raise CodecError(f"The body of {tag} must be a list of [key, value] pairs.")
    return pairs


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def _is_keras_model(value: Any) -> bool:
    return any(cls.__module__.startswith("keras") and cls.__name__ == "Model" for cls in type(value).__mro__)


def _model_to_tree(model) -> dict:
    return {"config": model.to_json(), "weights": [encode(np.asarray(w)) for w in model.get_weights()]}


def _tree_to_model(body: Any):
    if not isinstance(body, dict) or not isinstance(body.get("config"), str):
        raise CodecError("A $model value needs a 'config' string and a 'weights' list.")
    config = loads_json_object(body["config"])
    check_builtin_classes(config)
    if (layers := count_classes(config)) > MAX_MODEL_LAYERS:
        raise CodecError(f"The model has {layers:,} layers; the grader rebuilds at most {MAX_MODEL_LAYERS:,}.")
    weights = [
        _text_to_array(w.get("$ndarray")) if isinstance(w, dict) else None
        for w in _as_list(body.get("weights", []), "weights")
    ]
    carried = sum(int(w.size) for w in weights if w is not None)
    if carried > MAX_MODEL_PARAMETERS:
        raise CodecError(f"The model has {carried:,} parameters; the grader accepts at most {MAX_MODEL_PARAMETERS:,}.")
    import keras  # here, not at the top: the worker imports this module and must not pay ~5 s for
    # TensorFlow unless the submission uses Keras (see worker.preload_libraries)

    try:
        with weight_budget(keras.layers.Layer, carried):
            model = keras.models.model_from_json(body["config"])
    except CodecError:
        raise
    except Exception as error:
        raise CodecError(f"The model could not be rebuilt from its configuration: {error}") from None
    if weights:
        try:
            model.set_weights(weights)
        except Exception as error:
            raise CodecError(f"The model's weights do not fit its layers: {error}") from None
    return model


@contextlib.contextmanager
def weight_budget(layer_class, parameters: int):
    """While active, `layer_class.add_weight` refuses (before allocating) once the weights created
    exceed `parameters`: a configuration can only build the weights its reply carries."""
    original = layer_class.add_weight
    created = 0

    def add_weight(self, *args, **kwargs):
        nonlocal created
        shape = kwargs.get("shape", args[0] if args else None)
        try:
            size = math.prod(int(d) for d in (shape or ()))
        except (TypeError, ValueError):
            size = 0
        created += size
        if created > parameters:
            raise CodecError(
                f"The model's configuration builds more weights than the reply carries ({parameters:,} values): "
                "it was not sent by Keras from a real model, so the grader did not rebuild it."
            )
        return original(self, *args, **kwargs)

    layer_class.add_weight = add_weight
    try:
        yield
    finally:
        layer_class.add_weight = original


def count_classes(config: Any) -> int:
    """How many objects (`{"class_name": ...}`) a model configuration describes."""
    count, stack = 0, [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += "class_name" in item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def loads_json_object(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise CodecError(f"The model configuration is not valid JSON: {error}.") from None


def check_builtin_classes(config: Any) -> None:
    """Refuses a model configuration that names any class outside `keras` or one that carries code.

    Raises:
        CodecError: "uses a custom layer ...; build the model from keras.layers".
    """
    if isinstance(config, list):
        for item in config:
            check_builtin_classes(item)
        return
    if not isinstance(config, dict):
        return
    if "class_name" in config:
        module, name = config.get("module"), str(config.get("class_name"))
        builtin = (
            module is None
            and name.startswith("__")
            or (isinstance(module, str) and (module == "keras" or module.startswith("keras.") or module == "builtins"))
        )
        if not builtin:
            raise CodecError(
                f"The model uses a custom layer or object {name!r} (module {module!r}); the grader only "
                "rebuilds models made of keras.layers. Build the model from keras.layers."
            )
        if name in CODE_CARRYING_CLASSES:
            raise CodecError(
                f"The model uses a {name} layer, which carries Python code; the grader only rebuilds "
                "models made of keras.layers. Build the model from keras.layers without Lambda."
            )
    for value in config.values():
        check_builtin_classes(value)
