"""The `deploy` and `digits` experiments end to end on tiny IDX files (slow: they train the mnist model first)."""

import json

import pytest
from test_run_mnist import tiny_mnist

from keras_vision.run import main


@pytest.mark.slow
def test_deploy_quick_trains_mnist_then_measures_every_format(tmp_path, capsys):
    data = tiny_mnist(tmp_path / "data", 200, 60)
    args = ["--quick", "--data-dir", str(data), "--out", str(tmp_path / "runs"), "--verbose", "silent"]
    assert main(["deploy", *args, "--timing-images", "5", "--calibration-images", "20"]) == 0, capsys.readouterr().err
    run = tmp_path / "runs" / "deploy"
    formats = json.loads((run / "metrics.json").read_text())["formats"]
    assert set(formats) == {"keras", "float32", "dynamic_int8", "int8"}
    for numbers in formats.values():
        assert numbers["size_bytes"] > 0 and numbers["ms_per_image"] > 0 and 0 <= numbers["test_accuracy"] <= 1
    assert formats["int8"]["size_bytes"] * 3 < formats["float32"]["size_bytes"]
    assert (run / "mnist" / "classic_cnn" / "final.keras").is_file()

    # digits reuses that run's model through --model.
    assert main(["digits", *args, "--model", str(run / "mnist"), "--sequences", "5", "--calibration-images", "20"]) == 0
    metrics = json.loads((tmp_path / "runs" / "digits" / "metrics.json").read_text())
    assert set(metrics["readers"]) == {"keras", "int8"} and 0 <= metrics["sequence_accuracy"] <= 1
    assert metrics["reader_classifier"]["fine_tuned"]  # --quick: 200 lines of training digits, one epoch
    assert (tmp_path / "runs" / "digits" / "reader_classifier" / "final.keras").is_file()
    assert (tmp_path / "runs" / "digits" / "sequences.png").is_file()


@pytest.mark.real_data
@pytest.mark.slow
def test_digit_reader_on_real_mnist_sequences(shared_data, tmp_path):
    """1,000 five-digit lines of MNIST test digits (the mnist model, 3 epochs, trained first, then fine-tuned
    on the reader's crops of 3,000 lines of training digits): issue 21's 0.97 / 0.85, for both readers."""
    out = tmp_path / "runs"
    assert main(["digits", "--data-dir", str(shared_data), "--out", str(out), "--verbose", "silent"]) == 0
    metrics = json.loads((out / "digits" / "metrics.json").read_text())
    assert metrics["reader_classifier"]["fine_tuned"]
    for reader in ("keras", "int8"):
        scores = metrics["readers"][reader]
        assert scores["digit_accuracy"] >= 0.97 and scores["sequence_accuracy"] >= 0.85, (reader, scores)
