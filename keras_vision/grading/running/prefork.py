"""A fork server for the trusted runners: pytest and Keras are imported once per grading run.

Importing Keras costs a few seconds of CPU, and every runner needs it (the graded tests build
the reference models). Started fresh for each submission, a batch of 30 would import it 30
times. `RunnerServer` starts one server process that imports `PRELOAD` and then forks one runner
per request: each runner starts from the same state a fresh `python -m
keras_vision.grading.running.runner` would have after those imports, and costs only a fork.

    grader  --request (argv, cwd) + [log fd, result fd] over a socket-->  server  --fork-->  runner
            <--------------------------- the runner's pid ------------

The runner writes its report on the result pipe and keeps the pipe open until it exits, so the
grader knows the runner is gone when it reads end-of-file. The server exits when the grader's end
of the socket closes, which the kernel does when the grader dies, however it dies; each runner
dies with the server (`die_with_parent`), taking its workers along.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

from keras_vision.grading.sandbox import isolation, zygote
from keras_vision.grading.sandbox.resources import die_with_parent, limit_own_memory

#: Imported once by the server, before any fork: the slow imports every runner needs.
PRELOAD = ("keras_vision.grading.running.runner", "keras_vision.grading.testkit.plugin", "pytest", "keras")
#: Heap a runner may use, MiB (about 1 GB with DenseNet121 references; see `limit_own_memory`).
RUNNER_MEMORY_MB = 6144
#: Seconds the server may take to import `PRELOAD` (about 5 on a quiet 2-core machine).
START_TIMEOUT = 300.0


class RunnerServer:
    """The grader's handle on the fork server: `start_runner` returns a new runner's pid and report fd.

    One server serves every thread of the grader (a lock orders the requests); it is started
    on the first request and again if it has died.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._socket: socket.socket | None = None

    def start_runner(
        self, argv: list[str], *, cwd: str, python_path: str, log_fd: int, zygote: bool = False
    ) -> tuple[int, int]:
        """Forks a runner for `keras_vision.grading.running.runner.main(argv + ["--result-fd", FD])`.

        Args:
            argv: The runner's arguments, without `--result-fd`.
            cwd: Its working folder (the root of the graded tests' repository or handout).
            python_path: A folder put first on its `sys.path`.
            log_fd: Where its stdout and stderr go.
            zygote: Fork its `bwrap` workers from the server's zygote (`keras_vision.grading.sandbox.zygote`),
                started with the server. Defaults to `False` (a sandbox started per worker).

        Returns:
            (pid, fd): the runner's pid and the read end of its result pipe.

        Raises:
            RuntimeError: the server could not be started (its output is in the message).
        """
        read_fd, write_fd = os.pipe()
        request = json.dumps({"argv": argv, "cwd": cwd, "python_path": python_path, "zygote": zygote}).encode()
        try:
            with self._lock:
                server = self._running(zygote)
                socket.send_fds(server, [request], [log_fd, write_fd])
                reply = server.recv(64)
        except OSError:  # it died after the check: the next request starts a new one
            reply = b""
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        if not reply:
            os.close(read_fd)
            self.stop()
            raise RuntimeError("The grader's runner server stopped before it started a runner.")
        return int(reply), read_fd

    def stop(self) -> None:
        """Closes the socket (the server then exits) and waits for the server."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._process is not None:
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def _running(self, zygote: bool = False) -> socket.socket:
        if self._process is not None and self._process.poll() is None:
            return self._socket
        self.stop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONDONTWRITEBYTECODE": "1"}
        with tempfile.TemporaryFile() as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "keras_vision.grading.running.prefork",
                    str(theirs.fileno()),
                    *(["--zygote"] if zygote else []),
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,  # no parent-death signal: it would come when the *thread* that started it ends
            )
            theirs.close()
            self._socket = ours
            ready, _, _ = select.select([ours], [], [], START_TIMEOUT)
            if not ready or ours.recv(16) != b"ready":
                self.stop()
                log.seek(0)
                output = log.read().decode("utf-8", errors="replace")[-3000:]
                raise RuntimeError(f"The grader's runner server did not start:\n{output}")
        return ours


def wait_for_exit(fd: int, deadline: float) -> bool:
    """Reads `fd` to end-of-file (the runner has exited); False if `deadline` passes first."""
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if ready and not os.read(fd, 1 << 16):
            return True
    return False


def serve(fd: int, *, zygote_first: bool = False) -> None:
    """The server: imports `PRELOAD`, then forks a runner per request until the grader goes away.

    Args:
        fd: Its end of the grader's socket.
        zygote_first: Start the zygote before importing `PRELOAD` (both import Keras at once, on two
            cores); otherwise it is started by the first request that asks for it.
    """
    isolation.bwrap_problem()  # probed (and cached) now: with SIGCHLD ignored, bwrap would never see `true` exit
    if zygote_first:
        ZYGOTE.start()
    for name in PRELOAD:
        importlib.import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the runners
    server = socket.socket(fileno=fd)
    try:
        server.send(b"ready")
        while True:
            request, fds, _, _ = socket.recv_fds(server, 1 << 20, 2)
            if not request:  # the grader closed its end, or died
                return
            request = json.loads(request)
            shared = _zygote_sandbox() if request.get("zygote") else None
            pid = os.fork()
            if pid == 0:
                server.close()
                isolation.SHARED.clear()
                if shared is not None:
                    isolation.SHARED["bwrap"] = shared
                _run(request, *fds)
            for received in fds:
                os.close(received)
            server.send(str(pid).encode())
    except OSError:  # the grader is gone
        return


#: This server's zygote (started on the first request that asks for one).
ZYGOTE = zygote.Zygote()


def _zygote_sandbox() -> zygote.ZygoteSandbox | None:
    """The zygote's sandbox for the next runner; started (again) when it is not running."""
    if ZYGOTE.control is None or not ZYGOTE.alive():
        if ZYGOTE.problem is not None and ZYGOTE.process is None and ZYGOTE.attempts >= 2:
            return None  # it failed twice: the runners start a sandbox per worker
        ZYGOTE.start()
    if not ZYGOTE.wait_ready():
        print(f"The grader's zygote is not used: {ZYGOTE.problem}", file=sys.stderr)
        return None
    return ZYGOTE.sandbox()


def _run(request: dict, log_fd: int, result_fd: int) -> None:
    """In the forked runner: the process state of a fresh runner, then `runner.main`; never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the runner waits for its own workers
        die_with_parent()
        limit_own_memory(RUNNER_MEMORY_MB)
        os.dup(result_fd)  # a copy that stays open until exit: end-of-file tells the grader it is gone
        for target in (1, 2):
            os.dup2(log_fd, target)
        os.close(log_fd)
        os.chdir(request["cwd"])
        sys.path.insert(0, request["python_path"])
        # Imported here, not at the top: the grader imports this module and must not pay for pytest
        # and Keras; the server already imported the runner (PRELOAD), so this costs nothing.
        from keras_vision.grading.running import runner

        code = runner.main([*request["argv"], "--result-fd", str(result_fd)])
    except BaseException:  # noqa: BLE001 - reported in the log, which the grader shows
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    serve(int(sys.argv[1]), zygote_first="--zygote" in sys.argv[2:])
