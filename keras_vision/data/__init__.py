"""Datasets shaped like `keras.datasets`, offline-first, and the course's preprocessing steps.

    from keras_vision.data import load_mnist, scale_pixels, add_channel_axis, one_hot
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir="data")

Loaders look in `data_dir` (or `$KERAS_VISION_DATA`), then in the Keras cache, and only then
download through `keras.datasets`, failing within seconds with `DataNotFoundError` (which names
the files to place where) when the machine is offline. Damaged files raise `CorruptDataError`
naming the file. `DATASETS` lists every dataset; `locate(name)` says where it would be read from.
"""

from keras_vision.data.folders import FolderDataset, ImageFiles, load_image_folder, load_images
from keras_vision.data.idx import read_idx
from keras_vision.data.loaders import load_cifar10, load_cifar100, load_fashion_mnist, load_mnist
from keras_vision.data.lookup import downloads_available, keras_home, load_dataset, locate
from keras_vision.data.preprocessing import (
    add_channel_axis,
    grayscale_to_rgb,
    load_image,
    one_hot,
    pad_to_min_size,
    resize_images,
    scale_pixels,
    sparse_labels,
)
from keras_vision.data.registry import DATASETS
from keras_vision.data.samples import SAMPLE_IMAGES, load_sample_image
from keras_vision.data.spec import TASKS, DataFormat, DatasetSpec

__all__ = [
    "DATASETS",
    "DataFormat",
    "DatasetSpec",
    "FolderDataset",
    "ImageFiles",
    "SAMPLE_IMAGES",
    "TASKS",
    "add_channel_axis",
    "downloads_available",
    "grayscale_to_rgb",
    "keras_home",
    "load_cifar10",
    "load_cifar100",
    "load_dataset",
    "load_fashion_mnist",
    "load_image",
    "load_image_folder",
    "load_images",
    "load_mnist",
    "load_sample_image",
    "locate",
    "one_hot",
    "pad_to_min_size",
    "read_idx",
    "resize_images",
    "scale_pixels",
    "sparse_labels",
]
