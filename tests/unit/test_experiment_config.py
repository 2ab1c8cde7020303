"""The experiment contract: options as a dataclass, presets, the CLI, the results table, any task."""

import errno
import json
import os
from pathlib import Path

import pytest

from keras_vision.data import DATASETS
from keras_vision.errors import UsageError
from keras_vision.experiments import EXPERIMENTS, Experiment, Metric, RunConfig, run_experiment
from keras_vision.experiments.base import run_lock
from keras_vision.experiments.options import STRATEGY_NAMES, TrainingOptions
from keras_vision.registry import Registry
from keras_vision.run import main
from keras_vision.training import STRATEGIES

PSNR = Metric("psnr", "PSNR (dB)", "{:.2f}")
PSNR_GAIN = Metric("psnr_gain", "PSNR gain (dB)", "{:+.2f}")


@pytest.fixture
def registry(monkeypatch):
    """A fresh experiment registry seen by `run_experiment` and the CLI."""
    fresh = Registry("experiment")
    monkeypatch.setattr("keras_vision.experiments.base.EXPERIMENTS", fresh)
    monkeypatch.setattr("keras_vision.run.EXPERIMENTS", fresh)
    return fresh


def register_toys(registry):
    from toy_experiments import ImageToImageConfig, TwoLossConfig

    registry.register(
        "sharpen",
        Experiment(
            name="sharpen",
            module="toy_experiments:run_image_to_image",
            summary="undo a blur",
            config=ImageToImageConfig,
            quick={"epochs": 15},
            headline=(PSNR, PSNR_GAIN),
        ),
    )
    registry.register(
        "pair",
        Experiment(
            name="pair",
            module="toy_experiments:run_two_losses",
            summary="two losses",
            config=TwoLossConfig,
            headline=(Metric("a_loss", "a loss"), Metric("b_loss", "b loss")),
        ),
    )


def test_presets_and_overrides():
    exp = EXPERIMENTS.get("mnist")
    assert exp.make_config().epochs == 3 and exp.make_config().train_limit is None
    quick = exp.make_config(quick=True)
    assert (quick.epochs, quick.train_limit, quick.test_limit, quick.quick) == (1, 6_000, 1_000, True)
    assert exp.make_config(quick=True, epochs=2).epochs == 2
    assert exp.make_config(quick=True, train_limit=None).train_limit is None  # explicit None wins over the preset
    assert exp.make_config(learning_rate=0.01).learning_rate == 0.01


def test_unknown_setting_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown run settings \['lr'\].*learning_rate"):
        EXPERIMENTS.get("mnist").make_config(lr=0.1)


def test_quick_preset_of_an_unknown_option_is_refused():
    with pytest.raises(ValueError, match="unknown options"):
        Experiment(name="x", module="x", summary="x", quick={"learning_rate": 0.1})


def test_every_experiment_is_complete():
    for name, exp in EXPERIMENTS.items():
        assert isinstance(exp, Experiment) and exp.summary and exp.headline, name
        assert all(dataset in DATASETS for dataset in exp.datasets), (name, exp.datasets)
        if issubclass(exp.config, TrainingOptions):
            full, quick = exp.make_config().epochs, exp.make_config(quick=True).epochs
            assert full is None or quick <= full, name  # None: each variant's own number of epochs
        assert isinstance(exp.make_config(quick=True), RunConfig)


def test_strategy_choices_match_the_training_registry():
    assert list(STRATEGY_NAMES) == STRATEGIES.names()


def test_image_to_image_experiment_runs_through_the_cli(registry, tmp_path, capsys):
    register_toys(registry)
    assert main(["sharpen", "--quick", "--batch-size", "16", "--out", str(tmp_path), "--learning-rate", "0.005"]) == 0
    out = capsys.readouterr().out
    assert "| variant | PSNR (dB) | PSNR gain (dB) |" in out
    metrics = json.loads((tmp_path / "sharpen" / "metrics.json").read_text())
    numbers = metrics["models"]["residual"]
    assert numbers["epochs"] == 15 and metrics["config"]["learning_rate"] == 0.005
    assert numbers["psnr_gain"] > 0.5, numbers  # starts as the identity; learns to sharpen its blurred input
    assert f"| residual | {numbers['psnr']:.2f} | {numbers['psnr_gain']:+.2f} |" in out
    csv_text = (tmp_path / "sharpen" / "results.csv").read_text().splitlines()
    assert csv_text[0] == "variant,psnr,psnr_gain" and csv_text[1].startswith("residual,")
    assert (tmp_path / "sharpen" / "results.md").read_text().startswith("| variant | PSNR (dB)")


def test_two_loss_model_trains_and_counts_epochs(registry, tmp_path, capsys):
    register_toys(registry)
    assert main(["pair", "--epochs", "3", "--batch-size", "16", "--out", str(tmp_path)]) == 0
    metrics = json.loads((tmp_path / "pair" / "metrics.json").read_text())
    numbers = metrics["models"]["pair"]
    assert numbers["epochs"] == 3  # counted without a "loss" column
    assert numbers["a_loss"] < numbers["first_a_loss"]
    assert "| variant | a loss | b loss |" in capsys.readouterr().out
    history = json.loads((tmp_path / "pair" / "pair" / "history.json").read_text())
    assert set(history) == {"a_loss", "b_loss"} and len(history["b_loss"]) == 3


