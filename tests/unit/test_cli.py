"""`python -m keras_vision.run`: listing, help, and errors a user can fix (no tracebacks)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from keras_vision.experiments import EXPERIMENTS
from keras_vision.run import main

REPO = Path(__file__).resolve().parents[2]


def test_list_prints_one_line_per_experiment(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == EXPERIMENTS.names()


def test_unknown_experiment_lists_the_valid_ones(capsys):
    with pytest.raises(SystemExit) as info:
        main(["mnits"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'mnits'" in err and "mnist" in err


def test_listing_does_not_import_tensorflow():
    code = "import sys; from keras_vision.run import main; main(['list']); print('tensorflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().endswith("False"), done.stdout + done.stderr


def test_experiment_help_shows_presets(capsys):
    with pytest.raises(SystemExit):
        main(["mnist", "--help"])
    out = capsys.readouterr().out
    for option in ("--data-dir", "--epochs", "--batch-size", "--quick", "--seed", "--strategy", "--resume", "--out"):
        assert option in out
    assert "preset: 3" in out


def test_missing_data_offline_exits_2_fast_with_guidance(tmp_path):
    """The acceptance check: no data, empty Keras cache, no network -> exit 2 within 60 s."""
    env = {**os.environ, "KERAS_HOME": str(tmp_path / "keras_home"), "KERAS_VISION_DATA": str(tmp_path / "none"),
           "KERAS_VISION_OFFLINE": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "keras_vision.run", "mnist", "--out", str(tmp_path / "runs")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 2, done.stderr
    assert seconds < 60
    assert "Traceback" not in done.stderr
    for needle in ("train-images-idx3-ubyte.gz", "--data-dir", "KERAS_VISION_DATA", "https://"):
        assert needle in done.stderr, f"{needle!r} missing from:\n{done.stderr}"


@pytest.mark.parametrize("argv, message", [
    (["cifar100", "--arch", "resnet"], "Valid applications: densenet121, resnet50"),
    (["folder", "--arch", "mobilenet:alpha"], "KEY=VALUE"),
])
def test_bad_architecture_is_one_line_and_exit_2(argv, message, tmp_path, capsys):
    assert main([*argv, "--data-dir", str(tmp_path), "--out", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
