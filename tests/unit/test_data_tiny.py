"""The tiny offline stand-ins of `keras_vision.data.tiny`, read back by the ordinary loaders."""

import gzip

import numpy as np
import pytest

from keras_vision.data import load_cifar10, load_cifar100, load_mnist, locate
from keras_vision.data.tiny import CIFAR_PHOTOS, lesson_data_dir, tiny_mnist, write_tiny_dataset


def test_tiny_mnist_holds_scikit_learns_digits_in_mnist_shape():
    from sklearn.datasets import load_digits

    (x_train, y_train), (x_test, y_test) = tiny_mnist()
    assert len(x_train) + len(x_test) == len(load_digits().images) == 1797
    assert x_train.shape[1:] == (28, 28) and x_train.dtype == np.uint8
    assert set(np.unique(np.concatenate([y_train, y_test]))) == set(range(10))
    # a 20x20 box centred on the canvas, as MNIST's digits: the 4-pixel border stays black
    assert x_train[:, :4].max() == 0 and x_train[:, 24:].max() == 0 and x_train.max() == 255


def test_mnist_stand_in_is_read_by_the_loader_as_idx_files(tmp_path):
    folder = write_tiny_dataset("mnist", tmp_path)
    header = gzip.decompress((folder / "train-images-idx3-ubyte.gz").read_bytes())[:4]
    assert int.from_bytes(header, "big") == 2051  # the IDX magic number of an image file
    (x_train, y_train), (x_test, y_test) = load_mnist(tmp_path)
    expected_train, expected_test = tiny_mnist()
    np.testing.assert_array_equal(x_train, expected_train[0])
    np.testing.assert_array_equal(y_test, expected_test[1])


@pytest.mark.parametrize("name, loader", [("cifar10", load_cifar10), ("cifar100", lambda d: load_cifar100("fine", d))])
def test_cifar_stand_ins_are_read_from_the_official_archive(tmp_path, name, loader):
    archive = write_tiny_dataset(name, tmp_path)
    assert archive.name == {"cifar10": "cifar-10-python.tar.gz", "cifar100": "cifar-100-python.tar.gz"}[name]
    (x_train, y_train), (x_test, y_test) = loader(tmp_path)
    assert x_train.shape[1:] == (32, 32, 3) and x_train.dtype == np.uint8
    labels = np.concatenate([y_train.ravel(), y_test.ravel()])
    assert sorted(np.unique(labels)) == list(range(len(CIFAR_PHOTOS)))
    assert len(x_test) == round(len(labels) * 0.25)


def test_lesson_data_dir_prefers_real_data_and_otherwise_writes_the_stand_in_once(tmp_path, offline_data):
    real = tmp_path / "real"
    write_tiny_dataset("mnist", real)
    assert lesson_data_dir("mnist", real, tiny_dir=tmp_path / "tiny") == real
    assert not (tmp_path / "tiny").exists()
    assert (
        lesson_data_dir("mnist", tmp_path / "missing", tiny_dir=tmp_path / "tiny", download=True) == tmp_path / "tiny"
    )
    assert locate("mnist", tmp_path / "tiny") is not None
    stamp = (tmp_path / "tiny" / "mnist" / "train-images-idx3-ubyte.gz").stat().st_mtime_ns
    lesson_data_dir("mnist", None, tiny_dir=tmp_path / "tiny")
    assert (tmp_path / "tiny" / "mnist" / "train-images-idx3-ubyte.gz").stat().st_mtime_ns == stamp


def test_unknown_dataset_names_the_valid_ones(tmp_path):
    with pytest.raises(ValueError, match="No tiny stand-in for dataset 'svhn'. Valid names: mnist, cifar10, cifar100"):
        write_tiny_dataset("svhn", tmp_path)
