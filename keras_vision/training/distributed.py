"""Data-parallel training over several machines: `tf.distribute.MultiWorkerMirroredStrategy` for real.

Keras 3's own `model.fit` cannot drive that strategy (keras-team/keras#20585,
tensorflow/tensorflow#72388): before the first step it averages the first input batch across
workers eagerly (`PerReplica ... to a Tensor` error), and its step function then reduces each
scalar log along an axis it does not have. `fit_multi_worker` is the loop `model.fit` runs,
with the distributed step it should have: `strategy.run(model.train_step)` inside a
`tf.function`, the gradients all-reduced by the strategy (the Keras optimizer sums them across
replicas; losses are scaled by 1/replicas), each log averaged over the workers. The Keras
callbacks (backup and resume, history, checkpoints, progress, divergence checks) are called
exactly as `model.fit` calls them, so `keras_vision.training.fit` keeps its run folder, and a model
with its own `train_step` and two optimizers (the DCGAN) trains unchanged.

Data parallelism, as every worker does it:

- Each worker draws the same seeded shuffle of the data each epoch, batched by `batch_size`
  (per worker), and takes every `workers`-th batch starting at its index: its own shard, a
  partition of the epoch. Steps per epoch = batches // workers (the at most `workers - 1` last
  batches, different ones each epoch, are left out so that every worker runs as many steps).
- The global batch is `batch_size` x workers. The learning rate is not scaled: a run on N workers
  matches a single-process run with batch N x `batch_size` and the same learning rate.
- Validation (every epoch) runs on each worker over the whole validation data, without
  collectives, so every worker sees the same numbers and stops at the same time.
- On resume, the chief's backup is restored and its weights, optimizer state and epoch are
  broadcast to every worker, so the other workers need no files of their own.
- After training, the model computes locally (`predict`, `evaluate`, `save` need no cluster).
"""

from __future__ import annotations

import math
import weakref

import keras
import numpy as np
import tensorflow as tf

from keras_vision.errors import ClusterError, UsageError


def is_multi_worker(strategy) -> bool:
    """True for a `MultiWorkerMirroredStrategy` whose cluster has more than one worker."""
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and worker_count(strategy) > 1


def worker_count(strategy) -> int:
    """Number of workers (machines) of `strategy`'s cluster; 1 without a cluster."""
    resolver = getattr(strategy, "cluster_resolver", None)
    spec = resolver.cluster_spec() if resolver is not None else None
    return spec.num_tasks("worker") if spec and "worker" in spec.jobs else 1


def worker_index(strategy) -> int:
    """This worker's index in the cluster; 0 (the chief) without a cluster."""
    resolver = getattr(strategy, "cluster_resolver", None)
    return int(resolver.task_id or 0) if resolver is not None and worker_count(strategy) > 1 else 0


def steps_per_worker(num_batches: int, workers: int) -> int:
    """Steps each worker runs per epoch when `num_batches` are dealt out to `workers` in turn.

    Every worker must run as many steps (each step waits for all of them), so the last
    `num_batches % workers` batches are left out.

    Raises:
        UsageError: if there are fewer batches than workers.
    """
    if num_batches < workers:
        raise UsageError(
            f"{num_batches} batch(es) per epoch cannot be shared by {workers} workers: each needs at least one. "
            "Use more data (--train-limit), a smaller --batch-size, or fewer workers."
        )
    return num_batches // workers


def steps_per_epoch(strategy, *, num_examples: int, batch_size: int) -> int:
    """Optimizer steps of one epoch of `num_examples` in batches of `batch_size` (per worker), as `fit` runs them.

    One process: `ceil(num_examples / batch_size)`. Multi-worker: the batches dealt out to the
    workers (`steps_per_worker`), e.g. 57 -> 28 on two workers. For learning-rate schedules.
    """
    batches = math.ceil(num_examples / batch_size)
    return steps_per_worker(batches, worker_count(strategy)) if is_multi_worker(strategy) else batches


def global_batch_size(strategy, batch_size: int) -> int:
    """The examples of one training step over all replicas: `batch_size` per replica times their number."""
    return batch_size * strategy.num_replicas_in_sync if is_multi_worker(strategy) else batch_size


