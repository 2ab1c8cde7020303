"""The zygote: workers forked from one sandbox keep the isolation of a sandbox per worker.

The zygote here preloads NumPy only (the grader's preloads Keras too; `test_prefork.py` and the
attack batch grade through that one), so that each test costs a fork, not a TensorFlow import.
"""

import os
import signal
import textwrap
import time

import numpy as np
import pytest

from keras_vision.grading.sandbox import isolation, resources
from keras_vision.grading.sandbox.remote import Limits, SubmissionError, Worker
from keras_vision.grading.sandbox.zygote import Zygote

pytestmark = pytest.mark.skipif(isolation.bwrap_problem() is not None, reason="needs bubblewrap")

LIGHT = ("numpy", "keras_vision.grading.sandbox.worker")
LIMITS = Limits(timeout=30, import_timeout=60)
PROBE = """
import os, signal, sys
import numpy as np

def mutate():
    np.pi = 3.0  # a module of the zygote's, changed in this worker only
    sys.modules["numpy"].grader_was_here = True
    return float(np.pi)

def state():
    return [float(np.pi), hasattr(np, "grader_was_here")]

def write(name):
    for folder in ("/tmp", "/kv/work", "/dev/shm"):
        with open(os.path.join(folder, name), "w") as handle:
            handle.write("secret")
    return sorted(os.listdir("/tmp"))

def listing():
    return [sorted(os.listdir(folder)) for folder in ("/tmp", "/kv/work", "/dev/shm")]

def identity():
    status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
    return [os.getpid(), status["CapEff"].strip(), status["NoNewPrivs"].strip(), len(os.listdir("/proc/self/fd"))]

def signal_everyone():
    hit = []
    for pid in set(range(1, 60)) - {os.getpid()}:
        try:
            os.kill(pid, signal.SIGKILL)
            hit.append(pid)
        except OSError:
            pass
    return hit

def read_other(pid):
    with open(f"/proc/{pid}/environ", "rb") as handle:
        return len(handle.read())

def spin():
    while True:
        pass

def hog():
    return len(b"x" * (600 * 2**20))
"""


@pytest.fixture(scope="module")
def zygote():
    handle = Zygote(preload=LIGHT)
    handle.start()
    assert handle.wait_ready(), handle.problem
    yield handle
    handle.stop()


@pytest.fixture
def make_worker(zygote, tmp_path):
    started = []

    def make(name="probe", *, limits=LIMITS):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "ex01_convolutions.py").write_text(textwrap.dedent(PROBE))
        worker = Worker("ex01_convolutions", folder / "ex01_convolutions.py", limits=limits, sandbox=zygote.sandbox())
        started.append(worker)
        return worker

    yield make
    for worker in started:
        worker.close()


def test_a_module_changed_by_one_submission_is_pristine_in_the_next(make_worker):
    first = make_worker("first")
    assert first.call("mutate") == 3.0 and first.call("state") == [3.0, True]
    assert make_worker("second").call("state") == [float(np.pi), False]


def test_each_worker_has_its_own_private_folders(make_worker):
    first, second = make_worker("first"), make_worker("second")
    assert "planted" in first.call("write", ("planted",))
    assert second.call("listing") == [[], ["ex01_convolutions.py"], []]


def test_a_worker_has_no_capabilities_and_only_its_own_files_open(make_worker):
    pid, capabilities, no_new_privs, open_fds = make_worker().call("identity")
    assert pid == 2  # in its own PID namespace, after the namespace's init
    assert int(capabilities, 16) == 0 and no_new_privs == "1"
    assert open_fds == 6  # stdin, stdout, stderr, the two pipes of the grader and listdir's own


def test_a_worker_cannot_signal_the_zygote_or_its_classmates(zygote, make_worker):
    classmate = make_worker("classmate")
    classmate.call("state")
    attacker = make_worker("attacker")
    assert set(attacker.call("signal_everyone")) <= {1}  # its own init, which the kernel shields
    assert zygote.alive() and classmate.call("state") == [float(np.pi), False]
    assert attacker.call("state") == [float(np.pi), False] and attacker.starts == 1


def test_a_worker_cannot_read_a_classmates_process(zygote, make_worker):
    classmate = make_worker("classmate")
    classmate.call("state")
    pids = [int(p) for p in os.listdir(f"/proc/{classmate._confined.process.pid}/root/proc") if p.isdigit()]
    assert {1, 2} < set(pids) and len(pids) >= 4  # bwrap's init, the zygote, the classmate's keeper and worker
    attacker = make_worker("attacker")
    for pid in pids:
        with pytest.raises(SubmissionError, match="PermissionError|FileNotFoundError"):
            attacker.call("read_other", (pid,))


def test_limits_hold_and_the_next_call_gets_a_new_worker(make_worker):
    worker = make_worker(limits=Limits(timeout=3, memory_mb=400, import_timeout=60))
    with pytest.raises(SubmissionError, match="timed out after 3 s"):
        worker.call("spin")
    with pytest.raises(SubmissionError, match="more than 400 MB of memory"):
        worker.call("hog", timeout=30)
    assert worker.call("state") == [float(np.pi), False] and worker.starts == 3


def test_memory_is_limited_without_a_cgroup_too(make_worker, monkeypatch):
    """Measured from /proc then: the private pages only (the zygote's preloaded pages are shared)."""
    monkeypatch.setattr(resources.ControlGroup, "create", classmethod(lambda cls, *args, **kwargs: None))
    worker = make_worker(limits=Limits(timeout=30, memory_mb=400, import_timeout=60))
    assert worker.call("state") == [float(np.pi), False] and worker._confined.group is None
    with pytest.raises(SubmissionError, match="more than 400 MB of memory"):
        worker.call("hog", timeout=30)


def test_a_worker_dies_with_the_runner_that_asked_for_it(make_worker):
    worker = make_worker()
    worker.call("state")
    process = worker._confined.process
    pids = resources.ProcessTree(process.pid).pids()
    assert len(pids) == 3  # keeper, init, worker
    process._status.close()  # what the kernel does when the runner dies
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{pid}") for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if os.path.exists(f"/proc/{pid}")]


def test_a_dead_zygote_is_replaced_by_a_sandbox_per_worker(zygote, make_worker, capsys):
    sandbox = zygote.sandbox()
    os.killpg(zygote.process.pid, signal.SIGKILL)
    zygote.process.wait()
    worker = Worker("ex01_convolutions", make_worker("fallback").path, limits=Limits(timeout=30), sandbox=sandbox)
    try:
        assert worker.call("state") == [float(np.pi), False]
    finally:
        worker.close()
    assert sandbox.failure and "each worker now starts its own sandbox" in capsys.readouterr().err
    zygote.start()  # for the tests after this one
    assert zygote.wait_ready(), zygote.problem


def test_a_zygote_that_cannot_start_says_why():
    handle = Zygote("bwrap-not-installed", preload=LIGHT)
    handle.start()
    assert not handle.wait_ready() and "bubblewrap" in handle.problem and handle.sandbox() is None


def test_bubblewrap_is_probed_once_however_it_is_named():
    """The fork server probes before it ignores SIGCHLD (a probe after would wait for ever): the zygote's
    own `bwrap_problem("bwrap")` must find that answer, not probe again."""
    isolation.bwrap_problem()
    probes = isolation._bwrap_problem.cache_info().misses
    isolation.bwrap_problem("bwrap")
    assert isolation._bwrap_problem.cache_info().misses == probes
