"""Distribution strategies for real, each in a fresh Python process.

Logical devices can only be configured before TensorFlow initialises, and a multi-worker strategy
must be created before any other TensorFlow op, so every case runs a small script in a
subprocess and reports a JSON line.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

TRAIN_TINY_MODEL = """
import json, sys
import numpy as np
import keras
from keras_vision.training import fit, get_strategy, set_seed

strategy = get_strategy(sys.argv[2])
set_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] - x[:, 2] > 0).astype("int64")
with strategy.scope():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
result = fit(model, (x, y), epochs=4, batch_size=32, run_dir=sys.argv[1], verbose=0)
print(json.dumps({"replicas": strategy.num_replicas_in_sync, "loss": result.history["loss"],
                  "strategy": type(strategy).__name__, "devices": list(getattr(strategy.extended,
                  "worker_devices", []))}))
"""


def run_script(script: str, *args: str, env: dict | None = None) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=REPO,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(REPO), **(env or {})},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_mirrored_strategy_trains_on_two_logical_cpus(tmp_path):
    script = "from keras_vision.training import split_cpu\nsplit_cpu(2)\n" + TRAIN_TINY_MODEL
    report = run_script(script, str(tmp_path), "mirrored")
    assert report["strategy"] == "MirroredStrategy"
    assert report["replicas"] == 2
    assert len(report["devices"]) == 2 and all("CPU" in device for device in report["devices"])
    assert report["loss"][-1] < report["loss"][0]
    assert len(json.loads((tmp_path / "history.json").read_text())["loss"]) == 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


MULTI_WORKER = """
import json
import tensorflow as tf
from keras_vision.training import get_strategy
strategy = get_strategy("multi_worker")
per_replica = strategy.run(lambda: tf.constant(1.0))
print(json.dumps({
    "is_multi_worker": isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy),
    "replicas": strategy.num_replicas_in_sync,
    "sum_over_replicas": float(strategy.reduce("SUM", per_replica, axis=None)),
}))
"""


@pytest.mark.slow
def test_multi_worker_strategy_reads_tf_config():
    tf_config = {"cluster": {"worker": [f"localhost:{_free_port()}"]}, "task": {"type": "worker", "index": 0}}
    report = run_script(MULTI_WORKER, env={"TF_CONFIG": json.dumps(tf_config)})
    assert report == {"is_multi_worker": True, "replicas": 1, "sum_over_replicas": 1.0}


RUNNER_CONNECTS_FIRST = """
import json, sys
from dataclasses import dataclass
from pathlib import Path
import tensorflow as tf
from keras_vision.experiments import EXPERIMENTS, Experiment, run_experiment
from keras_vision.experiments.options import DistributionOptions
from keras_vision.training import get_strategy

@dataclass(frozen=True)
class Config(DistributionOptions):
    pass

def run(config):
    before = float(tf.constant(1.0) + 1.0)  # a TensorFlow op, as loading data may run one
    strategy = get_strategy(config.strategy)  # too late to configure collective ops, unless the runner did
    total = strategy.reduce("SUM", strategy.run(lambda: tf.constant(1.0)), axis=None)
    return {"models": {}, "replicas": strategy.num_replicas_in_sync, "sum": float(total), "before": before}

EXPERIMENTS.register("first_op", Experiment(name="first_op", module="__main__", summary="-", config=Config))
metrics = run_experiment(EXPERIMENTS.get("first_op").make_config(strategy="multi_worker", out=Path(sys.argv[1])))
print(json.dumps({k: metrics[k] for k in ("replicas", "sum", "before")}))
"""


@pytest.mark.slow
def test_runner_connects_to_the_cluster_before_the_experiment_runs_a_tensorflow_op(tmp_path):
    tf_config = {"cluster": {"worker": [f"localhost:{_free_port()}"]}, "task": {"type": "worker", "index": 0}}
    report = run_script(RUNNER_CONNECTS_FIRST, str(tmp_path), env={"TF_CONFIG": json.dumps(tf_config)})
    assert report == {"replicas": 1, "sum": 1.0, "before": 2.0}
    assert (tmp_path / "first_op" / "metrics.json").is_file()  # the chief (the only worker) writes


FRESH_PROCESS_CHECKS = """
import json
import tensorflow as tf
from tensorflow.python.framework import config
from keras_vision.training import set_seed, split_cpu

report = {"determinism_before": config.is_op_determinism_enabled()}
set_seed(0, deterministic=True)
report["determinism_after"] = config.is_op_determinism_enabled()
tf.constant(1.0)  # TensorFlow is now initialised with one CPU device
try:
    split_cpu(2)
except RuntimeError as error:
    report["split_cpu_error"] = str(error)
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def fresh_process():
    """Checks that change process-wide TensorFlow state, run once in their own process."""
    return run_script(FRESH_PROCESS_CHECKS)


def test_split_cpu_explains_when_it_is_called_too_late(fresh_process):
    error = fresh_process.get("split_cpu_error", "no RuntimeError")
    assert "came too late" in error and "very start of the program" in error


def test_set_seed_can_enable_op_determinism(fresh_process):
    assert (fresh_process["determinism_before"], fresh_process["determinism_after"]) == (False, True)
