"""CIFAR-10 / CIFAR-100 loaders on tiny official-format pickles, folders and archives."""

import os
import pickle

import numpy as np
import official_formats as of
import pytest

from keras_vision.data import load_cifar10, load_cifar100, locate
from keras_vision.data.registry import CIFAR10_CLASS_NAMES, CIFAR100_CLASS_NAMES, CIFAR100_COARSE_CLASS_NAMES
from keras_vision.errors import CorruptDataError

pytestmark = pytest.mark.usefixtures("offline_data")


@pytest.fixture
def cifar10():
    rng = np.random.default_rng(0)
    return of.random_split(rng, 25, (32, 32, 3), 10), of.random_split(rng, 3, (32, 32, 3), 10)


@pytest.fixture
def cifar100():
    rng = np.random.default_rng(1)
    splits = []
    for n in (6, 3):
        x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        splits.append((x, rng.integers(0, 100, n), rng.integers(0, 20, n)))
    return splits


def pairs(x, y):
    return sorted((image.tobytes(), int(label)) for image, label in zip(x, y))


@pytest.mark.parametrize("archive", [False, True], ids=["folder", "tar.gz"])
@pytest.mark.parametrize("sub", ["", "cifar10", "cifar-10"])
def test_cifar10_pickles_round_trip_exactly(tmp_path, cifar10, archive, sub):
    (train, test) = cifar10
    of.write_cifar10(tmp_path / sub, train, test, archive=archive)
    (x_train, y_train), (x_test, y_test) = load_cifar10(tmp_path)
    # keras.datasets.cifar10 documents uint8 images (N, 32, 32, 3) and uint8 labels (N, 1).
    assert (x_train.dtype, x_train.shape) == (np.uint8, (25, 32, 32, 3))
    assert (y_train.dtype, y_train.shape) == (np.uint8, (25, 1))
    assert (x_test.shape, y_test.dtype, y_test.shape) == ((3, 32, 32, 3), np.uint8, (3, 1))
    np.testing.assert_array_equal(x_train, train[0])
    np.testing.assert_array_equal(y_train[:, 0], train[1])
    np.testing.assert_array_equal(x_test, test[0])
    np.testing.assert_array_equal(y_test[:, 0], test[1])
    assert ("archive" if archive else "pickles") in locate("cifar10", tmp_path)


def test_pickle_row_is_red_then_green_then_blue_plane(tmp_path):
    # Independent of the writer: one hand-made row per the CIFAR page (1024 R, 1024 G, 1024 B).
    row = np.concatenate([np.full(1024, 10), np.full(1024, 20), np.full(1024, 30)]).astype(np.uint8)
    row[1] = 255  # red value of row 0, column 1
    row[1024 + 32] = 254  # green value of row 1, column 0
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": row[None], b"labels": [7]}, f, protocol=2)
    (x, y), _ = load_cifar10(tmp_path)
    assert tuple(x[0, 0, 0]) == (10, 20, 30) and tuple(x[0, 0, 1]) == (255, 20, 30)
    assert tuple(x[0, 1, 0]) == (10, 254, 30) and y.ravel().tolist() == [7] * 5


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
@pytest.mark.parametrize("archive", [False, True], ids=["folder", "tar.gz"])
@pytest.mark.parametrize("sub", ["", "cifar100", "cifar-100"])
def test_cifar100_both_label_modes_round_trip_exactly(tmp_path, cifar100, label_mode, archive, sub):
    train, test = cifar100
    of.write_cifar100(
        tmp_path / sub,
        train,
        test,
        fine_names=CIFAR100_CLASS_NAMES,
        coarse_names=CIFAR100_COARSE_CLASS_NAMES,
        archive=archive,
    )
    (x_train, y_train), (x_test, y_test) = load_cifar100(label_mode, data_dir=tmp_path)
    column = 1 if label_mode == "fine" else 2
    # keras.datasets.cifar100 reshapes Python label lists: int64 (N, 1) (see test_data_keras_parity).
    assert (y_train.dtype, y_train.shape, y_test.shape) == (np.int64, (6, 1), (3, 1))
    np.testing.assert_array_equal(x_train, train[0])
    np.testing.assert_array_equal(x_test, test[0])
    np.testing.assert_array_equal(y_train[:, 0], train[column])
    np.testing.assert_array_equal(y_test[:, 0], test[column])


@pytest.mark.parametrize("label_mode", ["Fine", "superclass", None])
def test_bad_label_mode_is_a_clear_value_error(tmp_path, label_mode):
    with pytest.raises(ValueError, match=r'"fine", "coarse".*Received: label_mode='):
        load_cifar100(label_mode, data_dir=tmp_path)


