"""The tiny offline stand-ins of `keras_vision.data.tiny`, read back by the ordinary loaders."""

import gzip
import io
import tarfile

import numpy as np
import pytest

from keras_vision.data import (
    DATASETS,
    load_cifar10,
    load_cifar100,
    load_fashion_mnist,
    load_image_folder,
    load_mnist,
    locate,
)
from keras_vision.data.tiny import (
    CIFAR_PHOTOS,
    FOLDER_SUBSET_CLASSES,
    folder_subset_members,
    lesson_data_dir,
    lesson_image_folder,
    tiny_cifar,
    tiny_mnist,
    write_cifar_folder_subset,
    write_tiny_dataset,
)


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
    with pytest.raises(
        ValueError, match="No tiny stand-in for dataset 'svhn'. Valid names: mnist, fashion_mnist, cifar10, cifar100"
    ):
        write_tiny_dataset("svhn", tmp_path)


def test_fashion_mnist_stand_in_is_found_and_read_in_its_own_folder(tmp_path, offline_data):
    folder = write_tiny_dataset("fashion_mnist", tmp_path)
    assert folder.name == "fashion-mnist"
    assert lesson_data_dir("fashion_mnist", tmp_path / "missing", tiny_dir=tmp_path) == tmp_path
    (x_train, y_train), _ = load_fashion_mnist(tmp_path)
    np.testing.assert_array_equal(x_train, tiny_mnist()[0][0])
    assert len(DATASETS.get("fashion_mnist").class_names) == len(np.unique(y_train)) == 10


def test_lesson_image_folder_writes_the_photo_crops_as_class_folders_once(tmp_path):
    folder = lesson_image_folder(tmp_path / "no_data", tmp_path / "lesson")
    assert folder == tmp_path / "lesson" / "tiny_photos"
    dataset = load_image_folder(folder, image_size=(32, 32), shuffle=False, cache=False)
    assert list(dataset.class_names) == sorted(CIFAR_PHOTOS)
    (x_train, _), (x_test, _) = tiny_cifar()
    assert (len(dataset.train[0]), len(dataset.test[0])) == (len(x_train), len(x_test))
    # PNG is lossless: the first crop of the first class folder is the stand-in's crop itself
    first = sorted((folder / "train" / dataset.class_names[0]).iterdir())[0]
    index, label = int(first.stem), CIFAR_PHOTOS.index(dataset.class_names[0])
    assert tiny_cifar()[0][1][index] == label
    np.testing.assert_array_equal(dataset.train[0][0], x_train[index])
    stamp = first.stat().st_mtime_ns
    lesson_image_folder(None, tmp_path / "lesson")
    assert first.stat().st_mtime_ns == stamp


def jpeg_archive(path, per_class: int):
    """A CIFAR-10 JPEG archive in the shared layout, members in shuffled order, a leading './'."""
    import cv2

    rng = np.random.default_rng(0)
    names = [
        f"{split}/{c}/{i:04d}.jpg"
        for split in ("train", "test")
        for c in FOLDER_SUBSET_CLASSES
        for i in range(per_class)
    ]
    with tarfile.open(path, "w:gz") as tar:
        for name in rng.permutation(names):
            data = cv2.imencode(".jpg", rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))[1].tobytes()
            info = tarfile.TarInfo(f"./{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_folder_subset_copies_the_first_jpegs_of_each_class_unchanged(tmp_path):
    archive = jpeg_archive(tmp_path / "cifar10-jpg.tar.gz", per_class=4)
    out = write_cifar_folder_subset(archive, tmp_path / "subset", per_split={"train": 3, "test": 2})
    with tarfile.open(archive) as tar:
        original = tar.extractfile("./train/bird/0002.jpg").read()
    assert (out / "train" / "bird" / "0002.jpg").read_bytes() == original
    assert sorted(p.name for p in (out / "train" / "bird").iterdir()) == ["0000.jpg", "0001.jpg", "0002.jpg"]
    assert sorted(p.name for p in (out / "test" / "ship").iterdir()) == ["0000.jpg", "0001.jpg"]
    assert len(list(out.rglob("*.jpg"))) == 9 * 5


def test_folder_subset_refuses_an_archive_with_too_few_images():
    names = [f"train/{c}/{i:04d}.jpg" for c in FOLDER_SUBSET_CLASSES for i in range(2)]
    with pytest.raises(ValueError, match="The archive has 2 images under train/airplane/, fewer than 3"):
        folder_subset_members(names, per_split={"train": 3})


def test_lesson_image_folder_prefers_the_jpeg_archive_and_finishes_a_half_written_folder(tmp_path, monkeypatch):
    import keras_vision.data.tiny as tiny

    (tmp_path / "data").mkdir()
    jpeg_archive(tmp_path / "data" / "cifar10-jpg.tar.gz", per_class=2)
    monkeypatch.setattr(tiny, "FOLDER_SUBSET_PER_SPLIT", {"train": 2, "test": 1})
    folder = lesson_image_folder(tmp_path / "data", tmp_path / "lesson")
    assert folder == tmp_path / "lesson" / "cifar9" and (folder / "COMPLETE").is_file()
    assert len(list(folder.rglob("*.jpg"))) == 9 * 3
    # a killed run: files missing and no COMPLETE marker -> written again
    (folder / "COMPLETE").unlink()
    (folder / "test" / "cat" / "0000.jpg").unlink()
    lesson_image_folder(tmp_path / "data", tmp_path / "lesson")
    assert (folder / "test" / "cat" / "0000.jpg").is_file() and (folder / "COMPLETE").is_file()


def test_a_damaged_archive_is_a_one_line_error(tmp_path):
    archive = jpeg_archive(tmp_path / "cifar10-jpg.tar.gz", per_class=2)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])  # a copy cut short
    with pytest.raises(ValueError, match="is not a readable .tar.gz .*damaged or partial copy"):
        write_cifar_folder_subset(archive, tmp_path / "subset", per_split={"train": 1})
