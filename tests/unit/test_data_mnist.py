"""MNIST and Fashion-MNIST loaders on tiny files in the official formats (IDX, mnist.npz, folders)."""

import gzip

import numpy as np
import official_formats as of
import pytest

from keras_vision.data import load_fashion_mnist, load_mnist, locate, read_idx
from keras_vision.errors import CorruptDataError

LOADERS = {"mnist": load_mnist, "fashion_mnist": load_fashion_mnist}
SUBFOLDERS = {"mnist": ["", "mnist"], "fashion_mnist": ["", "fashion-mnist", "fashion_mnist"]}
# Folder names cannot hold "/": "T-shirt_top" must still map to class 0, "T-shirt/top".
FASHION_FOLDERS = [
    "T-shirt_top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


pytestmark = pytest.mark.usefixtures("offline_data")


@pytest.fixture
def digits():
    rng = np.random.default_rng(0)
    return of.random_split(rng, 7, (28, 28), 10), of.random_split(rng, 3, (28, 28), 10)


def write(fmt, folder, train, test, dataset="mnist"):
    names = [str(d) for d in range(10)] if dataset == "mnist" else FASHION_FOLDERS
    writers = {
        "idx.gz": lambda: of.write_mnist_idx(folder, train, test),
        "idx": lambda: of.write_mnist_idx(folder, train, test, compress=False),
        "npz": lambda: of.write_mnist_npz(folder / "mnist.npz", train, test),
        "folders": lambda: of.write_class_folders(folder, {"train": train, "test": test}, names),
        "folders.tar.gz": lambda: of.write_class_folders(
            folder / "tmp",
            {"train": train, "test": test},
            names,
            archive=folder / f"{dataset.replace('_', '-')}-png.tar.gz",
        ),
    }
    folder.mkdir(parents=True, exist_ok=True)
    writers[fmt]()


def pairs(x, y):
    """Order-free view of a split: sorted (image bytes, label) pairs."""
    return sorted((image.tobytes(), int(label)) for image, label in zip(x, y))


CASES = [
    (dataset, fmt, sub)
    for dataset in LOADERS
    for fmt in ("idx.gz", "idx", "npz", "folders", "folders.tar.gz")
    if not (fmt == "npz" and dataset != "mnist")
    for sub in SUBFOLDERS[dataset]
]


@pytest.mark.parametrize("dataset,fmt,sub", CASES)
def test_round_trip_is_pixel_exact_with_keras_dtypes(tmp_path, digits, dataset, fmt, sub):
    train, test = digits
    write(fmt, tmp_path / "data" / sub, train, test, dataset)
    (x_train, y_train), (x_test, y_test) = LOADERS[dataset](tmp_path / "data")
    # keras.datasets.mnist / fashion_mnist document: uint8 images (N, 28, 28), uint8 labels (N,).
    for x, y, n in ((x_train, y_train, 7), (x_test, y_test, 3)):
        assert (x.dtype, x.shape, y.dtype, y.shape) == (np.uint8, (n, 28, 28), np.uint8, (n,))
    if fmt.startswith("folders"):  # class folders are read in a seeded random order
        assert pairs(x_train, y_train) == pairs(*train) and pairs(x_test, y_test) == pairs(*test)
    else:
        np.testing.assert_array_equal(x_train, train[0])
        np.testing.assert_array_equal(y_train, train[1])
        np.testing.assert_array_equal(x_test, test[0])
        np.testing.assert_array_equal(y_test, test[1])


def test_read_idx_follows_the_header_byte_by_byte(tmp_path):
    # Hand-built per the format description: 0, 0, type 0x08, ndim 3, dims 2, 3, 4 big-endian.
    header = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4])
    path = tmp_path / "a-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(range(24))))
    array = read_idx(path)
    assert array.shape == (2, 3, 4) and array.dtype == np.uint8
    assert array[1, 2, 3] == 23 and array[0, 1, 0] == 4


