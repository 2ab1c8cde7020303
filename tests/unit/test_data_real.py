"""Loading the real datasets of ../shared/data (skipped when that folder is absent)."""

import time

import numpy as np
import pytest

from keras_vision.data import load_cifar10, load_fashion_mnist, load_mnist, locate

pytestmark = pytest.mark.real_data

# Sizes and per-class counts published with each dataset.
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
CASES = [
    # (name, loader, image shape, label shape suffix, train, test)
    ("mnist", load_mnist, (28, 28), (), 60000, 10000),
    ("fashion_mnist", load_fashion_mnist, (28, 28), (), 60000, 10000),
    ("cifar10", load_cifar10, (32, 32, 3), (1,), 50000, 10000),
]


@pytest.mark.parametrize("name,loader,image_shape,label_suffix,n_train,n_test", CASES, ids=[c[0] for c in CASES])
def test_real_datasets_load_with_official_counts(shared_data, name, loader, image_shape, label_suffix, n_train, n_test):
    assert locate(name, shared_data) is not None
    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = loader(shared_data)
    print(f"{name}: loaded in {time.perf_counter() - start:.1f} s from {locate(name, shared_data)}")
    assert x_train.shape == (n_train, *image_shape) and x_test.shape == (n_test, *image_shape)
    assert y_train.shape == (n_train, *label_suffix) and y_test.shape == (n_test, *label_suffix)
    assert x_train.dtype == y_train.dtype == np.uint8
    counts = np.bincount(y_train.ravel(), minlength=10).tolist()
    if name == "mnist":
        assert counts == MNIST_TRAIN_COUNTS
        assert y_train[:5].tolist() == [5, 0, 4, 1, 9]  # the famous first digits
    else:  # Fashion-MNIST and CIFAR-10 are balanced: 6,000 / 5,000 training images per class
        assert counts == [n_train // 10] * 10
        assert np.bincount(y_test.ravel(), minlength=10).tolist() == [n_test // 10] * 10
