"""The transfer-learning experiments `cifar100`, `mnist_densenet` and `folder`, end to end.

Each runs its quick preset through `run_experiment` on tiny files written in the official formats
(CIFAR-100 `cifar-100-python.tar.gz`, MNIST IDX `.gz`, PNG class folders) with `weights="none"`,
tiny limits and one epoch, offline. DenseNet121 takes about a minute per variant just to build its
training graph on a 2-core CPU, so the `mnist_densenet` run is marked `slow`.
"""

import csv
import json

import keras
import numpy as np
import official_formats as of
import pytest

from keras_vision import network
from keras_vision.data.registry import CIFAR100_CLASS_NAMES, CIFAR100_COARSE_CLASS_NAMES
from keras_vision.errors import DataNotFoundError, UsageError, WeightsNotFoundError
from keras_vision.experiments import EXPERIMENTS, run_experiment
from keras_vision.run import main
from keras_vision.training import predict_in_whole_batches, whole_batches
from keras_vision.transfer import find_base, parse_arch_list, parse_arch_spec, set_batchnorm_momentum
from keras_vision.transfer.batchnorm import BATCHNORM_NOTE

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Keras' MobileNet with alpha=0.25 ends in 1024 * 0.25 = 256 channels (keras.applications source).
MOBILENET_025_FEATURES = 256


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No download attempt: the tests see only the files they write (KERAS_HOME is a temp dir)."""
    monkeypatch.setattr(network, "downloads_available", lambda *args, **kwargs: False)


def assert_png(path):
    assert path.is_file() and path.read_bytes()[:8] == PNG_SIGNATURE, path


def run(name, tmp_path, **overrides):
    config = EXPERIMENTS.get(name).make_config(quick=True, out=tmp_path / "runs", verbose="silent", **overrides)
    metrics = run_experiment(config)
    written = json.loads((config.run_dir / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))
    return written, config.run_dir


# --- small helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("mobilenetv2", ("mobilenetv2", {})),
        ("DenseNet121", ("densenet121", {})),
        ("mobilenet:alpha=0.25", ("mobilenet", {"alpha": 0.25})),
        ("mobilenet:alpha=0.5:depth_multiplier=1", ("mobilenet", {"alpha": 0.5, "depth_multiplier": 1})),
    ],
)
def test_parse_arch_spec(spec, expected):
    assert parse_arch_spec(spec) == expected


@pytest.mark.parametrize(
    "spec, message",
    [
        ("resnet9", "Valid applications: densenet121"),
        ("mobilenet:alpha", "KEY=VALUE"),
        ("mobilenet:=3", "KEY=VALUE"),
    ],
)
def test_parse_arch_spec_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_arch_spec(spec)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mobilenetv2,mobilenet", [("mobilenetv2", {}), ("mobilenet", {})]),
        (" mobilenet:alpha=0.25 , vgg16 ", [("mobilenet", {"alpha": 0.25}), ("vgg16", {})]),
    ],
)
def test_parse_arch_list(text, expected):
    assert parse_arch_list(text) == expected


def test_empty_arch_list_is_refused():
    with pytest.raises(ValueError, match="at least one architecture"):
        parse_arch_list(" , ")


@pytest.mark.parametrize("n, batch, kept", [(10, 4, 8), (8, 4, 8), (3, 4, 3)])
def test_whole_batches_drops_only_the_incomplete_batch(n, batch, kept):
    x, y = np.arange(n * 2).reshape(n, 2), np.arange(n)
    got_x, got_y = whole_batches(x, y, batch)
    np.testing.assert_array_equal(got_x, x[:kept])
    np.testing.assert_array_equal(got_y, y[:kept])


@pytest.mark.parametrize("n, batch", [(7, 3), (6, 3), (2, 5)])
def test_padded_prediction_equals_plain_prediction(n, batch):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(n).random((n, 4)).astype("float32")
    np.testing.assert_allclose(predict_in_whole_batches(model, x, batch), model.predict(x, verbose=0), rtol=1e-5)


def test_set_batchnorm_momentum_reaches_nested_models():
    inner = keras.Sequential(
        [keras.Input((4,)), keras.layers.BatchNormalization(), keras.layers.Dense(4), keras.layers.BatchNormalization()]
    )
    inputs = keras.Input((4,))
    outer = keras.Model(inputs, keras.layers.BatchNormalization()(inner(inputs)))
    assert set_batchnorm_momentum(outer, 0.9) == 3
    found = [inner.layers[0], inner.layers[2], outer.layers[-1]]
    assert [layer.momentum for layer in found] == [0.9, 0.9, 0.9]


# --- cifar100 -----------------------------------------------------------------------------------


@pytest.fixture
def tiny_cifar100(tmp_path):
    """A CIFAR-100 `.tar.gz` in the official format: 40 training and 20 test images."""
    rng = np.random.default_rng(0)
    splits = []
    for n in (40, 20):
        x, fine = of.random_split(rng, n, (32, 32, 3), 100)
        splits.append((x, fine, fine // 5))
    of.write_cifar100(
        tmp_path / "data",
        *splits,
        fine_names=CIFAR100_CLASS_NAMES,
        coarse_names=CIFAR100_COARSE_CLASS_NAMES,
        archive=True,
    )
    return tmp_path / "data"


def test_cifar100_quick_feature_extraction_then_fine_tuning(tiny_cifar100, tmp_path):
    metrics, run_dir = run(
        "cifar100",
        tmp_path,
        data_dir=tiny_cifar100,
        arch="mobilenet:alpha=0.25",
        weights="none",
        train_limit=40,
        test_limit=20,
        epochs=1,
        batch_size=16,
        image_size=32,
    )  # the base's smallest input: fast
    config = EXPERIMENTS.get("cifar100").make_config()
    models = metrics["models"]
    assert list(models) == ["feature_extraction", "fine_tuning"]
    for phase in models.values():
        assert 0.0 <= phase["test_accuracy"] <= phase["top5_accuracy"] <= 1.0
        assert np.isfinite(phase["test_loss"])
    head = models["feature_extraction"]
    assert head["trainable_params"] == (MOBILENET_025_FEATURES + 1) * 100  # one Dense softmax
    assert head["epochs"] == config.head_epochs_per_epoch
    assert models["fine_tuning"]["trainable_params"] > head["trainable_params"]
    assert len(models["fine_tuning"]["unfrozen_blocks"]) == config.fine_tune_blocks
    # 40 images: 4 validate, 36 train of which the last incomplete batch of 16 is dropped.
    assert metrics["data"] | {"source": None} == {
        "source": None,
        "label_mode": "fine",
        "train": 32,
        "validation": 4,
        "test": 20,
    }
    assert "cifar-100-python.tar.gz" in metrics["data"]["source"]
    assert metrics["transfer"]["arch_kwargs"] == {"alpha": 0.25}
    for name in ("curves.png", "misclassified.png"):
        assert_png(run_dir / name)
    assert len(list((run_dir / "features").glob("*.npy"))) == 3  # train, validation, test features
    for phase in models:
        assert len(json.loads((run_dir / phase / "history.json").read_text())["loss"]) >= 1


@pytest.mark.slow
def test_cifar100_compares_several_architectures_in_one_run(tiny_cifar100, tmp_path):
    metrics, run_dir = run(
        "cifar100",
        tmp_path,
        data_dir=tiny_cifar100,
        arch="mobilenet:alpha=0.25,mobilenet:alpha=0.5",
        weights="none",
        train_limit=40,
        test_limit=20,
        epochs=1,
        batch_size=16,
        image_size=32,
    )
    archs = ["mobilenet_alpha0.25", "mobilenet_alpha0.5"]
    assert list(metrics["models"]) == [f"{a}/{p}" for a in archs for p in ("feature_extraction", "fine_tuning")]
    # alpha 0.5 doubles the width: 512 features instead of 256 feed the 100-way head.
    heads = [metrics["models"][f"{a}/feature_extraction"]["trainable_params"] for a in archs]
    assert heads == [(MOBILENET_025_FEATURES + 1) * 100, (2 * MOBILENET_025_FEATURES + 1) * 100]
    assert set(metrics["transfer"]) == set(archs)
    for arch in archs:  # one folder per architecture, its own features and phases
        assert_png(run_dir / arch / "curves.png")
        assert len(list((run_dir / arch / "features").glob("*.npy"))) == 3
        assert (run_dir / arch / "fine_tuning" / "history.json").is_file()
    table = (run_dir / "results.md").read_text()
    assert all(f"| {a}/fine_tuning |" in table for a in archs)


def test_cifar100_without_data_raises_data_not_found(tmp_path):
    config = EXPERIMENTS.get("cifar100").make_config(
        quick=True, data_dir=tmp_path / "empty", out=tmp_path / "runs", weights="none"
    )
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataNotFoundError, match="cifar-100-python.tar.gz"):
        run_experiment(config)


def test_cifar100_cli_without_data_exits_2_with_guidance(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code = main(["cifar100", "--quick", "--data-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 2
    assert "cifar-100-python.tar.gz" in err and "--data-dir" in err and "KERAS_VISION_DATA" in err
    assert "Traceback" not in err


def test_cifar100_cli_without_imagenet_weights_exits_2_with_guidance(tiny_cifar100, tmp_path, capsys):
    code = main(
        [
            "cifar100",
            "--quick",
            "--data-dir",
            str(tiny_cifar100),
            "--out",
            str(tmp_path / "runs"),
            "--weights",
            "imagenet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    # MobileNetV2 at 96 px has its own ImageNet file (keras.applications.mobilenet_v2 source).
    assert "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5" in err
    assert "Traceback" not in err


def test_weights_not_found_is_the_library_error(tiny_cifar100, tmp_path):
    config = EXPERIMENTS.get("cifar100").make_config(quick=True, data_dir=tiny_cifar100, out=tmp_path / "runs")
    with pytest.raises(WeightsNotFoundError):
        run_experiment(config)


# --- folder ---------------------------------------------------------------------------------------


@pytest.fixture
def imbalanced_folders(tmp_path):
    """PNG class folders train/<class>/, test/<class>/ with 16, 8 and 4 training images."""
    rng = np.random.default_rng(1)
    counts = {"train": (16, 8, 4), "test": (4, 4, 4)}
    splits = {}
    for split, per_class in counts.items():
        y = np.repeat(np.arange(3), per_class)
        splits[split] = (rng.integers(0, 256, size=(len(y), 20, 24, 3), dtype=np.uint8), y)
    return of.write_class_folders(
        tmp_path / "photos", splits, ["cat", "dog", "fox"], archive=str(tmp_path / "photos.tar.gz")
    )


# slow: two MobileNets trained end to end; folder's quick preset also runs in the option-reading test
@pytest.mark.slow
def test_folder_quick_compares_architectures(imbalanced_folders, tmp_path):
    metrics, run_dir = run(
        "folder",
        tmp_path,
        data_dir=imbalanced_folders,
        arch="mobilenet:alpha=0.25,mobilenet:alpha=0.5",
        weights="none",
        augmentations="none",
        epochs=1,
        batch_size=8,
        image_size=32,
    )
    variants = ["mobilenet_alpha0.25-scratch-none", "mobilenet_alpha0.5-scratch-none"]
    assert list(metrics["models"]) == variants
    data = metrics["data"]
    assert data["class_names"] == ["cat", "dog", "fox"] and data["test"] == 12
    assert data["train_per_class"] == {"cat": 16, "dog": 8, "fox": 4}
    # "balanced": n_samples / (n_classes * count), as scikit-learn documents it.
    assert data["class_weight"] == pytest.approx({"cat": 28 / 48, "dog": 28 / 24, "fox": 28 / 12}, abs=1e-4)
    for variant in variants:
        numbers = metrics["models"][variant]
        cm = np.array(numbers["confusion_matrix"])
        assert cm.shape == (3, 3) and cm.sum() == 12 and list(cm.sum(axis=1)) == [4, 4, 4]
        assert numbers["test_accuracy"] == pytest.approx(np.trace(cm) / 12)
        assert 0.0 <= numbers["val_accuracy"] <= 1.0
        assert numbers["trainable_params"] > numbers["params"] // 2  # from scratch: every layer learns
        # The error analysis agrees with the confusion matrix: its largest off-diagonal cell first.
        off = cm - np.diag(np.diag(cm))
        if off.max() > 0:
            assert numbers["most_confused"][0]["count"] == off.max()
        assert len(numbers["most_confident_mistakes"]) == min(10, 12 - np.trace(cm))
    for figure in ("curves.png", "confusion_matrix.png", "misclassified.png", "confident_mistakes.png"):
        assert_png(run_dir / figure)


def test_folder_with_pretrained_weights_trains_the_head_then_fine_tunes(imbalanced_folders, tmp_path):
    base = keras.applications.MobileNet(include_top=False, weights=None, input_shape=(32, 32, 3), alpha=0.25)
    weights = tmp_path / "mobilenet_025.weights.h5"
    base.save_weights(weights)
    metrics, run_dir = run(
        "folder",
        tmp_path,
        data_dir=imbalanced_folders,
        arch="mobilenet:alpha=0.25",
        weights=str(weights),
        augmentations="none,full",
        fine_tune="2",
        epochs=1,
        batch_size=8,
        image_size=32,
    )
    models = metrics["models"]
    names = [f"mobilenet_alpha0.25-{phase}-{aug}" for aug in ("none", "full") for phase in ("head", "finetune")]
    assert list(models) == names
    for aug in ("none", "full"):
        head, finetune = models[f"mobilenet_alpha0.25-head-{aug}"], models[f"mobilenet_alpha0.25-finetune-{aug}"]
        assert head["trainable_params"] == (MOBILENET_025_FEATURES + 1) * 3  # the new Dense head only
        assert head["augmentation"] == finetune["augmentation"] == aug
        # --fine-tune 2: MobileNet's top blocks, its units 12-13 (stage5) and 6-11 (stage4).
        assert finetune["unfrozen_blocks"] == ["stage4", "stage5"]
        assert head["trainable_params"] < finetune["trainable_params"] < finetune["params"]
        # 16 BatchNormalization layers in units 6-13 (one after each depthwise and pointwise conv), kept frozen.
        assert finetune["frozen_batchnorm"] == 16
        for record in (head, finetune):
            assert 0.0 <= record["val_accuracy"] <= 1.0 and 0.0 <= record["test_accuracy"] <= 1.0
    # After fine-tuning, the frozen blocks and the batch-norm statistics of the unfrozen ones are
    # still the pretrained values (batch norm in inference mode); the unfrozen convolutions learn.
    # (Their values may not move here: random "pretrained" weights with batch-norm statistics 0 and
    # 1 saturate MobileNet's ReLU6, so their gradients can be exactly zero.)
    pretrained = {w.path: w.numpy() for w in base.weights}
    tuned = keras.models.load_model(run_dir / "mobilenet_alpha0.25-finetune-none" / "final.keras")
    tuned_base, _ = find_base(tuned.get_layer("mobilenet_classifier"))
    after = {w.path: w.numpy() for w in tuned_base.weights}
    for path in ("conv1/kernel", "conv_pw_5/kernel", "conv_pw_13_bn/moving_mean", "conv_pw_13_bn/gamma"):
        np.testing.assert_array_equal(after[_path(after, path)], pretrained[_path(pretrained, path)])
    trainable = {
        name: tuned_base.get_layer(name).trainable for name in ("conv1", "conv_pw_5", "conv_pw_13", "conv_pw_13_bn")
    }
    assert trainable == {"conv1": False, "conv_pw_5": False, "conv_pw_13": True, "conv_pw_13_bn": False}


def _path(weights: dict, suffix: str) -> str:
    return next(p for p in weights if p.endswith(suffix))


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"fine_tune": "6"}, "from 1 to 5 .*stem, stage2"),
        ({"fine_tune": "some"}, "none, all or a number"),
        ({"augmentations": "none,colour"}, "Valid augmentations: none, flip, geometric, full"),
        ({"augmentations": "full,full"}, "more than once"),
        ({"augmentations": "flip", "flip": "none"}, "--flip none"),
        ({"augmentations": " , "}, "at least one"),
        ({"hue": 0.7}, "--hue must be a number from 0 to 0.5"),
        ({"arch": "mobilenet,MobileNet"}, "architecture twice"),
    ],
)
def test_folder_refuses_bad_recipes_before_loading_anything(tmp_path, overrides, message):
    config = EXPERIMENTS.get("folder").make_config(
        quick=True, out=tmp_path / "runs", data_dir=tmp_path / "missing", **{"arch": "mobilenet", **overrides}
    )
    with pytest.raises(UsageError, match=message):
        run_experiment(config)


@pytest.mark.parametrize(
    "data_dir, message",
    [
        (None, "pass --data-dir DIR"),
        ("missing", "does not exist"),
    ],
)
def test_folder_without_data_explains_the_layout(tmp_path, data_dir, message):
    config = EXPERIMENTS.get("folder").make_config(
        quick=True,
        out=tmp_path / "runs",
        weights="none",
        data_dir=None if data_dir is None else tmp_path / data_dir,
    )
    with pytest.raises(DataNotFoundError, match=message) as error:
        run_experiment(config)
    assert "<class>" in str(error.value)


def test_folder_refuses_one_weights_file_for_several_architectures(tmp_path):
    config = EXPERIMENTS.get("folder").make_config(
        quick=True,
        out=tmp_path / "runs",
        data_dir=tmp_path,
        arch="mobilenet,mobilenetv2",
        weights=str(tmp_path / "w.h5"),
    )
    with pytest.raises(ValueError, match="one architecture"):
        run_experiment(config)


# --- mnist_densenet ----------------------------------------------------------------------------


@pytest.mark.slow
def test_mnist_densenet_quick_three_variants(tmp_path):
    rng = np.random.default_rng(2)
    of.write_mnist_idx(
        tmp_path / "data" / "mnist", of.random_split(rng, 40, (28, 28), 10), of.random_split(rng, 16, (28, 28), 10)
    )
    metrics, run_dir = run(
        "mnist_densenet",
        tmp_path,
        data_dir=tmp_path / "data",
        weights="none",
        train_limit=40,
        test_limit=16,
        epochs=1,
        batch_size=16,
    )
    models = metrics["models"]
    assert list(models) == ["all_trainable", "freeze_denseblock1", "freeze_denseblock1_2"]
    counts = [models[v]["trainable_params"] for v in models]
    assert counts[0] > counts[1] > counts[2]
    # DenseNet121 has 7,037,504 parameters without its top (Keras' documented size), plus the
    # new head 1024 * 10 + 10; BatchNormalization moving statistics are never trainable.
    assert all(models[v]["params"] == 7_037_504 + 10_250 for v in models)
    assert [models[v]["frozen_blocks"] for v in models] == [[], ["denseblock1"], ["denseblock1", "denseblock2"]]
    for numbers in models.values():
        assert 0.0 <= numbers["test_accuracy"] <= 1.0 and numbers["seconds_per_epoch"] > 0
    notes = " ".join(metrics["notes"])
    # 121 = 1 (stem) + 2 per dense layer x (6 + 12 + 24 + 16) + 3 (transitions) + 1 (final).
    assert BATCHNORM_NOTE.split(":")[0] in notes and "momentum 0.9" in notes and "121 BatchNormalization" in notes
    with open(run_dir / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["trainable_params"]) for row in rows] == counts
    assert "| freeze_denseblock1_2 |" in (run_dir / "results.md").read_text()
    assert_png(run_dir / "curves.png")
    history = json.loads((run_dir / "freeze_denseblock1" / "history.json").read_text())
    assert {"accuracy", "val_accuracy", "loss", "val_loss"} <= set(history)
