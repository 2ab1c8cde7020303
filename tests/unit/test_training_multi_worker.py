"""`--strategy multi_worker` for real: two worker processes on 127.0.0.1, through the launcher.

Slow (minutes each on two shared cores): run with `pytest -m slow tests/unit/test_training_multi_worker.py`.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from multi_worker import kill_worker, launch, worker_steps

from keras_vision import launch as launcher

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(REPO)}

TINY = """
import json, sys
import numpy as np
import keras
from keras_vision.training import fit, get_strategy, set_seed

strategy = get_strategy(sys.argv[2])
set_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(512, 4)).astype("float32")
y = (x[:, 0] - x[:, 2] > 0).astype("int64")
with strategy.scope():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])

class CountSteps(keras.callbacks.Callback):
    steps = 0
    def on_train_batch_end(self, batch, logs=None):
        CountSteps.steps += 1

result = fit(model, (x, y), validation=(x[:100], y[:100]), epochs=3, batch_size=int(sys.argv[3]),
             run_dir=sys.argv[1], callbacks=[CountSteps()], verbose=0)
print(json.dumps({"history": result.history, "steps": CountSteps.steps, "replicas": strategy.num_replicas_in_sync,
                  "checksum": float(sum(np.abs(w).sum() for w in model.get_weights()))}))
"""


def _two_workers(script: str, args_of) -> list[dict]:
    """Runs `script` as two workers (TF_CONFIG on free ports); returns each one's last JSON line."""
    configs = launcher.tf_configs(launcher.free_ports(2))
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script), *args_of(i)],
            env={**ENV, "TF_CONFIG": config},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for i, config in enumerate(configs)
    ]
    reports = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err[-3000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


@pytest.mark.slow
def test_two_workers_train_alike_on_half_the_steps_and_only_the_chief_writes(tmp_path):
    reports = _two_workers(TINY, lambda i: [str(tmp_path / f"worker{i}"), "multi_worker", "32"])
    single = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(TINY), str(tmp_path / "single"), "default", "64"],
        env=ENV,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    single = json.loads(single.stdout.strip().splitlines()[-1])
    chief, other = reports
    assert chief["replicas"] == 2
    assert chief["steps"] == other["steps"] == 3 * 8  # 512 / 32 = 16 batches, 8 per worker
    assert single["steps"] == 3 * 8  # one process, the same global batch of 64
    assert chief["history"] == other["history"]  # logs averaged over the workers, validation alike
    assert chief["checksum"] == pytest.approx(other["checksum"], rel=1e-6)  # the same weights
    assert chief["history"]["loss"][-1] < chief["history"]["loss"][0]
    assert abs(chief["history"]["val_accuracy"][-1] - single["history"]["val_accuracy"][-1]) <= 0.05
    assert (tmp_path / "worker0" / "history.csv").is_file()
    assert list((tmp_path / "worker1").iterdir()) == []  # created for the caller, but nothing written


MNIST = ["--train-limit", "4000", "--test-limit", "1000", "--epochs", "2", "--verbose", "epoch"]


@pytest.mark.slow
def test_launcher_trains_mnist_on_two_workers_like_one_process(tmp_path, shared_data):
    process = launch(["mnist", "--data-dir", str(shared_data), *MNIST, "--out", "w2"], tmp_path)
    log, _ = process.communicate(timeout=1200)
    assert process.returncode == 0, log[-3000:]
    single = subprocess.run(  # one process, the same global batch: 2 x 64
        [sys.executable, "-m", "keras_vision.run", "mnist", "--data-dir", str(shared_data), *MNIST]
        + ["--batch-size", "128", "--out", "single"],
        env=ENV,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert single.returncode == 0, single.stderr[-3000:]
    assert worker_steps(log, 0) == worker_steps(log, 1) == [28, 28]  # 3,600 images: 57 batches of 64 dealt to 2 workers
    assert re.findall(r"(\d+)/\d+ - ", single.stdout) == ["29", "29"]  # one process, batch 128
    chief = json.loads((tmp_path / "w2/mnist/metrics.json").read_text())["models"]["classic_cnn"]
    alone = json.loads((tmp_path / "single/mnist/metrics.json").read_text())["models"]["classic_cnn"]
    assert abs(chief["test_accuracy"] - alone["test_accuracy"]) <= 0.02
    assert "[worker 1] This worker's results were temporary" in log
    assert sorted(p.name for p in (tmp_path / "w2").iterdir()) == ["mnist"]  # one run folder: the chief's


@pytest.mark.slow
def test_killed_worker_then_resume_finishes_with_both_epochs(tmp_path, shared_data):
    args = ["mnist", "--data-dir", str(shared_data), *MNIST, "--out", "kill"]
    process = launch(args, tmp_path, start_new_session=True)
    log, deadline = "", time.monotonic() + 900
    while "[worker 1] Epoch 2/2" not in log and time.monotonic() < deadline:
        log += process.stdout.readline()
    kill_worker(process.pid, index=1)  # at once: on idle cores epoch 2's 28 steps take about a second
    log += process.communicate(timeout=300)[0]
    assert process.returncode == 4, log[-3000:]  # the chief: a worker was lost
    assert "run the same command with --resume" in log
    history = tmp_path / "kill/mnist/classic_cnn/history.csv"
    assert len(history.read_text().splitlines()) == 2  # header + epoch 1

    resumed = launch([*args, "--resume"], tmp_path)
    log, _ = resumed.communicate(timeout=900)
    assert resumed.returncode == 0, log[-3000:]
    assert "[worker 1] Epoch 2/2" in log and "Epoch 1/2" not in log
    assert [row.split(",")[0] for row in history.read_text().splitlines()[1:]] == ["0", "1"]
    assert json.loads((tmp_path / "kill/mnist/metrics.json").read_text())["models"]["classic_cnn"]["epochs"] == 2


@pytest.mark.slow
def test_gan_trains_both_variants_on_two_workers(tmp_path, shared_data):
    process = launch(["gan", "--quick", "--data-dir", str(shared_data), "--out", "g2", "--verbose", "epoch"], tmp_path)
    log, _ = process.communicate(timeout=3000)
    assert process.returncode == 0, log[-3000:]
    models = json.loads((tmp_path / "g2/gan/metrics.json").read_text())["models"]
    assert sorted(models) == ["resize", "transpose"]
    for scores in models.values():
        assert scores["epochs"] == 3 and scores["fid"] > 0 and 0 <= scores["confident_share"] <= 1
    assert worker_steps(log, 0) == worker_steps(log, 1)  # every worker ran as many steps
