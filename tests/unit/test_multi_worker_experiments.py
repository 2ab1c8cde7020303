"""Every training experiment on two real worker processes (`launch --workers 2`), on tiny files in the official formats.

For each experiment that offers `--strategy`: both workers exit 0, every model trains with half
the single-process steps per epoch on each worker (computed here from the split sizes in
`metrics.json`), and only the chief writes: the run folder is the chief's, the other worker says its
results were temporary, and no temporary folder is left behind. `mnist` and `gan` have their own
tests (with real data) in `test_training_multi_worker.py`.

Slow (a minute or more each on two shared cores): `pytest -m slow tests/unit/test_multi_worker_experiments.py`.
"""

import json
import math
import time
from pathlib import Path

import numpy as np
import official_formats as of
import pytest
from multi_worker import kill_worker, launch, worker_steps

from keras_vision.data.registry import CIFAR100_CLASS_NAMES, CIFAR100_COARSE_CLASS_NAMES

REPO = Path(__file__).resolve().parents[2]


def mnist_files(root: Path, folder: str = "mnist") -> Path:
    rng = np.random.default_rng(0)
    of.write_mnist_idx(root / folder, of.random_split(rng, 144, (28, 28), 10), of.random_split(rng, 40, (28, 28), 10))
    return root


def cifar10_files(root: Path) -> Path:
    rng = np.random.default_rng(0)
    of.write_cifar10(root, of.random_split(rng, 144, (32, 32, 3), 10), of.random_split(rng, 40, (32, 32, 3), 10))
    return root


