"""The runners' fork server: one import of Keras per grading run, and nothing outlives the grader."""

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from grading_helpers import MODULE, REPO

from keras_vision.grading.running import prefork
from keras_vision.grading.running.grader import RUNNERS, GraderFailure, GradingOptions, grade_submission, run_runner
from keras_vision.grading.sandbox import isolation, resources
from keras_vision.grading.targets import graded_test_files, graded_tests_dir


def alive(pid: int) -> bool:
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "Z" not in state


def collect(server: prefork.RunnerServer, log) -> tuple[int, bytes]:
    """Starts a collect-only runner on ex01's graded tests; returns its pid and everything it sent."""
    files = [str(f) for f in graded_test_files(graded_tests_dir(), [MODULE])]
    pid, fd = server.start_runner(["--collect-only", *files], cwd=str(REPO), python_path=str(REPO), log_fd=log.fileno())
    data = b""
    try:
        while chunk := os.read(fd, 1 << 16):
            data += chunk
    finally:
        os.close(fd)
    return pid, data


def test_one_server_forks_every_runner_and_stops_with_its_socket(tmp_path):
    server = prefork.RunnerServer()
    with open(tmp_path / "log", "wb") as log:
        first, report = collect(server, log)
        second, again = collect(server, log)
    assert b"test_apply_filter" in report and report == again, (tmp_path / "log").read_text()[-2000:]
    assert first != second
    deadline = time.monotonic() + 5  # end-of-file comes as the runner exits: its fds close before it is gone
    while (alive(first) or alive(second)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(first) and not alive(second)
    process = server._process
    assert process.poll() is None
    server.stop()
    assert process.poll() is not None


def test_a_dead_server_is_started_again(tmp_path):
    server = prefork.RunnerServer()
    with open(tmp_path / "log", "wb") as log:
        collect(server, log)
        dead = server._process
        dead.kill()
        dead.wait()
        pid, report = collect(server, log)
    assert server._process is not dead and b"test_apply_filter" in report
    server.stop()


def test_a_server_that_dies_during_a_request_fails_that_runner_only(tmp_path, monkeypatch):
    server = prefork.RunnerServer()
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    theirs.close()  # the server end is gone
    monkeypatch.setattr(server, "_running", lambda zygote=False: ours)
    open_fds = len(os.listdir("/proc/self/fd"))
    with open(tmp_path / "log", "wb") as log, pytest.raises(RuntimeError, match="stopped before it started a runner"):
        server.start_runner(["--collect-only"], cwd=str(REPO), python_path=str(REPO), log_fd=log.fileno())
    assert len(os.listdir("/proc/self/fd")) == open_fds  # both ends of the result pipe are closed
    ours.close()
    monkeypatch.undo()
    with open(tmp_path / "log", "wb") as log:
        _, report = collect(server, log)  # the next request starts a server
    assert b"test_apply_filter" in report
    server.stop()


def descendants(pid: int) -> set[int]:
    found = set(resources.children_of(pid))
    for child in list(found):
        found |= descendants(child)
    return found


SLOW_CALLS = """
import functools as _functools
import time as _time


def _slow(function):
    @_functools.wraps(function)
    def wrapper(*args, **kwargs):
        _time.sleep(1)
        return function(*args, **kwargs)

    return wrapper


for _name in ("normalize_images", "apply_filter", "vertical_edge_kernel", "max_pool", "build_classic_cnn"):
    globals()[_name] = _slow(globals()[_name])
"""


def test_a_runner_over_its_time_is_killed_with_its_workers(tmp_path):
    """A runner past `runner_timeout` is killed; its workers die with it; the server stays."""
    slow = tmp_path / "slow"
    slow.mkdir()  # every call takes a second: ex01's tests take longer than the runner's 6 s on any machine
    (slow / f"{MODULE}.py").write_text((REPO / "solutions" / f"{MODULE}.py").read_text() + SLOW_CALLS)
    options = GradingOptions(graded_tests_dir(), modules=(MODULE,), runner_timeout=6)
    files = graded_test_files(options.tests_dir, [MODULE])
    outcome, seen = {}, set()
    grading = threading.Thread(
        target=lambda: outcome.update(zip(("report", "log"), run_runner(files, options, target=slow)))
    )
    grading.start()
    while grading.is_alive():
        if RUNNERS._process is not None:
            seen |= descendants(RUNNERS._process.pid)
        time.sleep(0.05)
    assert outcome["report"] == {} and seen
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in seen if alive(pid)]
    assert RUNNERS._process.poll() is None
    with pytest.raises(GraderFailure, match="stopped without a report, so no one is scored"):
        grade_submission(slow, options)  # the grader's failure: no result at all


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.skipif(isolation.bwrap_problem() is not None, reason="needs bubblewrap")
def test_sandboxed_grading_forks_its_workers_from_the_servers_zygote():
    """With bwrap, the server starts one zygote and the runners' workers come from it, not from new sandboxes."""
    options = GradingOptions(graded_tests_dir(), modules=(MODULE,), sandbox="bwrap")
    RUNNERS.stop()  # a fresh server: an earlier test of this process may have killed its zygote
    lines, outcome = {}, {}
    grading = threading.Thread(target=lambda: outcome.update(result=grade_submission(REPO / "solutions", options)))
    grading.start()
    while grading.is_alive():
        if RUNNERS._process is not None:
            for pid in descendants(RUNNERS._process.pid) - set(lines):
                lines[pid] = command_line(pid)
        time.sleep(0.05)
    assert outcome["result"].score == outcome["result"].max_score == 20
    assert any("keras_vision.grading.sandbox.zygote" in line for line in lines.values()), lines
    assert not any("-m keras_vision.grading.sandbox.worker" in line for line in lines.values()), lines  # none exec'd