def shard_batches(batches: tf.data.Dataset, *, workers: int, index: int, steps: int) -> tf.data.Dataset:
    """Worker `index`'s share of a batched dataset: batches `index`, `index + workers`, ... (`steps` of them)."""
    return batches.shard(workers, index).take(steps).prefetch(tf.data.AUTOTUNE)


def batched_dataset(train, *, batch_size: int | None, seed: int | None, class_weight=None) -> tf.data.Dataset:
    """`(x, y)` arrays -> a dataset reshuffled each epoch (the same order on every worker), batched.

    A batched `tf.data.Dataset` is returned as it is: it must draw the same order on every worker
    (a seeded `shuffle`), or the workers' shards overlap. With `seed=None` arrays keep their order.
    """
    if isinstance(train, tf.data.Dataset):
        return train
    if isinstance(train, keras.utils.PyDataset):
        raise UsageError(
            "--strategy multi_worker trains on (x, y) arrays or a tf.data.Dataset; this experiment feeds a "
            "keras.utils.PyDataset (e.g. ImageDataGenerator), which cannot be sharded across workers. "
            "Use --strategy default or mirrored."
        )
    x, y = train
    elements = (x, y) if class_weight is None else (x, y, _sample_weights(y, class_weight))
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    if seed is not None:
        dataset = dataset.shuffle(len(keras.tree.flatten(x)[0]), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size)


def _sample_weights(y, class_weight: dict[int, float]) -> np.ndarray:
    labels = np.asarray(y)
    labels = labels.argmax(axis=-1) if labels.ndim > 1 and labels.shape[-1] > 1 else labels.reshape(-1)
    return np.array([class_weight.get(int(label), 1.0) for label in labels], np.float32)


def fit_multi_worker(
    model: keras.Model,
    train,
    *,
    validation=None,
    epochs: int,
    batch_size: int | None,
    callbacks: list,
    verbose: int,
    class_weight=None,
    seed: int = 0,
) -> keras.callbacks.History:
    """`model.fit` for a model built in a `MultiWorkerMirroredStrategy` scope; every worker calls it.

    Args:
        model: A compiled model whose variables were created in the strategy's scope.
        train: `(x, y)` arrays or a batched `tf.data.Dataset` (seeded shuffle, so that the workers
            agree on the order).
        validation: `(x, y)` arrays or a batched dataset, evaluated whole on each worker. Defaults to `None`.
        epochs: Total epochs (a resumed run starts at the backup's epoch).
        batch_size: Batch size per worker for arrays; `None` for a dataset.
        callbacks: Keras callbacks, called as `model.fit` calls them.
        verbose: Keras' 0, 1 or 2.
        class_weight: Class id -> loss weight, for arrays. Defaults to `None`.
        seed: Seed of the shuffle of arrays (the same on every worker). Defaults to `0`.

    Returns:
        The `keras.callbacks.History` of this call, like `model.fit`'s.
    """
    strategy = strategy_of(model)
    workers, index = worker_count(strategy), worker_index(strategy)
    batches = batched_dataset(train, batch_size=batch_size, seed=seed, class_weight=class_weight)
    num_batches = int(batches.cardinality())
    if num_batches < 0:
        raise UsageError(
            "--strategy multi_worker needs a dataset of known length (every worker must run as many steps): "
            "avoid filter() and repeat() before batching, or pass (x, y) arrays."
        )
    steps = steps_per_worker(num_batches, workers)
    build_optimizers(model)
    _agree(
        strategy,
        {"steps per epoch": steps, "epochs": epochs, "seed": seed, "variables": len(_state_variables(model))},
    )
    shard = shard_batches(batches, workers=workers, index=index, steps=steps)
    distributed = strategy.distribute_datasets_from_function(lambda _: shard)
    if validation is not None:
        validation = batched_dataset(validation, batch_size=batch_size or 32, seed=None)
    detach_from_strategy(model)  # callbacks may predict (sample grids): locally, on each worker

    callback_list = keras.callbacks.CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose, epochs=epochs, steps=steps, model=model
    )
    model.stop_training = False
    callback_list.on_train_begin()  # the chief's BackupAndRestore loads its backup: outside the scope, no collective
    initial_epoch = _broadcast_from_chief(strategy, model, initial_epoch=getattr(model, "_initial_epoch", None) or 0)
    try:
        logs = _train_epochs(model, distributed, validation, callback_list, epochs, initial_epoch, steps, strategy)
    except (tf.errors.UnavailableError, tf.errors.AbortedError, tf.errors.CancelledError) as error:
        raise _worker_lost(error) from None
    callback_list.on_train_end(logs)
    return model.history