def test_nan_in_the_second_loss_stops_the_run_with_exit_3(registry, tmp_path, capsys):
    register_toys(registry)
    code = main(["pair", "--epochs", "5", "--batch-size", "16", "--nan-after", "6", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "b_loss became nan in epoch 2" in err and "Traceback" not in err
    rows = (tmp_path / "pair" / "pair" / "history.csv").read_text().strip().splitlines()
    assert len(rows) == 1 + 2  # header, epoch 1, and the epoch it stopped in: not all 5


def test_run_writes_config_metrics_and_tables(registry, tmp_path):
    register_toys(registry)
    metrics = run_experiment(registry.get("pair").make_config(out=tmp_path, seed=3, epochs=1, batch_size=32))
    written = json.loads((tmp_path / "pair" / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))
    assert written["experiment"] == "pair" and written["config"]["seed"] == 3
    assert written["config"]["nan_after"] is None and written["config"]["out"] == str(tmp_path)
    assert json.loads((tmp_path / "pair" / "config.json").read_text())["epochs"] == 1
    assert [p.rsplit("/", 1)[-1] for p in written["tables"]] == ["results.md", "results.csv"]


def test_a_second_run_into_the_same_folder_stops_before_writing(registry, tmp_path):
    register_toys(registry)
    config = registry.get("pair").make_config(out=tmp_path, epochs=1, batch_size=32)
    config.run_dir.mkdir(parents=True)
    with run_lock(config.run_dir):  # the first run, still going
        with pytest.raises(UsageError, match=r"in use by a run still going \(pid \d+\).*another --out"):
            run_experiment(config)
        assert not (config.run_dir / "config.json").exists()
    assert run_experiment(config)["experiment"] == "pair"  # released when the first one ends


@pytest.mark.parametrize(
    "call, code, failing, message",
    [
        (
            "pwrite",
            errno.ENOSPC,
            ".lock",
            "Cannot write the run lock {run}/.lock: the disk (or your quota) is full: "
            "free some space there, or choose another --out.",
        ),
        (
            "open",
            errno.EROFS,
            ".lock",
            "Cannot create the run lock {run}/.lock: the file system is read-only: "
            "choose another --out on a writable disk.",
        ),
        (
            "mkdir",
            errno.EACCES,
            "pair",
            "Cannot create the run folder {run}: permission denied: make {out} writable, or choose another --out.",
        ),
    ],
)
def test_a_run_that_cannot_write_its_folder_or_lock_is_one_line_and_exit_2(
    registry, tmp_path, capsys, monkeypatch, call, code, failing, message
):
    register_toys(registry)
    real = getattr(os, call)

    def fails_on_the_run_folder(path, *args, **kwargs):  # pwrite gets a descriptor: it always fails
        if isinstance(path, int) or os.fspath(path).endswith(failing):
            raise OSError(code, os.strerror(code), None if isinstance(path, int) else os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, call, fails_on_the_run_folder)
    assert main(["pair", "--epochs", "1", "--batch-size", "32", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message.format(run=tmp_path / "pair", out=tmp_path) in err and "Traceback" not in err
    assert not (tmp_path / "pair" / "config.json").exists()


def test_a_full_disk_while_writing_config_json_keeps_the_old_file_and_is_one_line(
    registry, tmp_path, capsys, monkeypatch
):
    register_toys(registry)
    (tmp_path / "pair").mkdir()
    (tmp_path / "pair" / "config.json").write_text('{"old": true}\n')
    real = Path.write_text

    def disk_full(path, *args, **kwargs):
        if "config.json" in path.name:  # the temporary file beside it, then the rename
            real(path, '{"half')  # the disk fills up in the middle of the write
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", disk_full)
    assert main(["pair", "--epochs", "1", "--batch-size", "32", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"Cannot write {tmp_path / 'pair' / 'config.json'}: the disk (or your quota) is full" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in (tmp_path / "pair").iterdir()) == [".lock", "config.json"]
    assert (tmp_path / "pair" / "config.json").read_text() == '{"old": true}\n'


def test_an_out_name_too_long_for_the_file_system_is_one_line(tmp_path, capsys):
    assert main(["mnist", "--out", str(tmp_path / ("x" * 300))]) == 2
    err = capsys.readouterr().err
    assert "Cannot use" in err and "File name too long" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["mnist", "--epochs", "0"], "--epochs must be at least 1. Received: 0."),
        (["mnist", "--batch-size", "-5"], "--batch-size must be at least 1. Received: -5."),
        (["cifar100", "--image-size", "16"], "--image-size must be at least 32. Received: 16."),
        (["mnist", "--learning-rate", "0"], "--learning-rate must be at least"),
    ],
)
def test_out_of_range_options_are_one_line_and_exit_2(argv, message, tmp_path, capsys):
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / argv[0]).exists()  # refused before anything ran


def test_python_callers_get_the_same_checks():
    with pytest.raises(ValueError, match="--strategy must be one of default, mirrored, multi_worker"):
        EXPERIMENTS.get("mnist").make_config(strategy="gpu")
