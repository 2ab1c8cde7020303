"""`python -m keras_vision.run`: listing, help, and errors a user can fix (no tracebacks)."""

import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from keras_vision.experiments import EXPERIMENTS
from keras_vision.run import main, one_line_warnings
from keras_vision.training.callbacks import prepare_run_dir

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


@pytest.mark.parametrize("argv", [["list"], ["cifar100", "--help"], ["mnist", "--help"]])
def test_listing_and_help_do_not_import_tensorflow(argv):
    code = (
        "import sys\nfrom keras_vision.run import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print('TF_IMPORTED', 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code, *argv], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "TF_IMPORTED False False", done.stdout + done.stderr


@pytest.mark.parametrize("name", EXPERIMENTS.names())
def test_help_prints_every_option_with_its_default(name, capsys):
    exp = EXPERIMENTS.get(name)
    with pytest.raises(SystemExit):
        main([name, "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for f in exp.config.options():
        flag = "--" + f.name.replace("_", "-")
        default = exp.defaults()[f.name]
        assert flag in out, flag
        assert f"default: {'none' if default is None else default}" in out, (flag, default)
    for key, value in exp.quick.items():
        assert f"--quick: {value}" in out, key


def test_option_values_reach_the_config_and_config_json(tmp_path, monkeypatch):
    """Flags of the experiment's own options are typed, validated and recorded."""
    seen = []
    monkeypatch.setattr(
        "keras_vision.experiments.base.Experiment.runner",
        lambda self: lambda config: seen.append(config) or {"models": {}},
    )
    argv = [
        "cifar100",
        "--quick",
        "--image-size",
        "64",
        "--fine-tune-learning-rate",
        "3e-5",
        "--arch",
        "mobilenet:alpha=0.25",
        "--out",
        str(tmp_path),
        "--train-limit",
        "none",
    ]
    assert main(argv) == 0
    config = seen[0]
    assert (config.image_size, config.fine_tune_learning_rate, config.arch) == (64, 3e-5, "mobilenet:alpha=0.25")
    assert (config.epochs, config.train_limit, config.test_limit) == (1, None, 1_000)  # quick preset, overridden
    recorded = json.loads((tmp_path / "cifar100" / "config.json").read_text())
    assert recorded["image_size"] == 64 and recorded["quick"] is True and recorded["train_limit"] is None


def test_bad_option_value_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["cifar100", "--image-size", "big"])
    assert info.value.code == 2
    assert "--image-size: invalid int value: 'big'" in capsys.readouterr().err


def test_out_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    for out in (tmp_path / "notes.txt", tmp_path / "notes.txt" / "deeper"):
        assert main(["lowlight", "--out", str(out)]) == 2
        assert f"--out must be a folder, but {tmp_path / 'notes.txt'} is a file" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_missing_data_offline_exits_2_fast_with_guidance(tmp_path):
    """The acceptance check: no data, empty Keras cache, no network -> exit 2 within 60 s."""
    env = {
        **os.environ,
        "KERAS_HOME": str(tmp_path / "keras_home"),
        "KERAS_VISION_DATA": str(tmp_path / "none"),
        "KERAS_VISION_OFFLINE": "1",
    }
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "keras_vision.run", "mnist", "--out", str(tmp_path / "runs")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 2, done.stderr
    assert seconds < 60
    assert "Traceback" not in done.stderr
    for needle in ("train-images-idx3-ubyte.gz", "--data-dir", "KERAS_VISION_DATA", "https://"):
        assert needle in done.stderr, f"{needle!r} missing from:\n{done.stderr}"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["cifar100", "--arch", "resnet"], "Valid applications: densenet121, resnet50"),
        (["folder", "--arch", "mobilenet:alpha"], "KEY=VALUE"),
    ],
)
def test_bad_architecture_is_one_line_and_exit_2(argv, message, tmp_path, capsys):
    assert main([*argv, "--data-dir", str(tmp_path), "--out", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_package_warnings_print_as_one_line_and_others_as_python_prints_them(tmp_path, capsys):
    def show(message, category, filename, lineno, file=None, line=None):  # what Python's default does
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    original = warnings.formatwarning
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show  # pytest records warnings; print them as a program does
        with one_line_warnings():
            prepare_run_dir(tmp_path / "run", resume=True)
            warnings.warn("an old API", DeprecationWarning, stacklevel=1)
    err = capsys.readouterr().err.splitlines()
    resume = f"Nothing to resume in {tmp_path / 'run'} (no backup/ of an unfinished run): starting at epoch 1."
    assert err[0] == f"warning: {resume}"
    assert "DeprecationWarning: an old API" in err[1] and len(err) == 3  # class, then the source line
    assert warnings.formatwarning is original


def test_a_run_starts_with_its_own_line_and_no_tensorflow_chatter(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_VISION_DEBUG", "TF_CPP_MIN_LOG_LEVEL")}
    result = subprocess.run(
        [sys.executable, "-m", "keras_vision.run", "upsampling", "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("python -m keras_vision.run upsampling:")
    for chatter in ("absl::InitializeLog", "oneDNN", "cuda", "cuInit"):
        assert chatter not in result.stderr, result.stderr
