"""The `augmentation` experiment on a tiny CIFAR-10 in the official pickle format."""

import json

import cv2
import numpy as np
import official_formats as of
import pytest
from scipy import stats

from keras_vision.experiments import EXPERIMENTS, run_experiment
from keras_vision.experiments.augmentation import training_data
from keras_vision.run import main


@pytest.fixture
def tiny_cifar10(tmp_path):
    rng = np.random.default_rng(0)
    of.write_cifar10(
        tmp_path / "data", of.random_split(rng, 20, (32, 32, 3), 10), of.random_split(rng, 40, (32, 32, 3), 10)
    )
    return tmp_path / "data"


def test_augmentation_figure_and_speed_table(tiny_cifar10, tmp_path, capsys):
    exp = EXPERIMENTS.get("augmentation")
    config = exp.make_config(
        quick=True, data_dir=tiny_cifar10, out=tmp_path, sizes="32,48", batch_size=16, seconds=0.05, test_limit=40
    )
    metrics = run_experiment(config)
    assert set(metrics["sizes"]) == {"32", "48"}
    for side, rates in metrics["sizes"].items():
        assert {"imagedatagenerator", "keras_layers", "fast"} <= set(rates)
        assert all(rates[name] > 0 for name in ("imagedatagenerator", "keras_layers", "fast"))
        assert rates["fast_vs_imagedatagenerator"] == pytest.approx(
            rates["fast"] / rates["imagedatagenerator"], rel=0.01
        )
        assert (tmp_path / "augmentation" / f"{side}px" / "augmentation.png").stat().st_size > 1000
    assert metrics["data"]["images"] == 40
    assert list(metrics["training"]) == ["none", "imagedatagenerator", "fast"]
    for name, record in metrics["training"].items():
        history = json.loads((tmp_path / "augmentation" / name / "history.json").read_text())
        assert len(history["accuracy"]) == record["epochs"] == 3  # the --quick epochs, the same for all
        assert record["gap"] == pytest.approx(record["train_accuracy"] - record["test_accuracy"])
        assert 0 < record["seconds_per_epoch"] <= record["wall_seconds_per_epoch"]
    assert metrics["data"]["train"] == 20 and metrics["data"]["test"] == 40
    assert (tmp_path / "augmentation" / "training_curves.png").stat().st_size > 1000
    table = (tmp_path / "augmentation" / "results.md").read_text()
    assert table.splitlines()[0].startswith("| variant | ImageDataGenerator img/s")
    assert json.loads((tmp_path / "augmentation" / "config.json").read_text())["sizes"] == "32,48"


def test_bad_sizes_are_a_usage_error(tiny_cifar10, tmp_path, capsys):
    assert main(["augmentation", "--data-dir", str(tiny_cifar10), "--sizes", "32,x", "--out", str(tmp_path)]) == 2
    assert "--sizes takes image sides" in capsys.readouterr().err


def test_options_reach_the_augmentation_and_bad_ones_are_usage_errors(tiny_cifar10, tmp_path, capsys):
    common = ["augmentation", "--data-dir", str(tiny_cifar10), "--out", str(tmp_path), "--sizes", "32"]
    fast = ["--rounds", "1", "--seconds", "0.05", "--test-limit", "20", "--batch-size", "8"]
    assert main([*common, *fast, "--no-horizontal-flip", "--rotation", "5", "--no-train"]) == 0
    recorded = json.loads((tmp_path / "augmentation" / "metrics.json").read_text())["augmentation"]
    assert recorded["horizontal_flip"] is False and recorded["rotation_range"] == 5.0
    assert "training" not in json.loads((tmp_path / "augmentation" / "metrics.json").read_text())  # --no-train
    assert main([*common, "--rotation", "-5"]) == 2
    assert "--rotation must be at least 0.0" in capsys.readouterr().err


