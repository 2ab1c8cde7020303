"""`DATASETS`: every dataset the course loads, with its files, formats and download address.

Adding a dataset is one `DATASETS.register(...)` call with a `DatasetSpec`: name its files, the
`DataFormat`s that read them (see `idx.py`, `cifar.py`, `folders.py` for examples) and, in
`loaders.py`, a loader that calls `load_dataset(name, data_dir)`. `locate(name)` and the not-found message then work.
"""

from __future__ import annotations

from keras_vision.data.cifar import CIFAR10_FORMATS, CIFAR100_FORMATS
from keras_vision.data.folders import class_folder_format
from keras_vision.data.idx import IDX_FILES, IDX_FORMAT, MNIST_NPZ_FORMAT
from keras_vision.data.spec import DatasetSpec
from keras_vision.registry import Registry

KERAS_DATASETS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

FASHION_MNIST_CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
CIFAR10_CLASS_NAMES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
#: `fine_label_names` of the official CIFAR-100 `meta` file, in label order.
CIFAR100_CLASS_NAMES = (
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
    "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
    "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
    "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
    "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
    "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
    "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
    "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
    "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger",
    "tractor",
    "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
)
#: `coarse_label_names` of the official CIFAR-100 `meta` file, in label order.
CIFAR100_COARSE_CLASS_NAMES = (
    "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
    "household_electrical_devices", "household_furniture", "insects", "large_carnivores",
    "large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores",
    "medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees",
    "vehicles_1", "vehicles_2",
)

DATASETS: Registry[DatasetSpec] = Registry("dataset")

DATASETS.register("mnist", DatasetSpec(
    name="mnist", title="MNIST",
    num_classes=10, class_names=tuple(str(d) for d in range(10)),
    expected_files=IDX_FILES, download_url=KERAS_DATASETS_URL + "mnist.npz",
    formats=(IDX_FORMAT, MNIST_NPZ_FORMAT, class_folder_format(("mnist",))),
    folder_names=("mnist",), keras_module="mnist",
    image_shape=(28, 28), label_dtype="uint8",
))
DATASETS.register("fashion_mnist", DatasetSpec(
    name="fashion_mnist", title="Fashion-MNIST",
    num_classes=10, class_names=FASHION_MNIST_CLASS_NAMES,
    expected_files=IDX_FILES, download_url=KERAS_DATASETS_URL,
    formats=(IDX_FORMAT, class_folder_format(("fashion-mnist", "fashion_mnist"))),
    folder_names=("fashion-mnist", "fashion_mnist"), keras_cache=("fashion-mnist",), keras_module="fashion_mnist",
    image_shape=(28, 28), label_dtype="uint8",
))
DATASETS.register("cifar10", DatasetSpec(
    name="cifar10", title="CIFAR-10",
    num_classes=10, class_names=CIFAR10_CLASS_NAMES,
    expected_files=("cifar-10-python.tar.gz",), download_url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    formats=(*CIFAR10_FORMATS, class_folder_format(("cifar10", "cifar-10"))),
    folder_names=("cifar10", "cifar-10"), keras_cache=("cifar-10-batches-py-target",), keras_module="cifar10",
    image_shape=(32, 32, 3), label_dtype="uint8", label_column=True,
))
DATASETS.register("cifar100", DatasetSpec(
    name="cifar100", title="CIFAR-100",
    num_classes=100, class_names=CIFAR100_CLASS_NAMES,
    expected_files=("cifar-100-python.tar.gz",),
    download_url="https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
    formats=(*CIFAR100_FORMATS, class_folder_format(("cifar100", "cifar-100"))),
    folder_names=("cifar100", "cifar-100"), keras_cache=("cifar-100-python-target",), keras_module="cifar100",
    image_shape=(32, 32, 3), label_dtype="int64", label_column=True,
))
