"""The from-scratch comparisons (`fashion_mnist`, `cifar10`) on tiny files in the official formats."""

import json

import numpy as np
import official_formats as of
import pytest

from keras_vision.augment import augment_pad_crop_flip
from keras_vision.data.split import holdout_split
from keras_vision.errors import UsageError
from keras_vision.experiments import EXPERIMENTS, run_experiment
from keras_vision.experiments.scratch import CIFAR10_RECIPES, prepare_cifar10, prepare_fashion_mnist
from keras_vision.models import with_standardization


def train_from_scratch(dataset, out, **options):
    """Runs the `dataset` experiment (`fashion_mnist` or `cifar10`) into `out` as the runner does."""
    if "variants" in options:
        options["variants"] = ",".join(options["variants"])
    return run_experiment(EXPERIMENTS.get(dataset).make_config(out=out, **options))


def test_fashion_mnist_preprocessing_as_taught():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    y = np.array([0, 9, 3, 3, 1], dtype=np.uint8)
    images, labels = prepare_fashion_mnist(x, y)
    assert images.shape == (5, 28, 28, 1) and images.dtype == np.float32
    np.testing.assert_allclose(images[..., 0], x / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(labels, np.eye(10)[y])


def test_cifar10_labels_from_a_column():
    x = np.zeros((3, 32, 32, 3), np.uint8)
    _, labels = prepare_cifar10(x, np.array([[2], [0], [9]], np.uint8))
    np.testing.assert_array_equal(labels.argmax(axis=1), [2, 0, 9])


def test_holdout_takes_the_end():
    x, y = np.arange(20), np.arange(20) * 2
    (x_train, y_train), (x_val, y_val) = holdout_split(x, y, 0.1)
    assert x_train.tolist() == list(range(18)) and x_val.tolist() == [18, 19] and y_val.tolist() == [36, 38]
    with pytest.raises(ValueError, match="fraction"):
        holdout_split(x, y, 1.5)


def test_standardization_centres_each_channel():
    import keras

    x = np.random.default_rng(0).uniform(0, 1, (40, 4, 4, 3)).astype(np.float32) * np.float32([1, 2, 3])
    inner = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Identity()])
    out = np.asarray(with_standardization(inner, x)(x))
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-3)
    np.testing.assert_allclose(out, (x - x.mean(axis=(0, 1, 2))) / x.std(axis=(0, 1, 2)), atol=1e-4)


def _crops_and_flips(image, pad):
    """Every crop of the zero-padded image at each shift, and its mirror image (computed in NumPy)."""
    h, w = image.shape[:2]
    padded = np.pad(image, ((pad, pad), (pad, pad), (0, 0)))
    crops = [padded[i : i + h, j : j + w] for i in range(2 * pad + 1) for j in range(2 * pad + 1)]
    return crops + [c[:, ::-1] for c in crops]


def test_augmentation_is_a_shifted_and_maybe_flipped_copy():
    rng = np.random.default_rng(0)
    x = rng.uniform(0.1, 1.0, (16, 8, 8, 3)).astype(np.float32)
    ids = np.arange(16)
    batches = list(augment_pad_crop_flip(x, ids, batch_size=16, pad=2, seed=1))
    images, labels = (np.asarray(t) for t in batches[0])
    assert images.shape == x.shape and sorted(labels.tolist()) == ids.tolist()  # every image once
    for image, label in zip(images, labels):
        assert any(np.array_equal(image, c) for c in _crops_and_flips(x[label], 2))
    changed = sum(not np.array_equal(image, x[label]) for image, label in zip(images, labels))
    assert changed >= 8  # 1 - (1/25 * 1/2) of images move: most do


def _tiny_fashion(root, rng):
    train = of.random_split(rng, 60, (28, 28), 10)
    test = of.random_split(rng, 20, (28, 28), 10)
    of.write_mnist_idx(root / "fashion-mnist", train, test)
    return root


def test_fashion_mnist_writes_metrics_and_figures(offline_data, tmp_path):
    data = _tiny_fashion(tmp_path / "data", np.random.default_rng(0))
    metrics = train_from_scratch(
        "fashion_mnist", tmp_path / "out", data_dir=data, epochs=1, batch_size=16, verbose="silent"
    )
    saved = json.loads((tmp_path / "out" / "fashion_mnist" / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(metrics))
    assert set(saved["models"]) == {"ann", "cnn"}
    assert saved["models"]["ann"]["params"] == 784 * 128 + 128 + 128 * 10 + 10
    assert saved["data"] == {**saved["data"], "train": 54, "validation": 6, "test": 20}
    for record in saved["models"].values():
        assert 0 <= record["test_accuracy"] <= 1 and record["epochs"] == 1 and record["seconds_per_epoch"] > 0
    run = tmp_path / "out" / "fashion_mnist"
    assert (run / "curves.png").stat().st_size > 0 and (run / "confusion_matrix.png").stat().st_size > 0
    assert (run / "cnn" / "history.csv").exists() and (run / "cnn" / "final.keras").exists()


def test_cifar10_all_variants_on_pickles(offline_data, tmp_path):
    rng = np.random.default_rng(1)
    of.write_cifar10(
        tmp_path / "data", of.random_split(rng, 50, (32, 32, 3), 10), of.random_split(rng, 20, (32, 32, 3), 10)
    )
    metrics = train_from_scratch(
        "cifar10", tmp_path / "out", data_dir=tmp_path / "data", epochs=1, batch_size=16, verbose="silent"
    )
    assert list(metrics["models"]) == list(CIFAR10_RECIPES)
    assert metrics["best"] in CIFAR10_RECIPES
    assert metrics["models"]["fcn_small"]["params"] == 3072 * 100 + 100 + 100 * 20 + 20 + 20 * 10 + 10


def test_unknown_variant_lists_the_valid_ones(offline_data, tmp_path):
    _tiny_fashion(tmp_path / "data", np.random.default_rng(0))
    with pytest.raises(UsageError, match=r"Unknown variants \['mlp'\]. Valid variants: ann, cnn"):
        train_from_scratch("fashion_mnist", tmp_path / "out", data_dir=tmp_path / "data", variants=("mlp",))


@pytest.mark.parametrize(
    "variants, match",
    [
        (("resnet",), r"Unknown variants \['resnet'\]. Valid variants: ann, cnn"),
        (("cnn", "cnn"), r"Variants \['cnn'\] are named twice"),
    ],
)
def test_variants_are_checked_before_the_data_is_loaded(tmp_path, variants, match):
    with pytest.raises(UsageError, match=match):  # not DataNotFoundError: the folder is empty
        train_from_scratch("fashion_mnist", tmp_path / "out", data_dir=tmp_path / "empty", variants=variants)


@pytest.mark.slow
@pytest.mark.real_data
def test_quick_presets_on_real_data(shared_data, tmp_path):
    """The `--quick` presets of the catalog (a data subset, two epochs per variant)."""
    fashion = train_from_scratch(
        "fashion_mnist", tmp_path / "fashion", data_dir=shared_data, verbose="silent", quick=True
    )
    # far above chance (0.1) after two epochs on 5,400 images (measured: 78.5 % cnn, 79.7 % ann)
    assert fashion["models"]["cnn"]["test_accuracy"] > 0.7
    cifar = train_from_scratch("cifar10", tmp_path / "cifar10", data_dir=shared_data, verbose="silent", quick=True)
    assert cifar["models"]["fcn_small"]["test_accuracy"] > 0.25
