"""LiteRT export: float32 equals Keras, int8 runs and stays close, with either interpreter; bad inputs."""

import keras
import numpy as np
import pytest

from keras_vision.deploy import (
    LiteModel,
    available_backends,
    export_litert,
    find_model_file,
    ms_per_image,
    representative_dataset,
)
from keras_vision.errors import CorruptDataError, UsageError
from keras_vision.models import build_classic_cnn


@pytest.fixture(scope="module")
def tiny():
    """A small classic CNN fitted for a few steps on two separable blob classes, and its inputs."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1)).astype(np.float32) * 0.2
    y = np.arange(64) % 2
    x[y == 1, 4:14, 4:14] += 0.8  # class 1: a bright square top left
    # Big enough to quantise: the converter keeps tensors under 1,024 weights in float.
    model = build_classic_cnn((28, 28, 1), 2, filters=8, dense_units=32)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    return model, x, y


@pytest.mark.parametrize("backend", available_backends())
def test_float32_export_equals_keras(tiny, tmp_path, backend):
    model, x, _ = tiny
    path = export_litert(model, tmp_path / "m.tflite")
    lite = LiteModel(path, backend=backend)
    np.testing.assert_allclose(lite.predict(x[:16], batch_size=8), model.predict(x[:16], verbose=0), atol=1e-4)
    assert lite.input_shape == (None, 28, 28, 1) and lite.input_dtype == np.float32


@pytest.mark.parametrize("backend", available_backends())
def test_int8_exports_are_smaller_and_agree_with_keras(tiny, tmp_path, backend):
    model, x, y = tiny
    float_size = export_litert(model, tmp_path / "f.tflite").stat().st_size
    dynamic = export_litert(model, tmp_path / "d.tflite", quantization="dynamic_int8")
    full = export_litert(model, tmp_path / "i.tflite", quantization="int8", calibration=representative_dataset(x))
    keras_classes = model.predict(x, verbose=0).argmax(1)
    for path in (dynamic, full):
        lite = LiteModel(path, backend=backend)
        assert path.stat().st_size < float_size
        probs = lite.predict(x)
        assert probs.dtype == np.float32 and probs.shape == (64, 2)
        assert np.mean(probs.argmax(1) == keras_classes) >= 0.95
    assert LiteModel(full, backend=backend).input_dtype == np.int8
    assert ms_per_image(LiteModel(full, backend=backend).predict, x, count=5, warmup=1) > 0


def test_export_arguments_are_checked(tiny, tmp_path):
    model, _, _ = tiny
    with pytest.raises(UsageError, match="Unknown quantization 'int4'"):
        export_litert(model, tmp_path / "m.tflite", quantization="int4")
    with pytest.raises(UsageError, match="needs calibration images"):
        export_litert(model, tmp_path / "m.tflite", quantization="int8")
    with pytest.raises(UsageError, match="must end in .tflite"):
        export_litert(model, tmp_path / "m.tfl")
    with pytest.raises(ValueError, match="at least one image"):
        representative_dataset(np.zeros((0, 28, 28, 1)))
    assert not list(tmp_path.iterdir())


def test_lite_model_rejects_missing_corrupt_and_misshaped_input(tiny, tmp_path):
    model, x, _ = tiny
    with pytest.raises(FileNotFoundError):
        LiteModel(tmp_path / "none.tflite")
    (tmp_path / "bad.tflite").write_bytes(b"not a flatbuffer at all")
    with pytest.raises(CorruptDataError, match="not a readable LiteRT model"):
        LiteModel(tmp_path / "bad.tflite")
    lite = LiteModel(export_litert(model, tmp_path / "m.tflite"))
    with pytest.raises(UsageError, match=r"takes images of shape \(28, 28, 1\)"):
        lite.predict(np.zeros((1, 32, 32, 3)))
    with pytest.raises(UsageError, match="Unknown LiteRT backend"):
        LiteModel(tmp_path / "m.tflite", backend="onnx")


def test_find_model_file(tmp_path):
    with pytest.raises(UsageError, match="No run folder"):
        find_model_file(tmp_path / "missing")
    (tmp_path / "run" / "cnn").mkdir(parents=True)
    with pytest.raises(UsageError, match="holds no trained model"):
        find_model_file(tmp_path / "run")
    (tmp_path / "run" / "cnn" / "model.keras").write_bytes(b"checkpoint")
    assert find_model_file(tmp_path / "run").name == "model.keras"
    (tmp_path / "run" / "cnn" / "final.keras").write_bytes(b"final")
    assert find_model_file(tmp_path / "run").name == "final.keras"
    (tmp_path / "run" / "dense").mkdir()
    (tmp_path / "run" / "dense" / "final.keras").write_bytes(b"final")
    with pytest.raises(UsageError, match="several models: cnn, dense"):
        find_model_file(tmp_path / "run")
    assert find_model_file(tmp_path / "run", variant="dense").parent.name == "dense"
