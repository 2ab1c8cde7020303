"""Multi-worker arithmetic, TF_CONFIG checks, the workers' meeting and the launcher, without a cluster.

The real two-worker runs (real processes on 127.0.0.1) are the slow tests of
`test_training_multi_worker.py`.
"""

import io
import json
import socket
import sys
import threading
import time

import numpy as np
import pytest
import tensorflow as tf

from keras_vision import launch
from keras_vision.errors import UsageError
from keras_vision.training import get_strategy
from keras_vision.training.cluster import Cluster, meet, read_tf_config, worker_timeout
from keras_vision.training.distributed import (
    batched_dataset,
    global_batch_size,
    shard_batches,
    steps_per_epoch,
    steps_per_worker,
)


@pytest.mark.parametrize(
    "batches,workers,steps",
    [(57, 2, 28), (56, 2, 28), (29, 2, 14), (3, 3, 1), (10, 1, 10), (7, 4, 1)],
)
def test_each_worker_runs_the_whole_batches_dealt_to_it(batches, workers, steps):
    assert steps_per_worker(batches, workers) == steps
    assert steps * workers <= batches < (steps + 1) * workers  # fewer than `workers` batches left out


def test_fewer_batches_than_workers_is_a_usage_error():
    with pytest.raises(UsageError, match="1 batch\\(es\\) per epoch cannot be shared by 2 workers"):
        steps_per_worker(1, 2)


def test_without_a_cluster_an_epoch_counts_the_partial_batch():
    strategy = get_strategy("default")
    assert steps_per_epoch(strategy, num_examples=3600, batch_size=64) == 57  # ceil(3600 / 64)
    assert global_batch_size(strategy, 64) == 64


@pytest.mark.parametrize("num_batches,workers", [(10, 2), (11, 2), (12, 3), (7, 3)])
def test_shards_are_disjoint_and_equal_in_length(num_batches, workers):
    batches = tf.data.Dataset.range(num_batches).batch(1)
    steps = steps_per_worker(num_batches, workers)
    shards = [
        [int(b[0]) for b in shard_batches(batches, workers=workers, index=i, steps=steps)] for i in range(workers)
    ]
    assert [len(shard) for shard in shards] == [steps] * workers
    taken = [b for shard in shards for b in shard]
    assert len(set(taken)) == len(taken) == steps * workers
    assert shards[0][:2] == [0, workers]  # worker i takes batches i, i + workers, ...


def test_arrays_shuffle_alike_on_every_worker_and_anew_each_epoch():
    x = np.arange(40, dtype="float32").reshape(20, 2)
    y = np.arange(20)
    first, second = (batched_dataset((x, y), batch_size=4, seed=7) for _ in range(2))  # two workers
    order = [np.concatenate([b[1].numpy() for b in first]) for _ in range(2)]  # two epochs
    assert np.array_equal(order[0], np.concatenate([b[1].numpy() for b in second]))
    assert not np.array_equal(order[0], order[1])
    assert sorted(order[0]) == list(range(20))


def test_class_weights_become_sample_weights_for_sparse_and_one_hot_labels():
    x = np.zeros((4, 2), "float32")
    for y in (np.array([0, 1, 1, 0]), np.eye(2, dtype="float32")[[0, 1, 1, 0]]):
        data = batched_dataset((x, y), batch_size=4, seed=None, class_weight={0: 1.0, 1: 3.0})
        assert next(iter(data))[2].numpy().tolist() == [1.0, 3.0, 3.0, 1.0]


@pytest.mark.parametrize(
    "tf_config,match",
    [
        ('{"cluster": {"worker": ["a:1", "a:1"]}, "task": {"type": "worker", "index": 0}}', "lists an address twice"),
        ('{"cluster": {"worker": ["a", "b:2"]}, "task": {"type": "worker", "index": 0}}', "must be 'host:port'"),
        ('{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": true}}', "index must be"),
    ],
)
def test_tf_config_errors_name_the_problem(monkeypatch, tf_config, match):
    monkeypatch.setenv("TF_CONFIG", tf_config)
    with pytest.raises(ValueError, match=match):
        read_tf_config()


