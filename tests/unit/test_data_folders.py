"""`load_image_folder`: class-folder layouts, plain and tarred, splits, decoding and the cache."""

import io
import os

import numpy as np
import official_formats as of
import pytest
from PIL import Image

from keras_vision.data import FolderDataset, folders, load_image_folder
from keras_vision.errors import CorruptDataError

CLASSES = ["cat", "dog", "fox"]


@pytest.fixture(autouse=True)
def isolated_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))


def images(seed, n, shape=(6, 5, 3)):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, *shape), dtype=np.uint8), np.arange(n) % len(CLASSES)


def pairs(x, y):
    return sorted((image.tobytes(), int(label)) for image, label in zip(x, y))


LAYOUTS = {
    # name: (write(tmp_path, train, test) -> path given to load_image_folder)
    "train/test folders": lambda t, tr, te: of.write_class_folders(t / "d", {"train": tr, "test": te}, CLASSES),
    "train/test tar.gz": lambda t, tr, te: of.write_class_folders(
        t / "d", {"train": tr, "test": te}, CLASSES, archive=t / "d.tar.gz"
    ),
    "wrapped twice in tar.gz": lambda t, tr, te: of.write_class_folders(
        t / "outer", {"inner/train": tr, "inner/test": te}, CLASSES, archive=t / "d.tgz"
    ),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_train_test_layouts_round_trip_exactly(tmp_path, layout):
    train, test = images(0, 9), images(1, 4)
    path = LAYOUTS[layout](tmp_path, train, test)
    data = load_image_folder(path)
    (x_train, y_train), (x_test, y_test) = data  # unpacks like keras.datasets
    assert isinstance(data, FolderDataset) and data.class_names == tuple(CLASSES)
    assert (x_train.dtype, x_train.shape, y_train.dtype, y_train.shape) == (np.uint8, (9, 6, 5, 3), np.int64, (9,))
    assert pairs(x_train, y_train) == pairs(*train) and pairs(x_test, y_test) == pairs(*test)


def test_channels_are_rgb_not_opencv_bgr(tmp_path):
    (tmp_path / "red").mkdir()
    Image.new("RGB", (4, 3), (255, 0, 0)).save(tmp_path / "red" / "a.png")
    Image.new("RGB", (4, 3), (250, 10, 5)).save(tmp_path / "red" / "b.jpg", quality=100)
    data = load_image_folder(tmp_path, validation_split=0.5, shuffle=False)
    pixels = np.concatenate([data.train[0], data.test[0]]).reshape(-1, 3)
    assert (pixels[:, 0] > 200).all() and (pixels[:, 2] < 30).all()


def test_class_only_folders_split_stratified_and_seeded(tmp_path):
    x, y = images(2, 30, (4, 4, 3))  # 10 per class
    of.write_class_folders(tmp_path / "d", {"": (x, y)}, CLASSES)
    data = load_image_folder(tmp_path / "d", seed=3)
    assert np.bincount(data.test[1]).tolist() == [2, 2, 2]  # 20 % of each class by default
    everything = (np.concatenate([data.train[0], data.test[0]]), np.concatenate([data.train[1], data.test[1]]))
    assert pairs(*everything) == pairs(x, y)
    again = load_image_folder(tmp_path / "d", seed=3)
    other = load_image_folder(tmp_path / "d", seed=4)
    np.testing.assert_array_equal(again.test[0], data.test[0])
    assert pairs(*other.test) != pairs(*data.test)
    half = load_image_folder(tmp_path / "d", validation_split=0.5)
    assert np.bincount(half.test[1]).tolist() == [5, 5, 5]


def test_folders_other_than_train_and_test_are_ignored(tmp_path):
    train, test = images(13, 6), images(14, 3)
    of.write_class_folders(tmp_path / "d", {"train": train, "test": test, "val": images(15, 3)}, CLASSES)
    (x_train, y_train), (x_test, y_test) = load_image_folder(tmp_path / "d")
    assert pairs(x_train, y_train) == pairs(*train) and pairs(x_test, y_test) == pairs(*test)


def test_shuffle_false_keeps_class_then_file_order(tmp_path):
    x, y = images(3, 6)
    of.write_class_folders(tmp_path / "d", {"train": (x, y), "test": (x[:3], y[:3])}, CLASSES)
    data = load_image_folder(tmp_path / "d", shuffle=False)
    assert data.train[1].tolist() == [0, 0, 1, 1, 2, 2]
    np.testing.assert_array_equal(data.train[0][0], x[0])  # 0000.png of cat


def test_grayscale_only_folders_give_three_dimensional_arrays(tmp_path):
    x, y = images(4, 6, (7, 8))
    of.write_class_folders(tmp_path / "g", {"train": (x, y), "test": (x, y)}, CLASSES)
    (x_train, y_train), _ = load_image_folder(tmp_path / "g")
    assert x_train.shape == (6, 7, 8) and pairs(x_train, y_train) == pairs(x, y)


def test_different_sizes_need_image_size(tmp_path):
    for name, size in (("cat/a.png", (10, 6)), ("dog/b.png", (8, 8))):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        Image.new("RGB", size, (1, 2, 3)).save(tmp_path / name)
    with pytest.raises(ValueError, match=r"different sizes.*image_size=\(height, width\)"):
        load_image_folder(tmp_path)
    data = load_image_folder(tmp_path, image_size=(5, 4), validation_split=0.5)
    assert data.train[0].shape[1:] == (5, 4, 3)
    assert (np.concatenate([data.train[0], data.test[0]]) == (1, 2, 3)).all()  # a flat colour stays flat


def _write_bytes(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (9, 9, 9)).save(buffer, "JPEG")
    return buffer.getvalue()


BAD_FILES = {
    "not an image": ("dog/x.png", b"this is not a png"),
    "empty": ("dog/x.jpg", b""),
    "truncated jpeg": ("dog/x.jpg", _jpeg_bytes()[:-40]),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_image_files_are_named(tmp_path, case):
    name, data = BAD_FILES[case]
    of.write_class_folders(tmp_path / "d", {"": images(5, 3)}, CLASSES)
    _write_bytes(tmp_path / "d" / name, data)
    with pytest.raises(CorruptDataError, match=name):
        load_image_folder(tmp_path / "d")


def _loose_train_image(path):
    of.write_class_folders(path, {"train": images(6, 3)}, CLASSES)
    _write_bytes(path / "train" / "x.png", b"")
    return path


def _empty_folder(path):
    path.mkdir()
    return path


LAYOUT_PROBLEMS = {
    # name: (make(tmp_path) -> path to load, error type, words in the message)
    "image outside classes": (lambda p: _write_bytes(p / "x.png", b"") or p, ValueError, "'x.png' is not inside"),
    "image directly in train/": (
        lambda p: _loose_train_image(p),
        ValueError,
        "'train/x.png' is not inside a class folder; expected train/<class>/ or test/<class>/",
    ),
    "no images": (lambda p: _empty_folder(p / "empty"), ValueError, "No images"),
    "test without train": (
        lambda p: of.write_class_folders(p, {"test": images(6, 3)}, CLASSES),
        ValueError,
        "no train/ folder",
    ),
    "broken archive": (
        lambda p: _write_bytes(p / "d.tar.gz", b"\x1f\x8b\x08junk") or p / "d.tar.gz",
        CorruptDataError,
        "d.tar.gz: damaged or truncated archive",
    ),
}


@pytest.mark.parametrize("case", LAYOUT_PROBLEMS)
def test_layout_problems_explain_themselves(tmp_path, case):
    make, error, words = LAYOUT_PROBLEMS[case]
    with pytest.raises(error, match=words):
        load_image_folder(make(tmp_path))


def test_argument_errors(tmp_path):
    of.write_class_folders(tmp_path / "d", {"train": images(7, 3), "test": images(8, 3)}, CLASSES)
    with pytest.raises(ValueError, match="validation_split applies only"):
        load_image_folder(tmp_path / "d", validation_split=0.1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        load_image_folder(tmp_path / "d", validation_split=1.5)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_image_folder(tmp_path / "nowhere")


def test_decoded_arrays_are_cached_and_invalidated_on_change(tmp_path, monkeypatch):
    archive = of.write_class_folders(
        tmp_path / "d", {"train": images(9, 6), "test": images(10, 3)}, CLASSES, archive=tmp_path / "d.tar.gz"
    )
    first = load_image_folder(archive)
    assert len(list((tmp_path / "keras_home" / "datasets" / "keras_vision").glob("d-*.npz"))) == 1

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded again despite the cache")

    monkeypatch.setattr(folders, "decode_folder", no_decoding)
    second = load_image_folder(archive)
    np.testing.assert_array_equal(second.train[0], first.train[0])
    assert second.class_names == first.class_names
    monkeypatch.undo()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    of.write_class_folders(
        tmp_path / "d", {"train": images(11, 6), "test": images(12, 3)}, CLASSES, archive=tmp_path / "d.tar.gz"
    )
    os.utime(archive, ns=(1, 1))  # a different modification time even within the clock resolution
    changed = load_image_folder(archive)
    assert pairs(*changed.train) == pairs(*images(11, 6))
