"""Options honoured by construction: every option an experiment declares is read by its run.

Each experiment's `--quick` preset runs on tiny files in the official formats (with a few more
settings made small for speed: they change values, not which options are read), on a config that
records every option its `run` reads. An option that is declared but never read fails the test by
name: the fix is to honour it in `run` or to stop offering it. `--out` and `--seed` are read by the
runner (`run_experiment`) for every experiment.
"""

import dataclasses

import cv2
import numpy as np
import official_formats as of
import pytest

from keras_vision import network
from keras_vision.data import load_sample_image
from keras_vision.data.registry import CIFAR100_CLASS_NAMES, CIFAR100_COARSE_CLASS_NAMES
from keras_vision.experiments import EXPERIMENTS
from keras_vision.experiments.options import RUNNER_OPTIONS
from keras_vision.training import set_seed


def mnist_files(root, folder="mnist"):
    rng = np.random.default_rng(0)
    of.write_mnist_idx(root / folder, of.random_split(rng, 64, (28, 28), 10), of.random_split(rng, 32, (28, 28), 10))
    return root


def cifar10_files(root):
    rng = np.random.default_rng(0)
    of.write_cifar10(root, of.random_split(rng, 40, (32, 32, 3), 10), of.random_split(rng, 20, (32, 32, 3), 10))
    return root


def cifar100_files(root):
    rng = np.random.default_rng(0)
    splits = []
    for n in (40, 20):
        x, fine = of.random_split(rng, n, (32, 32, 3), 100)
        splits.append((x, fine, fine // 5))
    of.write_cifar100(
        root, *splits, fine_names=CIFAR100_CLASS_NAMES, coarse_names=CIFAR100_COARSE_CLASS_NAMES, archive=True
    )
    return root


def class_folders(root):
    rng = np.random.default_rng(1)
    splits = {}
    for split, n in (("train", 8), ("test", 3)):
        y = np.repeat(np.arange(3), n)
        splits[split] = (rng.integers(0, 256, size=(len(y), 20, 24, 3), dtype=np.uint8), y)
    return of.write_class_folders(root / "photos", splits, ["cat", "dog", "fox"])


def photo_folder(root):
    root.mkdir(parents=True)
    for name in ("chelsea", "rocket"):
        cv2.imwrite(str(root / f"{name}.png"), cv2.cvtColor(load_sample_image(name)[:48, :48], cv2.COLOR_RGB2BGR))
    return root


def mobilenet_weights(root):
    """A MobileNet 0.25 weights file (random values, the real layout) for a pretrained-path run."""
    import keras

    root.mkdir(parents=True, exist_ok=True)
    base = keras.applications.MobileNet(input_shape=(32, 32, 3), alpha=0.25, include_top=False, weights=None)
    base.save_weights(root / "mobilenet_025.weights.h5")
    return str(root / "mobilenet_025.weights.h5")


SMALL = {"verbose": "silent", "train_limit": 64, "test_limit": 32, "epochs": 1, "batch_size": 16}
#: Experiment -> (writes its tiny data and returns `--data-dir`, or None; settings made small). An
#: option read only in some settings (the head-only learning rate with pretrained weights) is
#: covered by a second run: `settings` may be a list, and the reads of all its runs count.
CASES = {
    "mnist": (mnist_files, {}),
    "fashion_mnist": (lambda root: mnist_files(root, "fashion-mnist"), {}),
    "cifar10": (cifar10_files, {}),
    "mnist_densenet": (mnist_files, {"weights": "none", "variants": "all_trainable,freeze_denseblock1_2"}),
    "cifar100": (
        cifar100_files,
        {"arch": "mobilenet:alpha=0.25", "weights": "none", "image_size": 32, "head_epochs_per_epoch": 1},
    ),
    "folder": (
        class_folders,
        [
            {"arch": "mobilenet:alpha=0.25", "weights": "none", "image_size": 32},
            {"arch": "mobilenet:alpha=0.25", "weights": mobilenet_weights, "image_size": 32},
        ],
    ),
    "superres": (None, {"losses": "mse,perceptual", "max_train_seconds": 3.0, "patch_stride": 33}),
    "gan": (mnist_files, {"width": 4, "latent_dim": 8, "sample_count": 20, "epoch_sample_count": 20}),
    "lowlight": (photo_folder, {"max_side": 48, "figure_rows": 1}),
    "augmentation": (cifar10_files, {"sizes": "32", "seconds": 0.05}),
    "resnet": (cifar10_files, {"depths": "8,14"}),
    "upsampling": (None, {"trials": 1}),
    "deploy": (mnist_files, {"calibration_images": 8, "timing_images": 4}),
    "digits": (
        mnist_files,
        {"calibration_images": 8, "sequences": 4, "length": 4, "figure_rows": 2, "reader_lines": 4},
    ),
}
SLOW = {"mnist_densenet", "gan", "superres", "cifar100", "folder", "deploy", "digits"}


def recording(config):
    """A copy of `config` that adds the name of every option read to the returned set."""
    names = {f.name for f in config.options()}
    reads = set()

    class Recording(type(config)):
        def __getattribute__(self, name):
            if name in names and object.__getattribute__(self, "__dict__").get("_recording"):
                reads.add(name)
            return super().__getattribute__(name)

    copy = Recording(**{f.name: getattr(config, f.name) for f in dataclasses.fields(config)})
    object.__setattr__(copy, "_recording", True)
    return copy, reads


def test_every_experiment_has_a_case():
    assert set(CASES) == set(EXPERIMENTS.names()), "add the new experiment to CASES"


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in CASES])
def test_every_declared_option_is_read(name, tmp_path, monkeypatch):
    monkeypatch.setattr(network, "downloads_available", lambda *args, **kwargs: False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    exp = EXPERIMENTS.get(name)
    write_data, settings = CASES[name]
    declared = {f.name for f in exp.config.options()}
    data_dir = write_data(tmp_path / "data") if write_data is not None else None
    read = set()
    for run, small in enumerate(settings if isinstance(settings, list) else [settings]):
        given = {k: v(tmp_path / "files") if callable(v) else v for k, v in {**SMALL, **small}.items()}
        given = {k: v for k, v in {**given, "data_dir": data_dir}.items() if k in declared and v is not None}
        config, reads = recording(exp.make_config(quick=True, out=tmp_path / f"runs{run}", **given))
        config.run_dir.mkdir(parents=True)
        set_seed(config.seed)
        exp.runner()(config)
        read |= reads
    unread = declared - read - set(RUNNER_OPTIONS)
    assert not unread, f"{name} offers options its run never reads: {sorted(unread)}"
