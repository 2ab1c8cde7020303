"""The bwrap sandbox on tiny NumPy-only modules: what a worker sees, and limits on all its processes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_helpers import MODULE, REPO, SECRET, SUBMISSIONS, leftover_processes, patched_solution

from keras_vision.grading.sandbox import resources
from keras_vision.grading.sandbox.isolation import BwrapSandbox, bwrap_problem, select_sandbox
from keras_vision.grading.sandbox.remote import Limits, SubmissionError, Worker

pytestmark = pytest.mark.skipif(bwrap_problem() is not None, reason=f"needs bubblewrap: {bwrap_problem()}")

MODULE_SOURCE = """
import os, socket, time
import numpy as np

def view():
    return {"cwd": os.getcwd(), "env": sorted(os.environ), "root": sorted(os.listdir("/")),
            "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), "uid": os.getuid(),
            "host": os.uname().nodename, "files": sorted(os.listdir("."))}

def exists(path):
    return os.path.exists(path)

def write(path):
    try:
        with open(path, "a") as handle:
            handle.write("tampered")
        return "written"
    except OSError as error:
        return type(error).__name__

def connect():
    try:
        socket.create_connection(("1.1.1.1", 80), timeout=2)
        return "connected"
    except OSError as error:
        return type(error).__name__

def children_hog(count, megabytes):
    for _ in range(count):
        if os.fork() == 0:
            block = np.ones(megabytes * 2**20, np.uint8)
            time.sleep(60)
            os._exit(int(block[0]))
    time.sleep(60)

def shm_hog(megabytes):
    with open("/dev/shm/kvtest_fill", "wb") as handle:
        for _ in range(megabytes):
            handle.write(b"x" * 2**20)
    time.sleep(60)

def name_and_sleep():
    if os.fork() == 0:
        os.setsid()
        with open("/proc/self/comm", "w") as comm:
            comm.write("kv-iso-sleeper")
        time.sleep(600)
        os._exit(0)
    return 1
"""


@pytest.fixture
def sandboxed(tmp_path, monkeypatch):
    monkeypatch.setenv("KV_GRADER_SECRET", SECRET)
    path = tmp_path / "ex99_view.py"
    path.write_text(MODULE_SOURCE)
    worker = Worker("ex99_view", path, limits=Limits(timeout=20, memory_mb=400), sandbox=BwrapSandbox())
    yield worker
    worker.close()


def test_worker_sees_only_its_copy_the_library_and_python(sandboxed, tmp_path):
    seen = sandboxed.call("view")
    assert seen["cwd"] == "/kv/work" and seen["files"] == ["ex99_view.py"]
    assert "KV_GRADER_SECRET" not in seen["env"] and set(seen["env"]) <= {
        "HOME",
        "TMPDIR",
        "PYTHONPATH",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONHASHSEED",
        "TF_CPP_MIN_LOG_LEVEL",
        "KERAS_HOME",
        "MPLCONFIGDIR",
        "PATH",
        "LANG",
        "PWD",
        "KERAS_BACKEND",
        *[k for k in seen["env"] if k.startswith(("TF", "TPU", "KMP", "HDF5", "LD_", "LC_", "ENABLE"))],
    }
    assert seen["pids"] == [1, 2] and seen["host"] == "kv-worker" and seen["uid"] != 0
    for hidden in (REPO / "solutions", REPO / "tests", tmp_path, "/work/main", "/etc/passwd"):
        assert sandboxed.call("exists", (str(hidden),)) is False, hidden
    assert sandboxed.call("exists", ("/kv/lib/keras_vision/convolution.py",))


def test_library_is_read_only_and_the_network_is_gone(sandboxed):
    assert sandboxed.call("write", ("/kv/lib/keras_vision/convolution.py",)) == "OSError"
    assert sandboxed.call("write", ("/kv/work/scratch.txt",)) == "written"
    assert sandboxed.call("connect") == "OSError"


@pytest.mark.parametrize(
    "function, args", [("children_hog", (4, 150)), ("shm_hog", (600,))], ids=["children", "dev-shm"]
)
def test_memory_limit_covers_children_and_tmpfs(sandboxed, function, args):
    with pytest.raises(SubmissionError, match="used more than 400 MB of memory"):
        sandboxed.call(function, args)
    assert not list(Path("/dev/shm").glob("kvtest_fill*"))  # the file was in the sandbox's own tmpfs


def test_closing_the_worker_ends_detached_processes_and_removes_its_cgroup(sandboxed):
    assert sandboxed.call("name_and_sleep") == 1
    group = sandboxed._confined.group
    deadline = time.monotonic() + 30  # the detached child names itself a moment later
    while not leftover_processes("kv-iso-sleeper") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftover_processes("kv-iso-sleeper")
    sandboxed.close()
    assert not leftover_processes("kv-iso-sleeper")
    assert group is None or not any(folder.exists() for folder in group.folders.values())


def test_select_sandbox_names_the_valid_choices():
    with pytest.raises(ValueError, match="Valid sandboxes: auto, bwrap, none"):
        select_sandbox("docker")


def test_die_with_parent_is_set_in_the_child():
    code = (
        "import os, signal, time, sys\nfrom keras_vision.grading.sandbox import resources\n"
        "if os.fork() == 0:\n    resources.die_with_parent()\n    open('/proc/self/comm', 'w').write('kv-iso-orphan')\n"
        "    time.sleep(60)\nelse:\n    time.sleep(1)\n"
    )
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(REPO)}, check=True, timeout=60)
    deadline = time.monotonic() + 5
    while leftover_processes("kv-iso-orphan") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not leftover_processes("kv-iso-orphan")


@pytest.mark.slow
def test_killing_the_grader_leaves_no_process(tmp_path):
    """SIGKILL the grader while a detached grandchild of a worker runs: the chain of parent-death
    signals (grader -> runner server -> runner -> bwrap -> its PID namespace) ends everything within seconds."""
    folder = tmp_path / "submissions" / "attack_detach"
    folder.mkdir(parents=True)
    (folder / f"{MODULE}.py").write_text(patched_solution(SUBMISSIONS / "attack_detach.py"))
    grader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "keras_vision.grade",
            "--target",
            str(folder),
            "--modules",
            MODULE,
            "--format",
            "json",
            "--out",
            str(tmp_path / "out.json"),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while not leftover_processes("kv-attack-det") and time.monotonic() < deadline and grader.poll() is None:
            time.sleep(0.2)
        assert leftover_processes("kv-attack-det"), "the attack's detached process never started"
        runner = [pid for child in resources.children_of(grader.pid) for pid in (child, *resources.children_of(child))]
        os.kill(grader.pid, signal.SIGKILL)
        grader.wait()
        deadline = time.monotonic() + 10
        while (
            leftover_processes("kv-attack-det") or any(Path(f"/proc/{pid}").exists() for pid in runner)
        ) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not leftover_processes("kv-attack-det")
        assert not any(
            Path(f"/proc/{pid}/cmdline").exists() and Path(f"/proc/{pid}/cmdline").read_bytes() for pid in runner
        )
        assert not (tmp_path / "out.json").exists()
    finally:
        if grader.poll() is None:
            grader.kill()
