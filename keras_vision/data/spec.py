"""What a dataset is to the loaders: a small spec naming its files, formats and label layout.

A `DatasetSpec` says everything the generic lookup in `keras_vision.data.lookup` needs: which
on-disk formats hold the dataset (`DataFormat`: how to spot it in a folder and how to read it),
which subfolder names it may sit in, where `keras.datasets` caches it, where to download it, and
the exact label dtype and shape `keras.datasets` returns, so every source gives identical arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: `((x_train, y_train), (x_test, y_test))`, the shape of every `keras.datasets` loader's result.
Splits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DataFormat:
    """One on-disk format of a dataset.

    Attributes:
        description: Human-readable name used by `locate` ("IDX files", "CIFAR-10 archive").
        find: `find(folder) -> Path | None`: the file or folder holding the data directly in
            `folder`, or None. Cheap: it only looks at names.
        read: `read(path, spec, **options) -> Splits`: decodes what `find` returned. Labels may
            come back in any integer form; `DatasetSpec.shape_labels` fixes dtype and shape.
    """

    description: str
    find: Callable[[Path], Path | None]
    read: Callable[..., Splits]


#: What a dataset's examples are: images with class labels, (input, target) image pairs (super-
#: resolution, enhancement), or images alone (a GAN's training set, a folder of photos).
TASKS = ("classification", "paired", "unlabelled")


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset the course can load, and where its files may be.

    Attributes:
        name: Registry name, also the default subfolder name (`mnist`, `cifar10`).
        title: Display name ("CIFAR-10").
        expected_files: Exact file names of the main layout, for "place these files" messages.
        download_url: Where a networked machine gets the files.
        formats: Accepted on-disk formats, tried in this order in every searched folder.
        task: One of `TASKS`. Defaults to `classification`.
        num_classes: Number of classes (classification only).
        class_names: Class names in label order (classification only).
        folder_names: Subfolder names the files may sit in below a data folder.
        keras_cache: Folders below `$KERAS_HOME/datasets` where `keras.datasets` keeps its copy.
        keras_module: `keras.datasets.<module>.load_data()` downloads it; None if Keras cannot.
        image_shape: Shape of one image, `(H, W)` or `(H, W, C)`, checked after every load.
        label_dtype: Label dtype exactly as `keras.datasets` returns it.
        label_column: True if labels are `(N, 1)` like Keras' CIFAR loaders, False for `(N,)`.
    """

    name: str
    title: str
    expected_files: tuple[str, ...]
    download_url: str
    formats: tuple[DataFormat, ...]
    task: str = "classification"
    num_classes: int | None = None
    class_names: tuple[str, ...] = ()
    folder_names: tuple[str, ...] = ()
    keras_cache: tuple[str, ...] = ()
    keras_module: str | None = None
    image_shape: tuple[int, ...] | None = None
    label_dtype: str = "int64"
    label_column: bool = False

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"Unknown task {self.task!r} for dataset {self.name!r}. Valid tasks: {', '.join(TASKS)}.")
        if self.task == "classification" and (not self.num_classes or len(self.class_names) != self.num_classes):
            raise ValueError(
                f"The classification dataset {self.name!r} needs num_classes and one class name per class. "
                f"Received: num_classes={self.num_classes!r}, {len(self.class_names)} class names."
            )

    def shape_labels(self, labels) -> np.ndarray:
        """Returns `labels` with this dataset's Keras dtype and shape ((N,) or (N, 1))."""
        y = np.asarray(labels).reshape(-1).astype(self.label_dtype)
        return y.reshape(-1, 1) if self.label_column else y
