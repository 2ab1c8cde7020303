"""The `keras.applications` models the course transfers from, described by one registry.

Each architecture is an `Application`: where its constructor and `preprocess_input` live in
`keras.applications`, the smallest and the default input size Keras accepts, the ImageNet weights
file Keras downloads for it without the top (`include_top=False`), and how its layers group into
blocks (see `keras_vision.transfer.blocks`). Nothing here imports TensorFlow: the constructor and
the preprocessing function are looked up the first time they are used.

    >>> from keras_vision.transfer import APPLICATIONS
    >>> APPLICATIONS.names()
    ['densenet121', 'resnet50', 'vgg16', 'mobilenet', 'mobilenetv2', 'efficientnetb0', 'densenet169',
     'densenet201', 'resnet50v2', 'resnet101', 'inceptionv3']
    >>> APPLICATIONS.get("DenseNet121").min_size
    32
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from keras_vision.registry import Registry
from keras_vision.transfer import layouts
from keras_vision.transfer.layouts import BlockLayout

#: Where `keras.applications` downloads ImageNet weights from (Google Cloud Storage).
KERAS_APPLICATIONS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


@dataclass(frozen=True)
class Application:
    """One `keras.applications` architecture as the course uses it.

    Attributes:
        name: Registry name, lowercase (`"densenet121"`).
        module: The `keras.applications` submodule (`"densenet"`), home of `preprocess_input`.
        constructor_name: The builder in that module (`"DenseNet121"`).
        min_size: Smallest input side Keras accepts with `include_top=False` (from the
            `min_size=` argument of `obtain_input_shape` in the Keras source).
        default_size: Input side of the ImageNet training run (224; InceptionV3 299).
        preprocess_mode: Keras' `imagenet_utils` mode: `"caffe"` (RGB->BGR, minus the ImageNet
            mean), `"tf"` (scale to [-1, 1]), `"torch"` (scale to [0, 1], standardise per channel),
            or `"none"` (EfficientNet rescales inside the model).
        weights_url: Folder URL of the ImageNet weights files.
        weights_hash: MD5 Keras checks for the no-top file, or None when Keras publishes none.
        layout: How the base's layers group into named blocks.
    """

    name: str
    module: str
    constructor_name: str
    min_size: int
    default_size: int
    preprocess_mode: str
    weights_url: str
    weights_hash: str | None
    layout: BlockLayout = field(repr=False)
    _no_top_file: str | Callable[..., str] = field(repr=False, default="")

    @property
    def constructor(self) -> Callable[..., Any]:
        """The `keras.applications` builder, e.g. `keras.applications.DenseNet121`."""
        return getattr(self._keras_module(), self.constructor_name)

    def preprocess_input(self, x):
        """Maps raw RGB pixels in [0, 255] to what the ImageNet weights expect.

        Calls `keras.applications.<module>.preprocess_input` on a copy, so `x` is never modified
        (Keras' own function works in place on float NumPy arrays).

        Args:
            x: Images, shape (..., H, W, 3), RGB, values in [0, 255]; NumPy array or tensor.

        Returns:
            A float array/tensor of the same shape.
        """

        if isinstance(x, np.ndarray) or not hasattr(x, "shape"):
            x = np.array(x, dtype="float32", copy=True)
        return self._keras_module().preprocess_input(x)

    def weights_file(self, *, input_size: int | None = None, alpha: float = 1.0) -> str:
        """The name of the ImageNet no-top weights file Keras looks for in `$KERAS_HOME/models/`.

        Args:
            input_size: Side of the square input the base is built with. Only MobileNet and
                MobileNetV2 have one file per size; Keras falls back to the 224 file for sizes
                it has no file for, and so does this function. Defaults to `None` (224).
            alpha: Width multiplier of MobileNet/MobileNetV2. Defaults to `1.0`.

        Returns:
            A file name such as `"densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"`.
        """
        if callable(self._no_top_file):
            return self._no_top_file(input_size=input_size, alpha=alpha)
        return self._no_top_file

    def weights_origin(self, **kwargs) -> str:
        """The download URL of `weights_file(**kwargs)`."""
        return self.weights_url + self.weights_file(**kwargs)

    def _keras_module(self):
        return importlib.import_module(f"keras.applications.{self.module}")


def _mobilenet_file(*, input_size: int | None, alpha: float) -> str:
    # keras/src/applications/mobilenet.py: alpha 1.0 -> "1_0", 0.75 -> "7_5", 0.5 -> "5_0", else "2_5".
    alpha_text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0"}.get(float(alpha), "2_5")
    rows = input_size if input_size in (128, 160, 192, 224) else 224
    return f"mobilenet_{alpha_text}_{rows}_tf_no_top.h5"


def _mobilenet_v2_file(*, input_size: int | None, alpha: float) -> str:
    rows = input_size if input_size in (96, 128, 160, 192, 224) else 224
    return f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}_no_top.h5"


class _CaseInsensitiveRegistry(Registry):
    """A `Registry` whose `get` and `in` ignore case: `get("DenseNet121")` finds `densenet121`."""

    def get(self, name: str):
        return super().get(name.lower() if isinstance(name, str) else name)

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name.lower() if isinstance(name, str) else name)


APPLICATIONS: Registry[Application] = _CaseInsensitiveRegistry("application")


def _register(**fields) -> None:
    APPLICATIONS.register(fields["name"], Application(**fields))


_register(
    name="densenet121",
    module="densenet",
    constructor_name="DenseNet121",
    min_size=32,
    default_size=224,
    preprocess_mode="torch",
    weights_url=KERAS_APPLICATIONS_URL + "densenet/",
    weights_hash="30ee3e1110167f948a6b9946edeeb738",
    layout=layouts.densenet121_layout(),
    _no_top_file="densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5",
)
_register(
    name="resnet50",
    module="resnet50",
    constructor_name="ResNet50",
    min_size=32,
    default_size=224,
    preprocess_mode="caffe",
    weights_url=KERAS_APPLICATIONS_URL + "resnet/",
    weights_hash="4d473c1dd8becc155b73f8504c6f6626",
    layout=layouts.resnet50_layout(),
    _no_top_file="resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
)
_register(
    name="vgg16",
    module="vgg16",
    constructor_name="VGG16",
    min_size=32,
    default_size=224,
    preprocess_mode="caffe",
    weights_url=KERAS_APPLICATIONS_URL + "vgg16/",
    weights_hash="6d6bbae143d832006294945121d1f1fc",
    layout=layouts.vgg16_layout(),
    _no_top_file="vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
)
_register(
    name="mobilenet",
    module="mobilenet",
    constructor_name="MobileNet",
    min_size=32,
    default_size=224,
    preprocess_mode="tf",
    weights_url=KERAS_APPLICATIONS_URL + "mobilenet/",
    weights_hash=None,
    layout=layouts.mobilenet_layout(),
    _no_top_file=_mobilenet_file,
)
_register(
    name="mobilenetv2",
    module="mobilenet_v2",
    constructor_name="MobileNetV2",
    min_size=32,
    default_size=224,
    preprocess_mode="tf",
    weights_url=KERAS_APPLICATIONS_URL + "mobilenet_v2/",
    weights_hash=None,
    layout=layouts.mobilenetv2_layout(),
    _no_top_file=_mobilenet_v2_file,
)
_register(
    name="efficientnetb0",
    module="efficientnet",
    constructor_name="EfficientNetB0",
    min_size=32,
    default_size=224,
    preprocess_mode="none",
    # EfficientNet weights live one folder up from the others (keras/src/applications/efficientnet.py).
    weights_url="https://storage.googleapis.com/keras-applications/",
    weights_hash="50bc09e76180e00e4465e1a485ddc09d",
    layout=layouts.efficientnetb0_layout(),
    _no_top_file="efficientnetb0_notop.h5",
)


# The deeper relatives of the families above: the stand-ins for the source project's ResNet18,
# ResNeXt50, Wide ResNet-50-2, DenseNet161 and GoogLeNet (see the README's substitution table).
for _depth, _hash in ((169, "b8c4d4c20dd625c148057b9ff1c1176b"), (201, "c13680b51ded0fb44dff2d8f86ac8bb1")):
    _register(
        name=f"densenet{_depth}",
        module="densenet",
        constructor_name=f"DenseNet{_depth}",
        min_size=32,
        default_size=224,
        preprocess_mode="torch",
        weights_url=KERAS_APPLICATIONS_URL + "densenet/",
        weights_hash=_hash,
        layout=layouts.densenet_layout(_depth),
        _no_top_file=f"densenet{_depth}_weights_tf_dim_ordering_tf_kernels_notop.h5",
    )
_register(
    name="resnet50v2",
    module="resnet_v2",
    constructor_name="ResNet50V2",
    min_size=32,
    default_size=224,
    preprocess_mode="tf",
    weights_url=KERAS_APPLICATIONS_URL + "resnet/",
    weights_hash="fac2f116257151a9d068a22e544a4917",
    layout=layouts.resnet_layout(50, v2=True),
    _no_top_file="resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
)
_register(
    name="resnet101",
    module="resnet",
    constructor_name="ResNet101",
    min_size=32,
    default_size=224,
    preprocess_mode="caffe",
    weights_url=KERAS_APPLICATIONS_URL + "resnet/",
    weights_hash="88cf7a10940856eca736dc7b7e228a21",
    layout=layouts.resnet_layout(101),
    _no_top_file="resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5",
)
_register(
    name="inceptionv3",
    module="inception_v3",
    constructor_name="InceptionV3",
    min_size=75,
    default_size=299,
    preprocess_mode="tf",
    weights_url=KERAS_APPLICATIONS_URL + "inception_v3/",
    weights_hash="bcbd6486424b2319ff4ef7d526e38f63",
    layout=layouts.inceptionv3_layout(),
    _no_top_file="inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
)


def get_application(arch: str) -> Application:
    """Returns the registered `Application` named `arch` (any case).

    Raises:
        ValueError: if `arch` is not registered; the message lists the valid names.
    """
    if not isinstance(arch, str):
        raise ValueError(
            f"`arch` must be an architecture name, one of {', '.join(APPLICATIONS.names())}. Received: {arch!r}."
        )
    return APPLICATIONS.get(arch)


def preprocess_input(x, arch: str):
    """Applies the input preprocessing of a pretrained architecture (e.g. scaling to [-1, 1]).

    Delegates to the architecture registry: `APPLICATIONS.get(arch).preprocess_input(x)`.

    Args:
        x: Images (N, H, W, 3), RGB, values 0..255 (float).
        arch: An architecture name in `APPLICATIONS`.

    Returns:
        The preprocessed batch, as the architecture's `preprocess_input` returns it.

    Raises:
        ValueError: unknown `arch`; the message lists the valid names.
    """
    return APPLICATIONS.get(arch).preprocess_input(x)