def test_repeats_train_every_pipeline_with_each_seed_and_average(tiny_cifar10, tmp_path):
    exp = EXPERIMENTS.get("augmentation")
    options = {"sizes": "32", "seconds": 0.05, "test_limit": 20, "batch_size": 8, "epochs": 1}
    config = exp.make_config(quick=True, data_dir=tiny_cifar10, out=tmp_path, seed=3, repeats=2, **options)
    metrics = run_experiment(config)
    for name, record in metrics["training"].items():
        assert record["seeds"] == [3, 4]
        seeds = record["per_seed"]
        assert list(seeds) == ["3", "4"]
        for seed in (3, 4):  # each seed trained in its own folder, with its own seed
            history = json.loads((tmp_path / "augmentation" / f"{name}-seed{seed}" / "history.json").read_text())
            assert len(history["accuracy"]) == 1
        accuracies = [seeds[s]["test_accuracy"] for s in ("3", "4")]
        assert record["test_accuracy"] == pytest.approx(np.mean(accuracies))
        assert record["test_accuracy_sd"] == pytest.approx(abs(accuracies[0] - accuracies[1]) / np.sqrt(2))
        assert record["seed"] == 3  # the other numbers are the first seed's
    comparison = metrics["comparison"]["fast_minus_imagedatagenerator"]
    fast, idg = metrics["training"]["fast"]["per_seed"], metrics["training"]["imagedatagenerator"]["per_seed"]
    assert comparison["per_seed"]["4"] == pytest.approx(fast["4"]["test_accuracy"] - idg["4"]["test_accuracy"])
    assert comparison["mean"] == pytest.approx(
        metrics["training"]["fast"]["test_accuracy"] - metrics["training"]["imagedatagenerator"]["test_accuracy"]
    )
    table = (tmp_path / "augmentation" / "results.md").read_text()
    assert "sd over seeds" in table.splitlines()[0]


def test_one_repeat_keeps_the_plain_folders_and_no_spread(tiny_cifar10, tmp_path, capsys):
    common = ["augmentation", "--data-dir", str(tiny_cifar10), "--out", str(tmp_path), "--sizes", "32"]
    fast = ["--rounds", "1", "--seconds", "0.05", "--test-limit", "20", "--batch-size", "8", "--epochs", "1"]
    assert main([*common, *fast, "--train-limit", "16", "--eval-limit", "16"]) == 0
    metrics = json.loads((tmp_path / "augmentation" / "metrics.json").read_text())
    assert metrics["training"]["fast"]["test_accuracy_sd"] is None
    assert metrics["training"]["fast"]["seeds"] == [0]
    assert (tmp_path / "augmentation" / "fast" / "history.json").is_file()
    assert main([*common, "--repeats", "0"]) == 2
    assert "--repeats must be at least 1" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:Please import `affine_transform`:DeprecationWarning")
@pytest.mark.parametrize("options", [{}, {"rotation": 15.0, "zoom": 0.1, "fill_mode": "constant"}])
def test_training_pipelines_draw_the_same_transforms_per_image(options, tmp_path):
    """ImageDataGenerator.flow and the fast pipeline, as the trainings build them, on 256 copies of one image.

    With one image, each output differs from it only by its random transform, so the distribution
    of the per-image distance to the original (and to its mirror image) compares the distributions
    of transforms; copies inside a batch must differ (a draw per image, not per batch) and the next
    epoch must draw afresh. The reference is Keras' own generator.
    """
    config = EXPERIMENTS.get("augmentation").make_config(out=tmp_path, **options)
    rng = np.random.default_rng(0)
    image = np.clip(cv2.GaussianBlur(rng.uniform(0, 255, (32, 32, 3)), (0, 0), 2), 0, 255).astype(np.uint8)
    x, y = np.repeat(image[None], 256, axis=0), np.zeros(256, np.int64)
    original = image.astype(np.float32) / 255
    distances = {}
    for name in ("imagedatagenerator", "fast"):
        batches = training_data(name, config)(x, y, 64)
        epochs = []
        for _ in range(2):
            epochs.append(np.concatenate([batches[i][0] for i in range(len(batches))]))
            batches.on_epoch_end()
        first, second = epochs
        assert first.dtype == np.float32 and 0 <= first.min() and first.max() <= 1  # rescaled to [0, 1]
        assert np.abs(first[:64] - first[:64].mean(axis=0)).mean() > 0.01, name  # one draw per image
        assert np.abs(first - second).mean() > 0.01, name  # each epoch draws afresh
        distances[name] = (
            np.abs(first - original).mean(axis=(1, 2, 3)),
            np.abs(first - original[:, ::-1]).mean(axis=(1, 2, 3)),
        )
    for keras_distance, fast_distance in zip(distances["imagedatagenerator"], distances["fast"]):
        assert stats.ks_2samp(keras_distance, fast_distance).pvalue > 1e-3
    mirrored = {name: np.mean(plain > flipped) for name, (plain, flipped) in distances.items()}
    assert abs(mirrored["fast"] - mirrored["imagedatagenerator"]) < 0.15, mirrored