def _train_epochs(model, distributed, validation, callback_list, epochs, initial_epoch, steps, strategy) -> dict:
    """The epochs of `fit_multi_worker` from `initial_epoch`; returns the last epoch's logs."""
    train_step, any_worker = _distributed_train_step(model, strategy), _any_worker_function(strategy)
    test_step = tf.function(model.test_step, reduce_retracing=True)
    logs = {}
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        iterator = iter(distributed)
        for step in range(steps):
            callback_list.on_train_batch_begin(step)
            logs = {key: float(value) for key, value in train_step(iterator).items()}
            callback_list.on_train_batch_end(step, logs)
            if any_worker(model.stop_training):
                model.stop_training = True
                break
        epoch_logs = dict(logs)
        if validation is not None and not model.stop_training:
            epoch_logs.update(
                {f"val_{key}": value for key, value in evaluate_locally(model, validation, test_step).items()}
            )
        callback_list.on_epoch_end(epoch, epoch_logs)
        logs = epoch_logs
        if any_worker(model.stop_training):
            break
    return logs


def _worker_lost(error: Exception) -> ClusterError:
    """The one-line error of a collective that failed because a worker stopped (killed, crashed, unreachable)."""
    lines = [line.strip() for line in getattr(error, "message", str(error)).splitlines()]
    detail = next((line for line in lines if line and not line.startswith(("File", "{{", "["))), "")
    return ClusterError(
        f"Training stopped: another worker of the cluster stopped or became unreachable ({detail[:200]}). "
        "Finished epochs are kept: run the same command with --resume on every worker (or relaunch with --resume)."
    )


def _distributed_train_step(model: keras.Model, strategy):
    """One step on every replica: `model.train_step` on its batch, each log averaged over the replicas."""

    def replica_step(data):
        logs = model.train_step(data)
        context = tf.distribute.get_replica_context()
        flat = {key: tf.cast(value, tf.float32) for key, value in logs.items()}
        return context.all_reduce(tf.distribute.ReduceOp.MEAN, flat)

    @tf.function
    def train_step(iterator):
        logs = strategy.run(replica_step, args=(next(iterator),))
        return {key: strategy.experimental_local_results(value)[0] for key, value in logs.items()}

    return train_step


def evaluate_locally(model: keras.Model, data: tf.data.Dataset, step=None) -> dict[str, float]:
    """The model's compiled loss and metrics over all of `data`, on this worker alone (no collectives).

    Args:
        model: A compiled model.
        data: Batched `(x, y)` elements.
        step: `tf.function(model.test_step)`, to trace once for several calls. Defaults to a new one.
    """
    model.reset_metrics()
    step = step or tf.function(model.test_step, reduce_retracing=True)
    logs = {}
    for batch in data:
        logs = step(batch)
    result = {key: float(value) for key, value in logs.items()}
    model.reset_metrics()
    return result


def _agree(strategy, values: dict[str, int]) -> None:
    """Raises `UsageError` unless every worker has the same `values` (e.g. it was given other options)."""
    names = list(values)
    local = tf.constant([[values[name] for name in names]], tf.int64)
    gathered = strategy.run(tf.function(lambda: tf.distribute.get_replica_context().all_gather(local, axis=0)))
    table = strategy.experimental_local_results(gathered)[0].numpy()  # one row per replica
    differ = [
        f"{name}: " + ", ".join(f"{value} on worker {w}" for w, value in enumerate(table[:, i]))
        for i, name in enumerate(names)
        if len(set(table[:, i])) > 1
    ]
    if differ:
        raise UsageError(
            f"The workers disagree ({'; '.join(differ)}): start every worker with the same command and the same "
            "data (only TF_CONFIG's task.index differs)."
        )


def _any_worker_function(strategy):
    """`any_worker(flag)`: True on every worker if `flag` is True on any (a callback stopped training there)."""

    @tf.function
    def count(flag: bool):  # a Python bool: traced twice at most
        def replica():
            return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, tf.constant(float(flag)))

        return strategy.run(replica)

    def any_worker(flag: bool) -> bool:
        total = count(bool(flag))
        return bool(strategy.experimental_local_results(total)[0].numpy() > 0)

    return any_worker


