"""`fashion_mnist` and `cifar10` through the CLI on tiny files in the official formats."""

import json

import numpy as np
import official_formats as of

from keras_vision.run import main


def test_fashion_mnist_cli_trains_the_chosen_variants(tmp_path, capsys):
    rng = np.random.default_rng(0)
    of.write_mnist_idx(
        tmp_path / "data" / "fashion-mnist",
        of.random_split(rng, 60, (28, 28), 10),
        of.random_split(rng, 20, (28, 28), 10),
    )
    argv = [
        "fashion_mnist",
        "--data-dir",
        str(tmp_path / "data"),
        "--epochs",
        "1",
        "--batch-size",
        "16",
        "--variants",
        "ann",
        "--out",
        str(tmp_path / "runs"),
        "--verbose",
        "silent",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    metrics = json.loads((tmp_path / "runs" / "fashion_mnist" / "metrics.json").read_text())
    assert list(metrics["models"]) == ["ann"] and metrics["models"]["ann"]["epochs"] == 1
    assert metrics["data"]["train"] == 54 and metrics["data"]["validation"] == 6 and metrics["data"]["test"] == 20
    assert f"| ann | {metrics['models']['ann']['test_accuracy']:.2%} |" in out


def test_unknown_variant_is_a_usage_error(tmp_path, capsys):
    assert main(["cifar10", "--variants", "cnn,resnet", "--out", str(tmp_path)]) == 2
    assert "Valid variants: fcn_small, fcn_large, cnn" in capsys.readouterr().err


def test_fashion_mnist_trains_under_the_strategy_it_is_given(tmp_path, capsys):
    rng = np.random.default_rng(0)
    data = tmp_path / "data"
    of.write_mnist_idx(
        data / "fashion-mnist", of.random_split(rng, 40, (28, 28), 10), of.random_split(rng, 10, (28, 28), 10)
    )
    common = ["fashion_mnist", "--quick", "--data-dir", str(data), "--epochs", "1", "--variants", "ann"]
    common += ["--batch-size", "16", "--verbose", "silent"]
    assert main([*common, "--out", str(tmp_path / "default")]) == 0
    assert "--strategy default: _DefaultDistributionStrategy, 1 replica" in capsys.readouterr().out
    assert main([*common, "--out", str(tmp_path / "mirrored"), "--strategy", "mirrored"]) == 0
    assert "--strategy mirrored: MirroredStrategy, " in capsys.readouterr().out
