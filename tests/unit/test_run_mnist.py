"""The `mnist` experiment end to end through the CLI, on tiny IDX files, and Ctrl-C + `--resume`."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from official_formats import random_split, write_mnist_idx

REPO = Path(__file__).resolve().parents[2]


def tiny_mnist(root: Path, n_train: int, n_test: int) -> Path:
    rng = np.random.default_rng(0)
    write_mnist_idx(root / "mnist", random_split(rng, n_train, (28, 28), 10), random_split(rng, n_test, (28, 28), 10))
    return root


def test_quick_run_writes_metrics_figures_and_models(tmp_path, capsys):
    from keras_vision.run import main

    data = tiny_mnist(tmp_path / "data", 120, 40)
    code = main(["mnist", "--quick", "--data-dir", str(data), "--out", str(tmp_path / "runs"), "--batch-size", "32"])
    assert code == 0, capsys.readouterr().err
    run = tmp_path / "runs" / "mnist"
    metrics = json.loads((run / "metrics.json").read_text())
    model = metrics["models"]["classic_cnn"]
    assert 0.0 <= model["test_accuracy"] <= 1.0 and model["seconds"] > 0 and model["params"] == 243_786
    assert metrics["data"]["train"] + metrics["data"]["validation"] == 120 and metrics["data"]["test"] == 40
    assert "mnist" in metrics["data"]["source"]
    shapes = {row["name"]: row["output_shape"] for row in metrics["architecture"]}
    assert shapes["block1_conv"] == [26, 26, 64] and shapes["flatten"] == [1600]
    assert "1600" in (run / "summary.txt").read_text()
    for name in (
        "filter_and_pool.png",
        "curves.png",
        "confusion_matrix.png",
        "misclassified.png",
        "misclassified_gradcam.png",
    ):
        assert (run / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    history = json.loads((run / "classic_cnn" / "history.json").read_text())
    assert len(history["loss"]) == 1
    assert (run / "classic_cnn" / "final.keras").is_file()
    assert json.loads((run / "config.json").read_text())["quick"] is True
    assert "classic_cnn" in capsys.readouterr().out


@pytest.mark.slow
def test_ctrl_c_after_the_first_epoch_then_resume(tmp_path):
    data = tiny_mnist(tmp_path / "data", 3000, 100)
    command = [
        sys.executable,
        "-m",
        "keras_vision.run",
        "mnist",
        "--data-dir",
        str(data),
        "--out",
        str(tmp_path / "runs"),
        "--epochs",
        "3",
        "--batch-size",
        "16",
    ]
    csv = tmp_path / "runs" / "mnist" / "classic_cnn" / "history.csv"
    # A shell's background job ignores SIGINT and its children inherit that: give the run Python's default.
    first = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 240
    while not (csv.is_file() and len(csv.read_text().splitlines()) >= 2):  # header + epoch 1
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    first.send_signal(signal.SIGINT)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    assert len(csv.read_text().splitlines()) == 2, "the interrupted epoch must not be recorded"

    second = subprocess.run([*command, "--resume"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "Epoch 1/3" not in second.stdout and "Epoch 2/3" in second.stdout
    history = json.loads((csv.parent / "history.json").read_text())
    assert len(history["loss"]) == 3 and len(history["val_accuracy"]) == 3
    assert [row.split(",")[0] for row in csv.read_text().splitlines()[1:]] == ["0", "1", "2"]
