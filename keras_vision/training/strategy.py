"""Distribution strategies by name: one model, several devices or machines.

A `tf.distribute.Strategy` copies the model onto each device ("replica"), splits every batch
between them and averages the gradients. Build and compile the model inside `strategy.scope()`;
`fit` is unchanged. The global batch size is split across `strategy.num_replicas_in_sync` replicas.

    strategy = get_strategy("mirrored")
    with strategy.scope():
        model = build_classic_cnn()
        model.compile(...)

On a single machine without GPUs, `split_cpu(2)` (called first thing) makes two logical CPU devices,
so that `mirrored` can be tried out, and tested, on a laptop.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import tensorflow as tf

from keras_vision.registry import Registry

#: Factories of `tf.distribute.Strategy` objects, by name.
STRATEGIES: Registry[Callable[[], object]] = Registry("strategy")

_TF_CONFIG_EXAMPLE = (
    'TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}\''
)


def get_strategy(name: str = "default"):
    """Creates the distribution strategy registered as `name`.

    Args:
        name: One of `STRATEGIES.names()`: `"default"` (no distribution: the current device),
            `"mirrored"` (synchronous data parallelism over the GPUs of this machine, or its
            logical CPUs when there is no GPU) or `"multi_worker"` (the same over the machines of
            the cluster described by the `TF_CONFIG` environment variable). Defaults to `"default"`.

    Returns:
        A `tf.distribute.Strategy`.

    Raises:
        ValueError: for an unknown name (listing the valid ones) or a missing/invalid `TF_CONFIG`.
    """
    return STRATEGIES.get(name)()


@STRATEGIES.register("default")
def _default_strategy():

    return tf.distribute.get_strategy()


@STRATEGIES.register("mirrored")
def _mirrored_strategy():

    devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy(devices=[device.name for device in devices])


@STRATEGIES.register("multi_worker")
def _multi_worker_strategy():

    read_tf_config()
    return tf.distribute.MultiWorkerMirroredStrategy()


def read_tf_config() -> dict:
    """Reads and checks the `TF_CONFIG` environment variable that describes a cluster.

    Every machine runs the same program with the same `cluster` and its own `task.index`.

    Returns:
        The parsed configuration: `{"cluster": {"worker": [...]}, "task": {"type", "index"}}`.

    Raises:
        ValueError: if `TF_CONFIG` is missing, not JSON, or lacks the worker list or task.
    """
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        raise ValueError(
            "The 'multi_worker' strategy needs the TF_CONFIG environment variable, which lists the "
            f"machines of the cluster and this machine's index, e.g. {_TF_CONFIG_EXAMPLE}. "
            "On one machine use --strategy mirrored instead."
        )
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"TF_CONFIG is not valid JSON ({error}). Expected e.g. {_TF_CONFIG_EXAMPLE}.") from None
    _check_tf_config(config)
    return config


def _check_tf_config(config: object) -> None:
    workers = config.get("cluster", {}).get("worker") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(workers, list) or not workers:
        raise ValueError(
            f"TF_CONFIG must contain cluster.worker, a non-empty list of 'host:port'. "
            f"Received: {config!r}. Expected e.g. {_TF_CONFIG_EXAMPLE}."
        )
    if not isinstance(task, dict) or task.get("type") != "worker":
        raise ValueError(f"TF_CONFIG must contain task = {{'type': 'worker', 'index': i}}. Received: {config!r}.")
    index = task.get("index")
    if not isinstance(index, int) or not 0 <= index < len(workers):
        raise ValueError(
            f"TF_CONFIG task.index must be an integer in [0, {len(workers) - 1}] (one per entry of "
            f"cluster.worker). Received: index={index!r}."
        )


def split_cpu(n: int = 2) -> list[str]:
    """Splits the physical CPU into `n` logical devices, so that `mirrored` has `n` replicas.

    TensorFlow fixes its device list when it first initialises its runtime (the first op,
    `list_logical_devices`, building a model, ...). Call this at the start of the program, before
    anything else touches TensorFlow; afterwards the split cannot change. Calling it again with the
    same `n` is harmless.

    Args:
        n: Number of logical CPU devices. Defaults to `2`.

    Returns:
        The names of the logical CPU devices, e.g. `['/device:CPU:0', '/device:CPU:1']`.

    Raises:
        ValueError: if `n` < 1.
        RuntimeError: if TensorFlow was already initialised with a different number of CPUs.
    """

    if n < 1:
        raise ValueError(f"`n` must be a positive number of logical CPUs. Received: n={n}.")
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * n)
    except RuntimeError:
        pass  # Already initialised: fine if the existing split is the one asked for.
    names = [device.name for device in tf.config.list_logical_devices("CPU")]
    if len(names) != n:
        raise RuntimeError(
            f"split_cpu({n}) came too late: TensorFlow is already initialised with {len(names)} "
            "logical CPU device(s). Call split_cpu at the very start of the program, before any "
            "other TensorFlow or Keras call."
        )
    return names
