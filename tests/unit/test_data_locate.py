"""The dataset registry, `locate`, and failing fast with guidance when data is missing."""

import socket
import sys
import time
import types

import numpy as np
import pytest

from keras_vision import network
from keras_vision.data import DATASETS, DatasetSpec, downloads_available, load_dataset, locate, lookup
from keras_vision.errors import DataNotFoundError

EXPECTED = {
    # name: (number of classes, first class, last class) from the datasets' official pages
    "mnist": (10, "0", "9"),
    "fashion_mnist": (10, "T-shirt/top", "Ankle boot"),
    "cifar10": (10, "airplane", "truck"),
    "cifar100": (100, "apple", "worm"),
}


@pytest.fixture(autouse=True)
def empty_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("KERAS_VISION_DATA", raising=False)


@pytest.fixture
def offline(monkeypatch):
    calls = []
    monkeypatch.setattr(network, "downloads_available", lambda *args, **kwargs: calls.append(args) or False)
    return calls


@pytest.mark.parametrize("name", EXPECTED)
def test_registry_entries_describe_their_dataset(name):
    spec = DATASETS.get(name)
    classes, first, last = EXPECTED[name]
    assert isinstance(spec, DatasetSpec) and spec.name == name
    assert spec.num_classes == classes == len(spec.class_names)
    assert (spec.class_names[0], spec.class_names[-1]) == (first, last)
    assert spec.download_url.startswith("https://") and spec.expected_files


def test_unknown_dataset_lists_valid_names():
    with pytest.raises(ValueError, match="Valid datasets: mnist, fashion_mnist, cifar10, cifar100"):
        locate("cifar-10")


@pytest.mark.parametrize("name", EXPECTED)
def test_locate_is_none_when_nothing_is_on_disk(tmp_path, name):
    assert locate(name, tmp_path) is None


@pytest.mark.parametrize("name", EXPECTED)
def test_missing_data_offline_fails_fast_with_guidance(tmp_path, offline, name):
    spec = DATASETS.get(name)
    start = time.perf_counter()
    with pytest.raises(DataNotFoundError) as info:
        load_dataset(spec.name, data_dir=tmp_path / "data")
    assert time.perf_counter() - start < 5
    message = str(info.value)
    for needle in (*spec.expected_files, "--data-dir", "KERAS_VISION_DATA", spec.download_url, str(tmp_path / "data")):
        assert needle in message
    assert offline, "the network check was not consulted"
    assert info.value.exit_code == 2 and isinstance(info.value, FileNotFoundError)


def test_mnist_guidance_names_the_idx_files(tmp_path, offline):
    with pytest.raises(DataNotFoundError, match="train-images-idx3-ubyte.gz.*t10k-labels-idx1-ubyte.gz"):
        load_dataset("mnist")


def _fake_keras_module(monkeypatch, load_data):
    module = types.SimpleNamespace(load_data=load_data)
    monkeypatch.setattr(network, "downloads_available", lambda *args, **kwargs: True)
    monkeypatch.setattr(lookup, "keras_load_data", lambda name: module.load_data)


def test_a_failed_download_becomes_data_not_found(tmp_path, monkeypatch):
    seen = {}

    def load_data():
        seen["timeout"] = socket.getdefaulttimeout()
        raise Exception("URL fetch failure on https://storage.googleapis.com/...: None -- timed out")

    _fake_keras_module(monkeypatch, load_data)
    before = socket.getdefaulttimeout()
    with pytest.raises(DataNotFoundError, match="download failed.*URL fetch failure") as info:
        load_dataset("mnist", data_dir=tmp_path)
    assert seen["timeout"] == lookup.DOWNLOAD_TIMEOUT and socket.getdefaulttimeout() == before
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_a_download_is_conformed_to_keras_shapes(tmp_path, monkeypatch):
    x = np.zeros((2, 3, 32, 32), np.uint8)  # what Keras returns under channels_first
    _fake_keras_module(monkeypatch, lambda: ((x, [1, 2]), (x, [3, 4])))
    (x_train, y_train), (x_test, y_test) = load_dataset("cifar10", data_dir=tmp_path)
    assert x_train.shape == (2, 32, 32, 3) and y_train.dtype == np.uint8 and y_test.tolist() == [[3], [4]]


def test_downloads_available_respects_offline_switch(monkeypatch):
    monkeypatch.setenv("KERAS_VISION_OFFLINE", "1")
    network.downloads_available.cache_clear()
    start = time.perf_counter()
    assert downloads_available(timeout=0.5) is False
    assert time.perf_counter() - start < 1
    network.downloads_available.cache_clear()


@pytest.mark.parametrize("first", ["keras_vision.data.lookup", "keras_vision.data.cache", "keras_vision.data.registry"])
def test_the_data_modules_import_in_any_order(first):
    """`registry -> loaders -> lookup -> registry` was a cycle held apart by deferred imports; now
    `loaders -> lookup -> registry -> formats` is a chain, so any module can be imported first."""
    import subprocess

    code = f"import {first}, keras_vision.data; print(keras_vision.data.DATASETS.names())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and "mnist" in done.stdout, done.stderr[-2000:]