def test_the_chief_is_worker_zero():
    environ = {"TF_CONFIG": json.dumps({"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 0}})}
    cluster = read_tf_config(environ)
    assert (cluster.is_chief, cluster.size) == (True, 2)


@pytest.mark.parametrize("raw,expected", [("", 120.0), ("5", 5.0), ("0.5", 0.5)])
def test_worker_timeout_reads_the_environment(raw, expected):
    assert worker_timeout({"KERAS_VISION_WORKER_TIMEOUT": raw}) == expected


@pytest.mark.parametrize("raw", ["soon", "0", "-3"])
def test_a_bad_worker_timeout_is_explained(raw):
    with pytest.raises(ValueError, match="KERAS_VISION_WORKER_TIMEOUT must be a positive number"):
        worker_timeout({"KERAS_VISION_WORKER_TIMEOUT": raw})


def _meet_all(clusters, timeout=20.0):
    """Runs `meet` for each cluster view in a thread; returns each one's exception or None."""
    outcomes = [None] * len(clusters)

    def run(i):
        try:
            meet(clusters[i], timeout=timeout)
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            outcomes[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clusters))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 10)
    return outcomes


def test_workers_with_the_same_cluster_meet():
    workers = tuple(f"127.0.0.1:{port}" for port in launch.free_ports(3))
    assert _meet_all([Cluster(workers, i) for i in range(3)]) == [None, None, None]


def test_a_worker_answers_while_its_own_greeting_waits():
    """Two workers greeting each other at once must not each wait for the other's answer."""
    me, _ = (f"127.0.0.1:{port}" for port in launch.free_ports(2))
    with socket.socket() as silent:  # worker 1: its port accepts connections but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        cluster = Cluster((me, f"127.0.0.1:{silent.getsockname()[1]}"), 0)
        meeting = threading.Thread(target=_meet_all, args=([cluster],), kwargs={"timeout": 1.0})
        meeting.start()
        hello = json.dumps({"index": 1, "workers": list(cluster.workers)}).encode() + b"\n"
        answer = b""
        for _ in range(20):  # worker 0 starts listening, then blocks greeting the silent worker 1
            try:
                with socket.create_connection(("127.0.0.1", int(me.rpartition(":")[2])), timeout=3.5) as sock:
                    sock.sendall(hello)
                    answer = sock.makefile("rb").readline()  # its greeting blocks for 5 s: answer within 3.5
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
    meeting.join()
    assert answer == b"ok\n"


def test_a_worker_given_another_cluster_is_caught_on_both_sides():
    a, b, c = (f"127.0.0.1:{port}" for port in launch.free_ports(3))
    outcomes = _meet_all([Cluster((a, b), 0), Cluster((a, b, c), 1)], timeout=10.0)
    assert all(isinstance(error, ValueError) for error in outcomes), outcomes
    assert all("was given another cluster" in str(error) for error in outcomes)


def test_a_worker_that_never_comes_is_named_with_its_address():
    me, absent = (f"127.0.0.1:{port}" for port in launch.free_ports(2))
    (error,) = _meet_all([Cluster((me, absent), 0)], timeout=1.0)
    assert isinstance(error, ConnectionError)
    assert f"waited 1 s for worker 1 at {absent}" in str(error)


def test_a_busy_port_is_explained():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        (error,) = _meet_all([Cluster((f"127.0.0.1:{port}", "127.0.0.1:1"), 0)], timeout=1.0)
    assert isinstance(error, ConnectionError) and "cannot listen on its address" in str(error)


def test_launch_gives_each_worker_its_index_and_the_same_free_ports():
    configs = [json.loads(c) for c in launch.tf_configs(launch.free_ports(2))]
    assert [c["task"]["index"] for c in configs] == [0, 1]
    assert configs[0]["cluster"] == configs[1]["cluster"]
    assert len(set(configs[0]["cluster"]["worker"])) == 2


@pytest.mark.parametrize(
    "argv,expected_tail",
    [
        (["mnist", "--epochs", "2"], ["mnist", "--epochs", "2", "--strategy", "multi_worker"]),
        (["mnist", "--strategy", "multi_worker"], ["mnist", "--strategy", "multi_worker"]),
        (["mnist", "--strategy=multi_worker"], ["mnist", "--strategy=multi_worker"]),
    ],
)
def test_launch_runs_the_experiment_with_multi_worker(argv, expected_tail):
    assert launch.worker_command(argv)[-len(expected_tail) :] == expected_tail


@pytest.mark.parametrize("argv", [["mnist", "--strategy", "mirrored"], ["mnist", "--strategy=default"]])
def test_launch_refuses_another_strategy(argv):
    with pytest.raises(UsageError, match="drop --strategy"):
        launch.worker_command(argv)


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_run_workers_prefixes_lines_and_returns_the_chiefs_code():
    out = io.StringIO()
    code = launch.run_workers(
        [_python("print('hello'); raise SystemExit(0)"), _python("print('hi\\rthere'); raise SystemExit(0)")],
        [{}, {}],
        stream=out,
    )
    lines = out.getvalue().splitlines()
    assert code == 0
    assert "[worker 0] hello" in lines and "[worker 1] hi" in lines and "[worker 1] there" in lines


def test_a_failed_worker_stops_the_waiting_chief_and_gives_its_code(monkeypatch):
    monkeypatch.setattr(launch, "GRACE_SECONDS", 0.5)
    out = io.StringIO()
    code = launch.run_workers(
        [_python("import time; time.sleep(60)"), _python("raise SystemExit(5)")], [{}, {}], stream=out
    )
    assert code == 5
    assert "worker 1 exited with code 5; stopping the others" in out.getvalue()


def test_the_chiefs_own_failure_is_the_launchers_code():
    code = launch.run_workers([_python("raise SystemExit(3)"), _python("pass")], [{}, {}], stream=io.StringIO())
    assert code == 3


@pytest.mark.parametrize("argv,match", [([], "launch needs an experiment"), (["--epochs", "2"], "needs an experiment")])
def test_launch_without_an_experiment_is_a_usage_error(argv, match):
    with pytest.raises(UsageError, match=match):
        launch.launch(2, argv)


def test_launch_refuses_an_experiment_that_trains_nothing():
    with pytest.raises(UsageError, match="lowlight cannot train on several workers.*launch runs .*cifar100.*superres"):
        launch.launch(2, ["lowlight"])


def test_launch_runs_every_experiment_that_offers_a_strategy():
    names = launch.distributable()
    assert {"mnist", "fashion_mnist", "cifar10", "cifar100", "folder", "mnist_densenet", "superres", "gan"} <= set(
        names
    )
    assert {"deploy", "digits"} <= set(names)  # they train the mnist model first
    assert not {"lowlight", "augmentation", "upsampling"} & set(names)


CTRL_C = """
import io, sys
from keras_vision import launch
worker = (
    "import signal, sys, time\\n"
    "def stop(*_):\\n"
    "    print('got SIGINT', flush=True); sys.exit(130)\\n"
    "signal.signal(signal.SIGINT, stop)\\n"
    "print('ready', flush=True)\\n"
    "time.sleep(60)\\n"
)
sys.exit(launch.run_workers([[sys.executable, "-c", worker]] * 2, [{}, {}]))
"""


def test_ctrl_c_reaches_every_worker_and_the_launcher_exits_130():
    import signal
    import subprocess

    process = subprocess.Popen(  # a shell's background job ignores SIGINT, and its children inherit that
        [sys.executable, "-c", CTRL_C],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    ready = 0
    while ready < 2:
        ready += "ready" in process.stdout.readline()
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "[worker 0] got SIGINT" in out and "[worker 1] got SIGINT" in out


def test_ctrl_c_while_the_launcher_starts_its_workers_still_reaches_them(monkeypatch, tmp_path):
    """Ctrl-C as the second worker's output relay starts (the race CI hit): both workers stop, exit 130."""
    import time

    worker = (
        "import pathlib, signal, sys, time\n"
        "def stop(*_):\n"
        "    pathlib.Path(sys.argv[1]).write_text('got SIGINT'); sys.exit(130)\n"
        "signal.signal(signal.SIGINT, stop)\n"
        "pathlib.Path(sys.argv[1] + '.ready').touch()\n"
        "time.sleep(60)\n"
    )
    marks = [tmp_path / f"worker{i}" for i in range(2)]
    starts, start = [], threading.Thread.start

    def interrupted_start(thread):
        start(thread)
        starts.append(thread)
        if len(starts) == 2:  # both workers started: wait until they listen, then "Ctrl-C"
            deadline = time.monotonic() + 30
            while not all(m.with_suffix(".ready").exists() for m in marks) and time.monotonic() < deadline:
                time.sleep(0.05)
            raise KeyboardInterrupt

    monkeypatch.setattr(threading.Thread, "start", interrupted_start)
    stream = io.StringIO()
    code = launch.run_workers([[sys.executable, "-c", worker, str(m)] for m in marks], [{}, {}], stream=stream)
    assert code == 130
    assert [m.read_text() for m in marks] == ["got SIGINT"] * 2
