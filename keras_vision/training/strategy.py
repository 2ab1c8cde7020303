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

import atexit
from collections.abc import Callable

import tensorflow as tf

from keras_vision.errors import UsageError
from keras_vision.registry import Registry
from keras_vision.training.cluster import meet, read_tf_config, worker_timeout

#: Factories of `tf.distribute.Strategy` objects, by name.
STRATEGIES: Registry[Callable[[], object]] = Registry("strategy")


def get_strategy(name: str = "default"):
    """Creates the distribution strategy registered as `name`.

    Args:
        name: One of `STRATEGIES.names()`: `"default"` (no distribution: the current device),
            `"mirrored"` (synchronous data parallelism over the GPUs of this machine, or its
            logical CPUs when there is no GPU) or `"multi_worker"` (the same over the machines of
            the cluster described by the `TF_CONFIG` environment variable; `fit` trains through
            `keras_vision.training.distributed`, as Keras' own `fit` cannot). It must be created
            before any other TensorFlow operation of the process (the experiment runner does so),
            and is created once: later calls return it. Defaults to `"default"`.

    Returns:
        A `tf.distribute.Strategy`.

    Raises:
        ValueError: for an unknown name (listing the valid ones) or a missing/invalid `TF_CONFIG`.
        UsageError: a worker of the cluster did not answer in time, or was given another cluster
            (see `keras_vision.training.cluster.meet`).
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
    global _MULTI_WORKER
    if _MULTI_WORKER is None:  # TensorFlow connects a process to its cluster once: reuse that strategy
        try:
            cluster = read_tf_config()
            meet(cluster)
        except (ConnectionError, ValueError) as error:
            raise UsageError(str(error)) from None
        _MULTI_WORKER = tf.distribute.MultiWorkerMirroredStrategy()
        tf.get_logger().addFilter(_not_retracing)
        atexit.register(_leave_together, _MULTI_WORKER, worker_timeout())
    return _MULTI_WORKER


def _not_retracing(record) -> bool:
    """Drops TensorFlow's "triggered tf.function retracing" warning: each model's one-off collectives
    (agreeing on the options, broadcasting the chief's weights, leaving together) are new functions
    by design, traced once each, which that warning mistakes for a bug."""
    return "triggered tf.function retracing" not in record.getMessage()


def _leave_together(strategy, timeout: float) -> None:
    """At exit, waits (up to `timeout` s) until every worker is done: the chief hosts the cluster's
    coordination service, and a worker still finishing its figures fails if the chief is gone."""
    options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout)

    def replica():
        return tf.distribute.get_replica_context().all_reduce("SUM", tf.constant(1.0), options=options)

    try:
        strategy.run(tf.function(replica))
    except Exception:  # noqa: BLE001 - a worker died: nothing to wait for
        pass


_MULTI_WORKER = None


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
