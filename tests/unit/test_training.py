"""Seeding, learning-rate schedules, class weights and strategy names (no training here)."""

import json
import math
import random

import numpy as np
import pytest

from keras_vision.training import (
    STRATEGIES,
    balanced_class_weights,
    cosine_decay,
    epochs_to_steps,
    get_strategy,
    read_tf_config,
    set_seed,
    step_decay,
)

# --- set_seed -----------------------------------------------------------------------------------


def _draws():
    import keras

    layer = keras.layers.Dense(3)
    layer.build((None, 2))
    return (
        random.random(),
        float(np.random.rand()),
        keras.ops.convert_to_numpy(keras.random.uniform((2,))).tolist(),
        layer.kernel.numpy().tolist(),
    )


def test_set_seed_makes_python_numpy_and_keras_draws_repeat():
    set_seed(123)
    first = _draws()
    set_seed(123)
    assert _draws() == first
    set_seed(124)
    assert _draws() != first


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True, None])
def test_set_seed_rejects_non_integers(seed):
    with pytest.raises(ValueError, match="non-negative integer"):
        set_seed(seed)


# --- schedules ----------------------------------------------------------------------------------


def sgdr(step, *, eta_max, eta_min, t_i):
    """SGDR eq. (5), Loshchilov & Hutter 2017: eta_min + (eta_max - eta_min)(1 + cos(pi T_cur/T_i))/2."""
    t_cur = min(step, t_i)
    return eta_min + 0.5 * (eta_max - eta_min) * (1 + math.cos(math.pi * t_cur / t_i))


def warmup_then_sgdr(step, *, lr, total, warmup, alpha):
    """Linear warm-up from 0 (Goyal et al. 2017), then one SGDR cycle over the remaining steps."""
    if step < warmup:
        return lr * step / warmup
    return sgdr(step - warmup, eta_max=lr, eta_min=alpha * lr, t_i=total - warmup)


COSINE_CASES = [
    # (initial_lr, total_steps, warmup_steps, alpha)
    (0.1, 100, 0, 0.0),
    (0.1, 100, 0, 0.1),
    (0.01, 1000, 100, 0.0),
    (1e-3, 50, 10, 0.05),
]