def test_environment_variable_and_data_dir_precedence(tmp_path, monkeypatch, digits):
    train, test = digits
    write("idx.gz", tmp_path / "env" / "mnist", train, test)
    write("idx.gz", tmp_path / "arg", test, train)  # swapped splits, to tell the two apart
    monkeypatch.setenv("KERAS_VISION_DATA", str(tmp_path / "env"))
    (x_train, _), _ = load_mnist()
    np.testing.assert_array_equal(x_train, train[0])
    assert "KERAS_VISION_DATA" in locate("mnist")
    (x_train, _), _ = load_mnist(data_dir=tmp_path / "arg")
    np.testing.assert_array_equal(x_train, test[0])


@pytest.mark.parametrize(
    "dataset,cache_files",
    [
        ("mnist", lambda home, tr, te: of.write_mnist_npz(home / "datasets" / "mnist.npz", tr, te)),
        ("fashion_mnist", lambda home, tr, te: of.write_mnist_idx(home / "datasets" / "fashion-mnist", tr, te)),
    ],
)
def test_keras_cache_is_used_where_keras_datasets_puts_it(tmp_path, digits, dataset, cache_files):
    cache_files(tmp_path / "keras_home", *digits)
    (x_train, y_train), _ = LOADERS[dataset]()
    np.testing.assert_array_equal(x_train, digits[0][0])
    assert "Keras cache" in locate(dataset)


def _replace(folder, name, data):
    (folder / name).write_bytes(data)


CORRUPTIONS = {
    # name: (file damaged, damage, words expected in the message)
    "truncated gzip": ("train-images-idx3-ubyte.gz", lambda f: of.truncate(f / "train-images-idx3-ubyte.gz"), "gzip"),
    "labels as images": (
        "train-images-idx3-ubyte.gz",
        lambda f: _replace(f, "train-images-idx3-ubyte.gz", (f / "train-labels-idx1-ubyte.gz").read_bytes()),
        "magic number is 2049, expected 2051",
    ),
    "short payload": (
        "t10k-labels-idx1-ubyte.gz",
        lambda f: _replace(f, "t10k-labels-idx1-ubyte.gz", gzip.compress(of.idx_bytes(np.zeros(3, np.uint8))[:-1])),
        "truncated",
    ),
    "not idx": (
        "t10k-images-idx3-ubyte.gz",
        lambda f: _replace(f, "t10k-images-idx3-ubyte.gz", b"<html>404</html>"),
        "not an IDX",
    ),
    "label count": (
        "train-labels-idx1-ubyte.gz",
        lambda f: of.write_idx(f / "train-labels-idx1-ubyte.gz", np.zeros(6, np.uint8)),
        "6 labels for 7 images",
    ),
}


@pytest.mark.parametrize("case", CORRUPTIONS)
def test_damaged_idx_files_name_the_file(tmp_path, digits, case):
    name, damage, words = CORRUPTIONS[case]
    write("idx.gz", tmp_path, *digits)
    damage(tmp_path)
    with pytest.raises(CorruptDataError) as info:
        load_mnist(tmp_path)
    assert name in str(info.value) and words in str(info.value)


@pytest.mark.parametrize(
    "damage,words",
    [
        (lambda p: of.truncate(p, 0.6), "not a readable .npz"),
        (lambda p: np.savez(p, x_train=np.zeros((1, 28, 28), np.uint8)), "lacks"),
    ],
)
def test_damaged_mnist_npz_names_the_file(tmp_path, digits, damage, words):
    write("npz", tmp_path, *digits)
    damage(tmp_path / "mnist.npz")
    with pytest.raises(CorruptDataError, match=words) as info:
        load_mnist(tmp_path)
    assert "mnist.npz" in str(info.value)


def test_wrong_image_shape_is_reported(tmp_path):
    rng = np.random.default_rng(1)
    of.write_mnist_idx(tmp_path, of.random_split(rng, 4, (32, 32), 10), of.random_split(rng, 2, (32, 32), 10))
    with pytest.raises(CorruptDataError, match=r"expected \(28, 28\)"):
        load_mnist(tmp_path)
