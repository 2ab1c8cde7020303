"""`python -m keras_vision.run predict`: top-5 and a Grad-CAM overlay per image; one-line errors."""

import json

import cv2
import numpy as np
import pytest

from keras_vision.models import build_classic_cnn
from keras_vision.run import main


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A run folder as `mnist` leaves it: config.json and classic_cnn/final.keras (untrained, seeded)."""
    import keras

    keras.utils.set_random_seed(0)
    run = tmp_path_factory.mktemp("runs") / "mnist"
    (run / "classic_cnn").mkdir(parents=True)
    build_classic_cnn((28, 28, 1), 10, filters=4, dense_units=8).save(run / "classic_cnn" / "final.keras")
    (run / "config.json").write_text(json.dumps({"experiment": "mnist"}))
    return run


def test_predict_a_colour_jpeg_and_a_grey_png_of_any_size(run_dir, tmp_path, capsys):
    rng = np.random.default_rng(0)
    jpeg, png = tmp_path / "photo.jpg", tmp_path / "digit.png"
    cv2.imwrite(str(jpeg), rng.integers(0, 255, (90, 120, 3), dtype=np.uint8))
    cv2.imwrite(str(png), rng.integers(0, 255, (40, 33), dtype=np.uint8))
    assert main(["predict", str(run_dir), str(jpeg), str(png), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.count("  5. ") == 2 and "  6. " not in out and "%" in out
    overlay = cv2.imread(str(tmp_path / "out" / "photo_gradcam.png"))
    assert overlay.shape == (90, 120, 3)  # drawn on the original image, not the 28x28 input
    assert cv2.imread(str(tmp_path / "out" / "digit_gradcam.png")).shape == (40, 33, 3)


def test_predict_errors_are_one_line(run_dir, tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    assert main(["predict", str(run_dir), str(text)]) == 2
    err = capsys.readouterr().err
    assert "notes.txt: not a readable image" in err and "Traceback" not in err and err.count("\n") == 1

    assert main(["predict", str(tmp_path / "no_run"), str(text)]) == 2
    assert "No run folder" in capsys.readouterr().err

    (tmp_path / "empty_run").mkdir()
    assert main(["predict", str(tmp_path / "empty_run"), str(text)]) == 2
    assert "holds no trained model" in capsys.readouterr().err

    assert main(["predict", str(run_dir), str(tmp_path / "missing.png")]) == 2
    assert "No image file at" in capsys.readouterr().err

    broken = tmp_path / "broken" / "cnn"
    broken.mkdir(parents=True)
    (broken / "final.keras").write_bytes(b"PK not really a zip")
    assert main(["predict", str(broken.parent), str(text)]) == 2
    assert "not a readable Keras model" in capsys.readouterr().err