def broadcast_from_chief(model: keras.Model, *, value: int = 0) -> int:
    """Gives every worker the chief's weights and optimizer state of `model`, and the chief's `value`.

    For a decision only the chief can take from its files, e.g. that a resumed run had already
    finished a model (which the chief then loads): every worker must go on alike. Every worker
    calls it; without a multi-worker strategy it returns `value` and changes nothing.

    Returns:
        The chief's `value`.
    """
    strategy = strategy_of(model)
    if not is_multi_worker(strategy):
        return value
    return _broadcast_from_chief(strategy, model, initial_epoch=value)


def _broadcast_from_chief(strategy, model: keras.Model, *, initial_epoch: int) -> int:
    """Gives every worker the chief's weights, optimizer state and epoch; returns that epoch.

    The chief alone restored the backup of an interrupted run (the other workers keep no files);
    without this the workers would continue from different weights.
    """
    variables = _state_variables(model)
    chief = worker_index(strategy) == 0
    epoch = tf.constant(initial_epoch if chief else 0, tf.int64)

    groups: dict[str, list] = {}
    for variable in variables:  # one all-reduce per dtype (the optimizer's step counters are integers)
        groups.setdefault(str(variable.dtype), []).append(variable)

    def replica():
        keep = tf.constant(chief)
        context = tf.distribute.get_replica_context()
        total = tf.distribute.ReduceOp.SUM
        values = {
            dtype: context.all_reduce(total, [tf.where(keep, v.value, tf.zeros_like(v.value)) for v in group])
            for dtype, group in groups.items()
        }
        return values, context.all_reduce(total, epoch)

    values, chief_epoch = strategy.run(tf.function(replica))
    for dtype, group in groups.items():
        for variable, value in zip(group, values[dtype]):
            variable.assign(strategy.experimental_local_results(value)[0])
    model._initial_epoch = None  # noqa: SLF001 - read once, as model.fit does
    return int(strategy.experimental_local_results(chief_epoch)[0].numpy())


def build_optimizers(model: keras.Model) -> None:
    """Creates the optimizer's slots on every worker alike, before the chief alone restores a backup.

    Creating a variable in a `MultiWorkerMirroredStrategy` is a collective (the chief broadcasts its
    initial value): every worker must create the same ones in the same order.
    """
    with strategy_of(model).scope():
        for optimizer in _optimizers(model):
            if not optimizer.built:
                optimizer.build(model.trainable_variables)


def _optimizers(model: keras.Model) -> list:
    """The optimizers `model` holds: `model.optimizer`, or a GAN's two."""
    found = [value for value in vars(model).values() if isinstance(value, keras.optimizers.Optimizer)]
    if getattr(model, "optimizer", None) is not None and all(model.optimizer is not o for o in found):
        found.append(model.optimizer)
    return found


def _state_variables(model: keras.Model) -> list:
    """The model's weights and those of every optimizer it holds (a GAN has two), each once."""
    seen, variables = set(), []
    for variable in [*model.weights, *(v for opt in _optimizers(model) for v in opt.variables)]:
        if id(variable) not in seen and variable.dtype not in ("bool", "string"):
            seen.add(id(variable))
            variables.append(variable)
    return variables


_DETACHED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def strategy_of(model: keras.Model):
    """The strategy `model` was built in, also after `detach_from_strategy`."""
    return _DETACHED.get(model) or model.distribute_strategy


def detach_from_strategy(model: keras.Model) -> None:
    """Makes `model` and its sub-models compute locally: `predict`, `evaluate` and `save` need no cluster.

    Keras would run them through the strategy the model was built in, whose collectives
    `MultiWorkerMirroredStrategy` cannot reduce (see the module docstring). The variables keep
    their values, which every worker shares after training.
    """
    _DETACHED.setdefault(model, strategy_of(model))
    for layer in [model, *model._flatten_layers(include_self=False)]:  # noqa: SLF001
        if isinstance(layer, keras.Model) and getattr(layer, "_distribute_strategy", None) is not None:
            layer._distribute_strategy = None  # noqa: SLF001
