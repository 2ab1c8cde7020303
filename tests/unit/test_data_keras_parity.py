"""Our loaders against Keras' own `load_data()` code, run on the same tiny official-format files.

Keras' download step (`get_file`) is replaced by "the file is here"; everything after it (reading,
reshaping, dtype choices) is the installed Keras code, so these are independent references for
the exact arrays, dtypes and shapes `keras.datasets` returns.
"""

import numpy as np
import official_formats as of
import pytest

from keras_vision.data import load_cifar100, load_fashion_mnist, load_mnist
from keras_vision.data.registry import CIFAR100_CLASS_NAMES, CIFAR100_COARSE_CLASS_NAMES

keras = pytest.importorskip("keras")


pytestmark = pytest.mark.usefixtures("offline_data")


def keras_loader(monkeypatch, module_name, get_file):
    import importlib

    module = importlib.import_module(f"keras.src.datasets.{module_name}")
    monkeypatch.setattr(module, "get_file", get_file)
    return module.load_data


def assert_same(ours, theirs):
    for (x, y), (kx, ky) in zip(ours, theirs):
        for a, b in ((x, kx), (y, ky)):
            assert (a.dtype, a.shape) == (b.dtype, b.shape)
            np.testing.assert_array_equal(a, b)


@pytest.fixture
def digits():
    rng = np.random.default_rng(0)
    return of.random_split(rng, 5, (28, 28), 10), of.random_split(rng, 3, (28, 28), 10)


def test_mnist_npz_matches_keras(tmp_path, monkeypatch, digits):
    path = of.write_mnist_npz(tmp_path / "mnist.npz", *digits)
    theirs = keras_loader(monkeypatch, "mnist", lambda fname, **kwargs: str(path))()
    assert_same(load_mnist(tmp_path), theirs)


def test_fashion_mnist_idx_matches_keras(tmp_path, monkeypatch, digits):
    of.write_mnist_idx(tmp_path, *digits)
    theirs = keras_loader(monkeypatch, "fashion_mnist", lambda fname, **kwargs: str(tmp_path / fname))()
    assert_same(load_fashion_mnist(tmp_path), theirs)
    assert_same(load_mnist(tmp_path), theirs)  # MNIST's IDX files have the same names and layout


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_matches_keras(tmp_path, monkeypatch, label_mode):
    rng = np.random.default_rng(2)
    splits = [
        (rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8), rng.integers(0, 100, n), rng.integers(0, 20, n))
        for n in (5, 3)
    ]
    of.write_cifar100(tmp_path, *splits, fine_names=CIFAR100_CLASS_NAMES, coarse_names=CIFAR100_COARSE_CLASS_NAMES)
    theirs = keras_loader(monkeypatch, "cifar100", lambda fname, **kwargs: str(tmp_path))(label_mode=label_mode)
    assert_same(load_cifar100(label_mode, data_dir=tmp_path), theirs)


def test_cifar10_batches_match_keras_batch_reader(tmp_path):
    # keras.datasets.cifar10 needs full 10,000-image batches; compare its per-batch reader instead.
    from keras.src.datasets.cifar import load_batch

    from keras_vision.data import load_cifar10

    rng = np.random.default_rng(3)
    train, test = of.random_split(rng, 10, (32, 32, 3), 10), of.random_split(rng, 2, (32, 32, 3), 10)
    folder = of.write_cifar10(tmp_path, train, test)
    (x_train, y_train), (x_test, y_test) = load_cifar10(tmp_path)
    chunks = [load_batch(str(folder / f"data_batch_{i}")) for i in range(1, 6)]
    keras_x = np.concatenate([x for x, _ in chunks]).transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(x_train, keras_x)
    np.testing.assert_array_equal(y_train.ravel(), np.concatenate([y for _, y in chunks]))
    kx, ky = load_batch(str(folder / "test_batch"))
    np.testing.assert_array_equal(x_test, kx.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_test.ravel(), ky)