def test_keras_cache_layout_is_found(tmp_path, cifar10):
    # keras.datasets.cifar10 extracts into datasets/cifar-10-batches-py-target/cifar-10-batches-py/.
    of.write_cifar10(tmp_path / "keras_home" / "datasets" / "cifar-10-batches-py-target", *cifar10)
    (x_train, _), _ = load_cifar10()
    np.testing.assert_array_equal(x_train, cifar10[0][0])
    assert "Keras cache" in locate("cifar10")


def _pickle_file(path, obj):
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=2)


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


FOLDER_DAMAGE = {
    # name: (damage applied to cifar-10-batches-py/, file named, words in the message)
    "truncated pickle": (lambda f: of.truncate(f / "data_batch_3", 0.5), "data_batch_3", "not a readable CIFAR pickle"),
    "not a dict": (lambda f: _pickle_file(f / "test_batch", [1, 2, 3]), "test_batch", "expected a pickled dict"),
    "wrong row size": (
        lambda f: _pickle_file(f / "data_batch_2", {b"data": np.zeros((5, 1024), np.uint8), b"labels": [0] * 5}),
        "data_batch_2",
        "(N, 3072)",
    ),
    "label count": (
        lambda f: _pickle_file(f / "data_batch_1", {b"data": np.zeros((5, 3072), np.uint8), b"labels": [0] * 4}),
        "data_batch_1",
        "4 for 5 images",
    ),
    "code in pickle": (lambda f: _pickle_file(f / "data_batch_5", {b"data": _Evil()}), "data_batch_5", "refusing"),
}


@pytest.mark.parametrize("case", FOLDER_DAMAGE)
def test_damaged_pickles_name_the_file(tmp_path, cifar10, case):
    damage, name, words = FOLDER_DAMAGE[case]
    folder = of.write_cifar10(tmp_path, *cifar10)
    damage(folder)
    with pytest.raises(CorruptDataError) as info:
        load_cifar10(tmp_path)
    assert name in str(info.value) and words in str(info.value)


def test_truncated_archive_names_the_archive(tmp_path, cifar10):
    archive = of.write_cifar10(tmp_path, *cifar10, archive=True)
    of.truncate(archive, 0.7)
    with pytest.raises(CorruptDataError, match="cifar-10-python.tar.gz: damaged or truncated archive"):
        load_cifar10(tmp_path)


def test_archive_missing_a_batch_says_which(tmp_path, cifar10):
    folder = of.write_cifar10(tmp_path / "src", *cifar10)
    (folder / "data_batch_4").unlink()
    of._tar_folder(folder, tmp_path / "cifar-10-python.tar.gz")
    with pytest.raises(CorruptDataError, match="lacks cifar-10-batches-py/data_batch_4"):
        load_cifar10(tmp_path)


def test_class_folder_archive_labels_follow_official_class_order(tmp_path, cifar10):
    # The layout of ../shared/data/cifar10-jpg.tar.gz: train/<class>/NNNN, test/<class>/NNNN.
    train, test = cifar10
    of.write_class_folders(
        tmp_path / "cifar10-png",
        {"train": train, "test": test},
        CIFAR10_CLASS_NAMES,
        archive=tmp_path / "cifar10-png.tar.gz",
    )
    (x_train, y_train), (x_test, y_test) = load_cifar10(tmp_path)
    assert (y_train.dtype, y_train.shape) == (np.uint8, (25, 1))
    assert pairs(x_train, y_train[:, 0]) == pairs(*train)
    assert pairs(x_test, y_test[:, 0]) == pairs(*test)
    assert "class folders" in locate("cifar10", tmp_path)


def test_cifar100_archive_does_not_pass_for_cifar10(tmp_path, cifar100):
    of.write_cifar100(
        tmp_path, *cifar100, fine_names=CIFAR100_CLASS_NAMES, coarse_names=CIFAR100_COARSE_CLASS_NAMES, archive=True
    )
    assert locate("cifar10", tmp_path) is None
    assert "CIFAR-100 archive" in locate("cifar100", tmp_path)


def test_unknown_class_folders_are_named(tmp_path, cifar10):
    names = list(CIFAR10_CLASS_NAMES)
    names[3] = "kitten"
    of.write_class_folders(tmp_path / "cifar10", {"train": cifar10[0], "test": cifar10[1]}, names)
    with pytest.raises(CorruptDataError, match=r"\['kitten'\] are not CIFAR-10 classes"):
        load_cifar10(tmp_path)
