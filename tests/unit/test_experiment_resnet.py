"""The `resnet` experiment on a tiny CIFAR-10 in the official pickle format (real-data numbers: README)."""

import json

import numpy as np
import official_formats as of
import pytest

from keras_vision.experiments import EXPERIMENTS, run_experiment
from keras_vision.experiments.resnet import candidate, error_history, parse_depths
from keras_vision.run import build_parser, main


@pytest.fixture
def tiny_cifar10(tmp_path):
    rng = np.random.default_rng(0)
    of.write_cifar10(
        tmp_path / "data", of.random_split(rng, 48, (32, 32, 3), 10), of.random_split(rng, 16, (32, 32, 3), 10)
    )
    return tmp_path / "data"


def test_four_networks_with_errors_and_one_figure(tiny_cifar10, tmp_path):
    exp = EXPERIMENTS.get("resnet")
    config = exp.make_config(
        quick=True, data_dir=tiny_cifar10, out=tmp_path, depths="8,14", epochs=2, batch_size=16, verbose="silent"
    )
    metrics = run_experiment(config)
    assert list(metrics["models"]) == ["plain8", "plain14", "resnet8", "resnet14"]
    for name, record in metrics["models"].items():
        history = json.loads((tmp_path / "resnet" / name / "history.json").read_text())
        assert record["train_error"] == pytest.approx(1 - history["accuracy"][-1])
        assert record["test_error"] == pytest.approx(1 - record["test_accuracy"])
        assert 0 <= record["test_accuracy"] <= 1 and record["epochs"] == 2
    assert metrics["models"]["plain8"]["params"] == metrics["models"]["resnet8"]["params"]  # zero-padding shortcuts
    assert metrics["degradation"]["plain"] == pytest.approx(
        metrics["models"]["plain14"]["train_error"] - metrics["models"]["plain8"]["train_error"]
    )
    assert (tmp_path / "resnet" / "error_curves.png").stat().st_size > 1000
    table = (tmp_path / "resnet" / "results.md").read_text()
    assert table.splitlines()[0].startswith("| variant | training error | test error")


def test_error_history_is_one_minus_accuracy():
    history = error_history({"accuracy": [0.25, 0.5], "val_accuracy": [0.2, 0.4], "loss": [2.0, 1.0]})
    assert history == {"error": [0.75, 0.5], "val_error": [0.8, 0.6]}


@pytest.mark.parametrize("text", ["20", "20,20", "20,57", "a,b", "20,56,110", ""])
def test_bad_depths_are_usage_errors(text, tiny_cifar10, tmp_path, capsys):
    assert main(["resnet", "--data-dir", str(tiny_cifar10), "--out", str(tmp_path), "--depths", text]) == 2
    err = capsys.readouterr().err
    assert "--depths takes two different depths 6n + 2" in err and "Traceback" not in err


def test_depths_are_sorted():
    assert parse_depths("56, 20") == (20, 56)


@pytest.mark.parametrize("flag, residual_gamma", [([], 0.0), (["--no-zero-init-residual"], 1.0)])
def test_zero_init_residual_reaches_the_residual_networks_only(flag, residual_gamma, tmp_path):
    exp = EXPERIMENTS.get("resnet")
    args = build_parser().parse_args(["resnet", "--quick", *flag])
    config = exp.make_config(
        quick=True, out=tmp_path, **{k: v for k, v in vars(args).items() if k == "zero_init_residual"}
    )
    resnet, plain = (candidate(config, 8, residual=r).build(10) for r in (True, False))
    assert np.all(resnet.get_layer("conv3_block1_2_bn").gamma.numpy() == residual_gamma)
    assert np.all(plain.get_layer("conv3_block1_2_bn").gamma.numpy() == 1.0)  # plain blocks keep their signal
    assert resnet.count_params() == plain.count_params()