@pytest.mark.parametrize("lr,total,warmup,alpha", COSINE_CASES)
def test_cosine_decay_follows_sgdr_with_linear_warmup(lr, total, warmup, alpha):
    schedule = cosine_decay(lr, total_steps=total, warmup_steps=warmup, alpha=alpha)
    steps = sorted({0, 1, warmup // 2, warmup, warmup + 1, (warmup + total) // 2, total - 1, total, total + 25})
    for step in steps:
        expected = warmup_then_sgdr(step, lr=lr, total=total, warmup=warmup, alpha=alpha)
        assert float(schedule(step)) == pytest.approx(expected, rel=1e-5, abs=lr * 1e-6), step


def test_cosine_decay_reference_points():
    schedule = cosine_decay(0.1, total_steps=100)
    assert float(schedule(0)) == pytest.approx(0.1)  # eta_max at the start of the cycle
    assert float(schedule(50)) == pytest.approx(0.05)  # half way: cos(pi/2) = 0
    assert float(schedule(100)) == pytest.approx(0.0, abs=1e-9)  # eta_min at the end


STEP_CASES = [
    # (initial_lr, every_steps, drop)
    (0.1, 10, 0.1),
    (0.01, 30, 0.5),
    (1.0, 1, 0.9),
]


@pytest.mark.parametrize("lr,every,drop", STEP_CASES)
def test_step_decay_drops_by_factor_every_n_steps(lr, every, drop):
    schedule = step_decay(lr, every_steps=every, drop=drop)
    for step in [0, every - 1, every, 2 * every - 1, 2 * every, 5 * every + 1]:
        assert float(schedule(step)) == pytest.approx(lr * drop ** (step // every), rel=1e-5), step


@pytest.mark.parametrize(
    "make",
    [
        lambda: step_decay(0.1, every_steps=7, drop=0.5),
        lambda: cosine_decay(0.1, total_steps=40, warmup_steps=5, alpha=0.1),
        lambda: cosine_decay(0.1, total_steps=40),
    ],
)
def test_schedules_serialize_and_drive_an_optimizer(make):
    import keras

    schedule = make()
    restored = keras.optimizers.schedules.deserialize(
        json.loads(json.dumps(keras.optimizers.schedules.serialize(schedule)))
    )
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    for step in [0, 3, 7, 20, 39]:
        optimizer.iterations.assign(step)
        assert float(restored(step)) == pytest.approx(float(schedule(step)))
        assert float(optimizer.learning_rate) == pytest.approx(float(schedule(step)))


@pytest.mark.parametrize(
    "call",
    [
        lambda: cosine_decay(0.1, total_steps=10, warmup_steps=10),
        lambda: cosine_decay(0.0, total_steps=10),
        lambda: cosine_decay(0.1, total_steps=10, alpha=2.0),
        lambda: step_decay(0.1, every_steps=0),
        lambda: step_decay(0.1, every_steps=5, drop=0.0),
        lambda: epochs_to_steps(1, num_examples=0, batch_size=32),
    ],
)
def test_schedule_arguments_are_checked(call):
    with pytest.raises(ValueError, match="Received"):
        call()


@pytest.mark.parametrize(
    "epochs,num_examples,batch_size,expected",
    [(1, 60000, 128, 469), (3, 100, 10, 30), (0.5, 100, 32, 2), (0, 100, 32, 0)],
)
def test_epochs_to_steps_counts_the_partial_batch(epochs, num_examples, batch_size, expected):
    assert epochs_to_steps(epochs, num_examples=num_examples, batch_size=batch_size) == expected


# --- class weights ------------------------------------------------------------------------------

# sklearn's documented "balanced" rule: n_samples / (n_classes * np.bincount(y)).
# Labels [0, 0, 0, 1, 2, 2]: 6 / (3 * [3, 1, 2]) = [2/3, 2, 1].
BALANCED = {0: 2 / 3, 1: 2.0, 2: 1.0}
LABELS = np.array([0, 0, 0, 1, 2, 2])


@pytest.mark.parametrize(
    "form,y",
    [
        ("sparse", LABELS),
        ("column", LABELS[:, None]),
        ("one_hot", np.eye(3)[LABELS]),
        ("float_ids", LABELS.astype("float32")),
        ("list", LABELS.tolist()),
    ],
)
def test_balanced_class_weights_accepts_every_label_form(form, y):
    weights = balanced_class_weights(y)
    assert set(weights) == set(BALANCED)
    for c, w in BALANCED.items():
        assert weights[c] == pytest.approx(w)
        assert type(weights[c]) is float and type(c) is int


@pytest.mark.parametrize("y", [np.zeros((0,)), np.zeros((2, 2, 2)), np.array([0.5, 1.0]), np.array([-1, 0])])
def test_balanced_class_weights_rejects_bad_labels(y):
    with pytest.raises(ValueError, match="Received"):
        balanced_class_weights(y)


# --- strategies ---------------------------------------------------------------------------------


def test_strategy_names_and_unknown_name():
    assert STRATEGIES.names() == ["default", "mirrored", "multi_worker"]
    with pytest.raises(ValueError, match="Valid strategys: default, mirrored, multi_worker"):
        get_strategy("mirroredd")


def test_default_strategy_has_one_replica():
    assert get_strategy().num_replicas_in_sync == 1


@pytest.mark.parametrize(
    "tf_config,match",
    [
        (None, "needs the TF_CONFIG environment variable"),
        ("{not json", "not valid JSON"),
        ('{"task": {"type": "worker", "index": 0}}', "cluster.worker"),
        ('{"cluster": {"worker": []}, "task": {"type": "worker", "index": 0}}', "cluster.worker"),
        ('{"cluster": {"worker": ["localhost:1"]}}', "task"),
        (
            '{"cluster": {"worker": ["localhost:1"]}, "task": {"type": "worker", "index": 1}}',
            r"index must be an integer in \[0, 0\]",
        ),
    ],
)
def test_multi_worker_explains_a_missing_or_invalid_tf_config(monkeypatch, tf_config, match):
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    with pytest.raises(ValueError, match=match):
        get_strategy("multi_worker")


def test_read_tf_config_returns_the_cluster(monkeypatch):
    config = {"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 1}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    cluster = read_tf_config()
    assert (cluster.workers, cluster.index, cluster.is_chief) == (("a:1", "b:2"), 1, False)