def cifar100_files(root: Path, train: int = 300) -> Path:
    rng = np.random.default_rng(0)
    splits = []
    for n in (train, 40):  # the head trains in batches of 128: two at least, one per worker
        x, fine = of.random_split(rng, n, (32, 32, 3), 100)
        splits.append((x, fine, fine // 5))
    of.write_cifar100(root, *splits, fine_names=CIFAR100_CLASS_NAMES, coarse_names=CIFAR100_COARSE_CLASS_NAMES)
    return root


def class_folders(root: Path) -> Path:
    rng = np.random.default_rng(1)
    splits = {}
    for split, n in (("train", 48), ("test", 6)):
        y = np.repeat(np.arange(3), n)
        splits[split] = (rng.integers(0, 256, size=(len(y), 32, 32, 3), dtype=np.uint8), y)
    return of.write_class_folders(root / "photos", splits, ["cat", "dog", "fox"])


SMALL = ["--epochs", "1", "--batch-size", "16", "--verbose", "epoch"]
LIMITS = ["--train-limit", "144", "--test-limit", "40"]


def metrics(run: Path) -> dict:
    return json.loads((run / "metrics.json").read_text())


def batches_of(size: int, *, examples=lambda m: m["data"]["train"], nested: str = ""):
    """`run folder -> [steps per worker]`: each model one epoch of `examples(metrics)` in batches of `size`.

    `nested`: the models are those of the experiment run first into that subfolder (deploy's `mnist`).
    """

    def expected(run: Path) -> list[int]:
        found = metrics(run / nested)
        return [math.ceil(examples(found) / size) // 2] * len(found["models"])

    return expected


def head_then_fine_tuning(run: Path) -> list[int]:
    """cifar100: the head on features in batches of 128, then fine-tuning on whole batches of 16."""
    train = metrics(run)["data"]["train"]
    return [math.ceil(train / 128) // 2, train // 16 // 2]


def mnist_then_reader(run: Path) -> list[int]:
    """digits: the mnist model's epoch, then the reader classifier's on its crops plus the training digits."""
    reader = metrics(run)["reader_classifier"]
    examples = sum(reader["crops_per_class"]) + reader["training_digits"]
    return [*batches_of(16, nested="mnist")(run), math.ceil(examples / 16) // 2]


#: Experiment -> (writes its data and returns `--data-dir`, or None; its options; `run folder ->`
#: the steps per worker of each model's epoch, computed from the split sizes in `metrics.json`).
CASES = {
    "fashion_mnist": (
        lambda root: mnist_files(root, "fashion-mnist"),
        [*LIMITS, "--variants", "ann,cnn"],
        batches_of(16),
    ),
    "cifar10": (cifar10_files, [*LIMITS, "--variants", "fcn_small,cnn"], batches_of(16)),
    "mnist_densenet": (
        mnist_files,
        [*LIMITS, "--weights", "none", "--variants", "freeze_denseblock1_2"],
        batches_of(16),
    ),
    "cifar100": (
        cifar100_files,
        ["--train-limit", "300", "--test-limit", "40", "--arch", "mobilenet:alpha=0.25", "--weights", "none"]
        + ["--image-size", "32", "--head-epochs-per-epoch", "1"],
        head_then_fine_tuning,
    ),
    "folder": (class_folders, [*LIMITS, "--arch", "mobilenet:alpha=0.25", "--weights", "none"], batches_of(16)),
    "superres": (
        None,
        ["--models", "srcnn", "--losses", "mse,perceptual", "--patch-stride", "33", "--max-train-seconds", "none"],
        batches_of(16, examples=lambda m: m["num_patches"]["bicubic_input"]),
    ),
    "deploy": (
        mnist_files,
        [*LIMITS, "--calibration-images", "8", "--timing-images", "4"],
        batches_of(16, nested="mnist"),
    ),
    "digits": (
        mnist_files,
        [*LIMITS, "--calibration-images", "8", "--sequences", "4", "--length", "4", "--reader-lines", "10"],
        mnist_then_reader,
    ),
}


#: Two-worker runs left out of CI's slow run for time (DenseNet121; mnist trained first; folder's
#: several models): `python -m pytest -m heavy`.
HEAVY = {"mnist_densenet", "folder", "deploy", "digits"}


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.heavy) if n in HEAVY else n for n in CASES])
def test_experiment_trains_on_two_workers_and_only_the_chief_writes(name, tmp_path):
    write_data, options, expected_steps = CASES[name]
    data = ["--data-dir", str(write_data(tmp_path / "data"))] if write_data else []
    process = launch([name, "--quick", *data, *SMALL, *options, "--out", "w2"], tmp_path)
    log, _ = process.communicate(timeout=3000)
    assert process.returncode == 0, log[-4000:]

    run = tmp_path / "w2" / name
    assert worker_steps(log, 0) == worker_steps(log, 1) == expected_steps(run)  # each epoch: its batches dealt to 2
    for found in (metrics(run), *(metrics(p.parent) for p in run.glob("*/metrics.json"))):  # deploy's mnist too
        assert all(record["epochs"] == 1 for record in found.get("models", {}).values() if "epochs" in record)
    assert sorted(p.name for p in (tmp_path / "w2").iterdir()) == [name]  # one run folder: the chief's
    assert "[worker 1] This worker's results were temporary" in log
    assert [p.name for p in (tmp_path / "tmp").glob("keras_vision_*")] == []  # the workers' scratch folders went


@pytest.mark.slow
def test_cifar100_killed_worker_then_resume_finishes_both_phases(tmp_path):
    """Worker 1 killed in fine-tuning's second epoch; `--resume` continues it from the first one."""
    _, options, _ = CASES["cifar100"]
    args = ["cifar100", "--quick", "--data-dir", str(cifar100_files(tmp_path / "data", 1200)), *SMALL, *options]
    args = [*args, "--train-limit", "1200", "--image-size", "64", "--epochs", "2", "--out", "kill"]  # epochs of seconds
    process = launch(args, tmp_path, start_new_session=True)
    log, deadline = "", time.monotonic() + 1500
    while "[worker 1] fine-tuning" not in log and time.monotonic() < deadline:
        log += process.stdout.readline()
    while "[worker 1] Epoch 2/2" not in log.split("[worker 1] fine-tuning")[-1] and time.monotonic() < deadline:
        log += process.stdout.readline()
    kill_worker(process.pid, index=1)
    log += process.communicate(timeout=600)[0]
    assert process.returncode != 0, log[-4000:]  # a worker was lost (the chief: 4; stopped by the launcher: 137)
    history = tmp_path / "kill/cifar100/fine_tuning/history.csv"
    assert len(history.read_text().splitlines()) == 2  # header + epoch 1

    resumed = launch([*args, "--resume"], tmp_path)
    log, _ = resumed.communicate(timeout=1500)
    assert resumed.returncode == 0, log[-4000:]
    fine_tuning = log.split("[worker 1] fine-tuning")[-1]
    assert "[worker 1] Epoch 2/2" in fine_tuning and "Epoch 1/2" not in fine_tuning
    assert [row.split(",")[0] for row in history.read_text().splitlines()[1:]] == ["0", "1"]
    assert metrics(tmp_path / "kill/cifar100")["models"]["fine_tuning"]["epochs"] == 2
