"""`keras.datasets`-shaped loaders that look on disk first and fail fast offline.

Each returns `((x_train, y_train), (x_test, y_test))` with exactly the dtypes and shapes of its
`keras.datasets` counterpart, whatever the source (official files, their archive, class folders,
the Keras cache or a download). Where they look is explained in `keras_vision.data.lookup`.
"""

from __future__ import annotations

import os

from keras_vision.data.cifar import check_label_mode
from keras_vision.data.lookup import load_dataset
from keras_vision.data.spec import Splits

PathLike = str | os.PathLike | None


def load_mnist(data_dir: PathLike = None) -> Splits:
    """Loads MNIST: 60,000 training and 10,000 test 28x28 grayscale digits (LeCun et al., 1998).

    Args:
        data_dir: Folder with `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
            `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz` (or un-gzipped, or Keras'
            `mnist.npz`, or class folders), directly or in `mnist/`. Defaults to
            `$KERAS_VISION_DATA`, then the Keras cache.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images (N, 28, 28), uint8 labels (N,).

    Raises:
        DataNotFoundError: no data on disk and no download possible.
        CorruptDataError: a damaged file (named in the message).
    """
    return load_dataset("mnist", data_dir)


def load_fashion_mnist(data_dir: PathLike = None) -> Splits:
    """Loads Fashion-MNIST: 28x28 grayscale photos of 10 kinds of clothing (Xiao et al., 2017).

    Args:
        data_dir: Folder with the four IDX files named as for MNIST (`train-images-idx3-ubyte.gz`,
            ...), directly or in `fashion-mnist/`. Defaults to `$KERAS_VISION_DATA`, then the
            Keras cache.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images (N, 28, 28), uint8 labels (N,).

    Raises:
        DataNotFoundError: no data on disk and no download possible.
        CorruptDataError: a damaged file (named in the message).
    """
    return load_dataset("fashion_mnist", data_dir)


def load_cifar10(data_dir: PathLike = None) -> Splits:
    """Loads CIFAR-10: 50,000 training and 10,000 test 32x32 colour photos in 10 classes.

    Reference: Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", 2009.

    Args:
        data_dir: Folder with `cifar-10-batches-py/` or `cifar-10-python.tar.gz`, or class
            folders `train/<class>/`, `test/<class>/` (plain, or an archive named like
            `cifar10*.tar.gz`), directly or in `cifar10/`. Defaults to `$KERAS_VISION_DATA`,
            then the Keras cache.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 RGB images (N, 32, 32, 3), uint8 labels
        (N, 1) in the official class order (0 airplane, 1 automobile, ..., 9 truck).

    Raises:
        DataNotFoundError: no data on disk and no download possible.
        CorruptDataError: a damaged file (named in the message).
    """
    return load_dataset("cifar10", data_dir)


def load_cifar100(label_mode: str = "fine", data_dir: PathLike = None) -> Splits:
    """Loads CIFAR-100: 32x32 colour photos in 100 fine classes grouped into 20 coarse ones.

    Args:
        label_mode: "fine" (100 classes) or "coarse" (20 superclasses). Defaults to "fine".
        data_dir: Folder with `cifar-100-python/` or `cifar-100-python.tar.gz`, directly or in
            `cifar100/`. Defaults to `$KERAS_VISION_DATA`, then the Keras cache.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 RGB images (N, 32, 32, 3), int64 labels
        (N, 1) (as `keras.datasets.cifar100` returns them).

    Raises:
        ValueError: `label_mode` is not "fine" or "coarse".
        DataNotFoundError: no data on disk and no download possible.
        CorruptDataError: a damaged file (named in the message).
    """
    return load_dataset("cifar100", data_dir, label_mode=check_label_mode(label_mode))
