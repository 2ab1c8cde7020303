"""The worker and its limits, on tiny NumPy-only modules (no TensorFlow, so these run fast)."""

import textwrap

import pytest

from keras_vision.grading.sandbox.remote import Limits, RemoteModule, SubmissionError, Worker

MODULE = """
import os, sys, time
import numpy as np

print("printed at import")

def add(a, b):
    return a + b

def loop():
    while True:
        pass

def leave():
    sys.exit(3)

def interrupt():
    raise KeyboardInterrupt

def crash():
    os._exit(7)

def hog():
    block = np.ones((600, 1024, 1024), np.uint8)
    time.sleep(10)

def shout():
    while True:
        print("x" * 1000)

def talk_then_fail():
    print("debugging output")
    return 1 / 0

def environment():
    return os.getcwd(), sorted(os.environ)

def generator():
    return (i for i in range(3))

def ellipsis():
    return ...

def draw():
    return np.random.normal(size=3).tolist()

def break_seeding():
    import random
    random.seed = None
    return 1

def killed():
    os.kill(os.getpid(), 9)  # what the kernel's out-of-memory kill looks like from the grader: end of file

def killed_after_replying():
    import threading
    threading.Timer(0.2, os.kill, (os.getpid(), 9)).start()  # a late kill, after the reply was sent
    return 1

def record_and_return_huge(*args):
    global _SEEN
    _SEEN = globals().get("_SEEN", []) + [repr(args)]
    return "STOLEN:" + "|".join(_SEEN) + " " * 3_000_000
"""


@pytest.fixture
def worker(tmp_path):
    path = tmp_path / "ex99_demo.py"
    path.write_text(MODULE)
    worker = Worker("ex99_demo", path, limits=Limits(timeout=3, memory_mb=300, output_bytes=100_000))
    yield worker
    worker.close()


@pytest.mark.parametrize(
    "function, expected",
    [
        ("loop", "timed out after 3 s (an endless loop?)"),
        ("leave", "called sys.exit(3)"),
        ("interrupt", "raised KeyboardInterrupt"),
        ("crash", "the worker crashed (exit code 7)"),
        ("hog", "used more than 300 MB of memory"),
        ("shout", "printed more than 100 KB"),
        ("talk_then_fail", "raised ZeroDivisionError"),
        ("generator", "cannot be sent back"),
        ("ellipsis", "not implemented yet"),
        ("missing", "has no function missing()"),
    ],
)
def test_misbehaviour_fails_the_call_with_a_reason_and_the_worker_recovers(worker, function, expected):
    with pytest.raises(SubmissionError) as error:
        worker.call(function)
    assert expected in str(error.value)
    assert worker.call("add", (2, 3)) == 5  # restarted if it had to be killed


def test_failure_shows_the_failing_line_and_what_was_printed(worker):
    with pytest.raises(SubmissionError) as error:
        worker.call("talk_then_fail")
    message = str(error.value)
    assert 'File "ex99_demo.py", line' in message and "return 1 / 0" in message
    assert "debugging output" in message and "printed at import" not in message


def test_worker_runs_in_a_fresh_folder_with_a_stripped_environment(worker, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_OUTPUT", "/secret/results.json")
    cwd, names = worker.call("environment")
    assert cwd != str(tmp_path) and "kv_worker_" in cwd
    assert "GRADER_OUTPUT" not in names


def test_remote_module_shares_one_budget_per_test(worker):
    module = RemoteModule(worker, seconds=3)
    assert module.add(1, 2) == 3
    with pytest.raises(SubmissionError, match="timed out after 3 s"):
        module.loop()
    with pytest.raises(SubmissionError, match="timed out after 3 s"):
        module.add(1, 2)  # the test's budget is spent


@pytest.mark.parametrize(
    "source, expected",
    [
        ("def f(:\n    pass\n", "syntax error at line 1"),
        ("import sys\nsys.exit(4)\n", "called sys.exit(4)"),
        ("raise ValueError('broken on purpose')\n", "raised ValueError: broken on purpose"),
        ("import module_that_does_not_exist\n", "raised ModuleNotFoundError"),
    ],
    ids=["syntax", "exit", "raise", "import"],
)
def test_import_failure_fails_every_call_with_file_and_line(tmp_path, source, expected):
    path = tmp_path / "ex99_broken.py"
    path.write_text(textwrap.dedent(source))
    worker = Worker("ex99_broken", path, limits=Limits(timeout=5))
    try:
        for _ in range(2):
            with pytest.raises(SubmissionError) as error:
                worker.call("anything")
            assert expected in str(error.value) and "ex99_broken.py" in str(error.value)
        assert worker.starts == 1  # not imported again
    finally:
        worker.close()


def test_missing_file_explains_where_to_put_it(tmp_path):
    worker = Worker("ex99_absent", tmp_path / "ex99_absent.py")
    with pytest.raises(SubmissionError, match="was not found in"):
        worker.call("anything")


def test_every_call_starts_from_the_same_seed(worker):
    """A model's random starting weights must not differ between two gradings of the same file."""
    assert worker.call("draw") == worker.call("draw")


def test_a_student_who_breaks_seeding_gets_a_message_and_the_worker_stays(worker):
    assert worker.call("break_seeding") == 1
    for _ in range(2):  # each call gets the message; the worker does not crash and restart
        with pytest.raises(SubmissionError, match="seeding the random numbers before the call failed.*random.seed"):
            worker.call("add", (1, 2))


def test_output_printed_before_returning_still_counts(tmp_path):
    path = tmp_path / "ex99_loud.py"
    path.write_text(
        "import sys\n\ndef loud():\n    for _ in range(5):\n        sys.stdout.write('x' * 100_000)\n    return 1\n"
    )
    worker = Worker("ex99_loud", path, limits=Limits(timeout=5, output_bytes=200_000))
    try:
        with pytest.raises(SubmissionError, match="printed more than 200 KB"):
            worker.call("loud")
    finally:
        worker.close()


@pytest.mark.parametrize("kill", ["killed", "killed_after_replying"])
def test_the_next_call_after_a_kill_gets_a_fresh_worker(worker, kill):
    """Issue 23: an OOM kill seen as end of file was blamed on the next, innocent function."""
    import time

    if kill == "killed":
        with pytest.raises(SubmissionError, match="crashed"):
            worker.call(kill)
    else:
        assert worker.call(kill) == 1
        time.sleep(1.0)
    assert worker.call("add", (2, 3)) == 5
    assert worker.starts == 2


def test_a_worker_that_never_starts_is_the_graders_failure(tmp_path):
    """A worker dying before the student's import is retried once, then `WorkerStartFailure`."""
    from keras_vision.grading.sandbox.isolation import NoSandbox
    from keras_vision.grading.sandbox.remote import WorkerStartFailure

    class BrokenSandbox(NoSandbox):
        def spawn(self, arguments, **kwargs):
            return super().spawn(["--no-such-option"], **kwargs)

    path = tmp_path / "ex99_demo.py"
    path.write_text(MODULE)
    broken = Worker("ex99_demo", path, limits=Limits(timeout=3), sandbox=BrokenSandbox())
    try:
        with pytest.raises(WorkerStartFailure, match="2 attempts, before any student code ran") as caught:
            broken.call("add", (1, 2))
        assert "--no-such-option" in caught.value.output or "usage" in caught.value.output
        assert broken.starts == 2
    finally:
        broken.close()
