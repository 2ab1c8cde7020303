"""The trusted side of the worker: start it, call it, and stop it when it misbehaves.

Student code never runs in the process that computes scores. `RemoteModule` looks like the student's
module, but calling one of its functions sends the call to a `Worker`: a subprocess
(`python -m keras_vision.grading.sandbox.worker`) started by a `Sandbox` (`keras_vision.grading.sandbox.isolation`:
bubblewrap namespaces, a private copy of the file, cgroup limits; or a plain subprocess). The
worker answers on a dedicated pipe with the safe JSON codec; its stdout and stderr go to another
pipe that a thread drains and counts. Nothing it sends is trusted: a reply frame larger than
`Limits.reply_bytes`, or with more values than `MAX_REPLY_VALUES`, is refused unread, and
messages are cut to `MAX_MESSAGE_CHARS` with a note. While waiting for an answer the grader
enforces its limits and turns each breach into a sentence for the student:

- time: "timed out after 20 s (an endless loop?)" - the whole sandbox is killed. Importing the
  student's module is charged to the test that needs it (only the worker's own pre-import of
  Keras, before any student code runs, is not);
- memory: "used more than 3 GB of memory" - all the sandbox's processes and its tmpfs together;
- output: "printed more than 1 MB" - the drain thread counts bytes.

A killed worker is restarted on the next call. A module that fails to import (or whose import
times out) fails every call with the same reason, without being imported again.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keras_vision.grading.sandbox import codec
from keras_vision.grading.sandbox.framing import FrameBuffer, FrameTooLarge, write_message
from keras_vision.grading.sandbox.isolation import NoSandbox, Sandbox, SandboxLimits

#: Largest submission file a worker is started for (a course exercise is a few KB).
MAX_SUBMISSION_BYTES = 2_000_000
#: How often a worker that dies before the student's module is imported is started (then the grader stops).
START_ATTEMPTS = 2
#: How much of a call's printed output is kept for feedback.
KEPT_OUTPUT_BYTES = 4096
#: Characters of a failure message (the student's exception text) kept in the results.
MAX_MESSAGE_CHARS = 4000
#: JSON values (counted by their separators) a reply may hold; arrays travel as one string each.
MAX_REPLY_VALUES = 200_000
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Limits:
    """What one call of student code may use.

    Args:
        timeout: Seconds for all calls of one test. Defaults to `20`.
        memory_mb: Resident memory of the worker, in MiB. Defaults to `3072` (3 GB).
        output_bytes: Bytes printed per call. Defaults to `1_000_000` (1 MB).
        import_timeout: Seconds the worker may take to pre-import Keras before any student code runs
            (not charged to tests; importing the student's module is). Defaults to `120`.
        reply_bytes: Largest reply frame accepted, in bytes. Defaults to 96 MiB (a DenseNet121 with
            its weights, base64-encoded, is about 45 MB).
        processes: Processes and threads of one worker. Defaults to `512`.
        cpu_seconds: CPU seconds per worker process over its life. Defaults to `3600`.
    """

    timeout: float = 20.0
    memory_mb: int = 3072
    output_bytes: int = 1_000_000
    import_timeout: float = 120.0
    reply_bytes: int = 96 * 2**20
    processes: int = 512
    cpu_seconds: int = 3600

    def sandbox_limits(self) -> SandboxLimits:
        return SandboxLimits(memory_mb=self.memory_mb, processes=self.processes, cpu_seconds=self.cpu_seconds)


class SubmissionError(Exception):
    """The student's code failed; the message says how, in words meant for the student."""


class WorkerStartFailure(RuntimeError):
    """The grader's own worker did not start (twice), before any student code ran: the environment
    (the sandbox, the Python installation) failed, not the student. The message says what it printed.

    Args:
        message: What failed.
        output: What the worker (and the sandbox) printed, for the instructor.
    """

    def __init__(self, message: str, output: str = ""):
        super().__init__(message)
        self.output = output


class OutputDrain:
    """Drains a worker's stdout/stderr pipe in a thread, counting bytes and keeping the first ones."""

    def __init__(self, stream, limit: int):
        self.limit = limit
        self._stream = stream
        self._lock = threading.Lock()
        self._count = 0
        self._head = bytearray()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def begin(self) -> None:
        """Starts counting the output of a new call."""
        with self._lock:
            self._count, self._head = 0, bytearray()

    def settle(self, seconds: float = 0.05) -> None:
        """Gives the thread a moment to count what the worker flushed just before replying."""
        deadline = time.monotonic() + seconds
        previous = -1
        while time.monotonic() < deadline and previous != self._count:
            previous = self._count
            time.sleep(0.005)

    @property
    def exceeded(self) -> bool:
        return self._count > self.limit

    def text(self) -> str:
        """What the current call printed, up to `KEPT_OUTPUT_BYTES`."""
        with self._lock:
            return self._head.decode("utf-8", errors="replace")

    def join(self, timeout: float = 2.0) -> None:
        self._thread.join(timeout)

    def _drain(self) -> None:
        fd = self._stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._count += len(chunk)
                room = KEPT_OUTPUT_BYTES - len(self._head)
                if room > 0:
                    self._head += chunk[:room]


class Worker:
    """One worker subprocess for one student module; started lazily, restarted after a kill.

    Args:
        module: Module name, e.g. `"ex01_convolutions"`.
        path: The student's file, or a path that does not exist (every call then explains that).
        limits: The `Limits` of every call.
        sandbox: Where the worker runs. Defaults to `NoSandbox()` (a plain subprocess).
    """

    def __init__(self, module: str, path: Path, *, limits: Limits = Limits(), sandbox: Sandbox | None = None):
        self.module, self.path, self.limits = module, Path(path), limits
        self.sandbox = sandbox if sandbox is not None else NoSandbox()
        self._process: subprocess.Popen | None = None
        self._confined = None
        self._import_failure: str | None = None
        self._ready = False
        self._preloaded = False
        self.starts = 0
        self.last_call_seconds = 0.0
        #: `{function: forbidden dotted prefixes}` (an `OWN_WORK` declaration), enforced in the worker.
        self.own_work: dict[str, tuple[str, ...]] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Spawns the worker (it imports the module while the grader goes on)."""
        if self._process is not None or self._import_failure is not None:
            return
        if self.path.is_symlink():
            self._import_failure = f"{self.path.name} is a symbolic link; submit the file itself."
            return
        if not self.path.is_file():
            self._import_failure = (
                f"The exercise file {self.path.name} was not found in {self.path.parent}. "
                f"Put your {self.module}.py there (keep the file name)."
            )
            return
        if self.path.stat().st_size > MAX_SUBMISSION_BYTES:
            self._import_failure = (
                f"{self.path.name} is larger than {_size(MAX_SUBMISSION_BYTES)}; the grader does not run it. "
                "Submit the exercise file only, without embedded data."
            )
            return
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        arguments = [
            "--module",
            self.module,
            "--path",
            "{submission}",
            "--requests",
            str(requests_r),
            "--replies",
            str(replies_w),
        ]
        try:
            self._confined = self.sandbox.spawn(
                arguments, submission=self.path, pass_fds=(requests_r, replies_w), limits=self.limits.sandbox_limits()
            )
        except BaseException:
            os.close(requests_w)
            os.close(replies_r)
            raise
        finally:
            os.close(requests_r)
            os.close(replies_w)
        self._process = self._confined.process
        self._requests, self._replies = requests_w, replies_r
        self._frames = FrameBuffer(self.limits.reply_bytes)
        self._output = OutputDrain(self._process.stdout, self.limits.output_bytes)
        self._ready = self._preloaded = False
        self.starts += 1

    def close(self) -> None:
        """Kills the worker's whole process group and forgets it (the next call restarts it)."""
        process, self._process = self._process, None
        if process is None:
            return
        self._confined.kill()
        for fd in (self._requests, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        self._output.join()
        process.stdout.close()

    # -- calls -------------------------------------------------------------------------------
    def call(
        self,
        function: str,
        args: tuple = (),
        kwargs: dict | None = None,
        *,
        timeout: float | None = None,
        limit_label: float | None = None,
    ) -> Any:
        """Runs `module.function(*args, **kwargs)` in the worker and returns its decoded value.

        Args:
            function: Name of the student's function.
            args: Positional arguments (values the codec carries).
            kwargs: Keyword arguments.
            timeout: Seconds this call may take. Defaults to `limits.timeout`.
            limit_label: The limit named in a timeout message (the test's whole budget). Defaults
                to `timeout`.

        Raises:
            SubmissionError: the function raised, was killed for a limit, or the module did not import.
        """
        qualified = f"{self.module}.{function}"
        limit = self.limits.timeout if timeout is None else timeout
        label = limit if limit_label is None else limit_label
        payload = json.dumps(
            {"function": function, "args": codec.encode(list(args)), "kwargs": codec.encode(kwargs or {})}
        ).encode()
        self.last_call_seconds = 0.0
        if self._process is not None and self._process.poll() is not None:
            self.close()  # it died since the last call (a kill, a late out-of-memory): this call gets a new one
        self._ensure_preloaded()
        start = time.monotonic()
        deadline = start + max(limit, 0.0)
        try:
            self._ensure_ready(deadline, label)
            self._output.begin()
            write_message(self._requests, payload)
            reply = self._wait_for_reply(qualified, deadline, label)
            return self._unpack(reply, qualified)  # decoding (a model's rebuild) is charged to the call too
        except OSError:
            raise SubmissionError(self._crash_message(qualified)) from None
        finally:
            self.last_call_seconds = time.monotonic() - start

    def _ensure_preloaded(self) -> None:
        """Starts the worker and waits for its own imports (Keras), which run no student code.

        A worker that dies or stalls here failed before the student's module was touched: it is
        started once more, and a second failure is the grader's (`WorkerStartFailure`), never a
        student's result.
        """
        for attempt in range(1, START_ATTEMPTS + 1):
            self.start()
            if self._import_failure is not None or self._preloaded:
                return
            limit = self.limits.import_timeout
            try:
                reply = self._wait_for_reply("starting the grader's worker", time.monotonic() + limit, limit)
                if reply.get("kind") != "preloaded":
                    raise SubmissionError(f"it sent an unexpected first message ({str(reply.get('kind'))[:40]!r})")
            except (SubmissionError, OSError) as error:
                output = self.startup_output
                self.close()
                if attempt == START_ATTEMPTS:
                    raise WorkerStartFailure(
                        f"The grader's worker for {self.path.name} did not start ({attempt} attempts, before "
                        f"any student code ran): {error}",
                        output,
                    ) from None
                continue
            self._preloaded = True
            return

    @property
    def startup_output(self) -> str:
        """What the worker (and its sandbox) printed before its first call: the head of its output."""
        output = getattr(self, "_output", None)
        return output.text() if output is not None else ""

    def _ensure_ready(self, deadline: float, label: float) -> None:
        """Imports the student's module once, charged to the calling test (until `deadline`)."""
        if self._import_failure is not None:
            raise SubmissionError(self._import_failure)
        if self._ready:
            return
        what = f"importing {self.path.name}"
        self._output.begin()
        try:
            write_message(self._requests, json.dumps({"op": "import", "own_work": self.own_work}).encode())
        except OSError:
            self._import_failure = self._crash_message(what)
            raise SubmissionError(self._import_failure) from None
        try:
            reply = self._wait_for_reply(what, deadline, label)
        except SubmissionError as error:
            self._import_failure = f"{self.path.name} could not be imported: {error}"
            self.close()
            raise SubmissionError(self._import_failure) from None
        if reply.get("kind") != "ready":
            self._import_failure = truncate(str(reply.get("message", "the module did not import.")))
            self.close()
            raise SubmissionError(self._import_failure)
        self._output.settle()  # what the import printed is not charged to the first call
        self._ready = True

    def _wait_for_reply(self, what: str, deadline: float, limit: float) -> dict:
        next_memory_check = 0.0
        while True:
            if self._output.exceeded:  # checked first: a reply after too much output does not count
                self.close()
                raise SubmissionError(
                    f"{what} printed more than {_size(self.limits.output_bytes)}; print less (no prints inside loops)."
                )
            message = self._frames.pop()
            if message is not None:
                self._output.settle()
                if self._output.exceeded:
                    continue
                return self._parse(message, what)
            now = time.monotonic()
            if now >= deadline:
                self.close()
                raise SubmissionError(f"{what} timed out after {limit:g} s (an endless loop?).")
            if now >= next_memory_check:
                next_memory_check = now + 0.05
                if self._over_memory():
                    self.close()
                    raise SubmissionError(self._memory_message(what))
            ready, _, _ = select.select([self._replies], [], [], min(POLL_SECONDS, max(deadline - now, 0.0)))
            if ready:
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:  # the worker is gone: replaced before the next call, whatever killed it
                    if self._over_memory():
                        self.close()
                        raise SubmissionError(self._memory_message(what))
                    raise SubmissionError(self._crash_message(what))
                try:
                    self._frames.feed(chunk)
                except FrameTooLarge as error:
                    self.close()
                    raise SubmissionError(
                        f"{what} sent back more than the grader accepts ({error}); return smaller values."
                    ) from None

    def _over_memory(self) -> bool:
        confined = self._confined
        return confined is not None and (confined.out_of_memory() or confined.memory_mb() > self.limits.memory_mb)

    def _memory_message(self, what: str) -> str:
        return (
            f"{what} used more than {_memory(self.limits.memory_mb)} of memory (all its processes and "
            "temporary files together)."
        )

    def _parse(self, message: bytes, what: str) -> dict:
        try:
            if sum(message.count(c) for c in (b",", b"[", b"{")) > MAX_REPLY_VALUES:
                self.close()
                raise SubmissionError(
                    f"{what} returned more than {MAX_REPLY_VALUES:,} values; return a NumPy "
                    "array rather than long or deeply nested lists."
                )
            reply = json.loads(message)
            if not isinstance(reply, dict):
                raise ValueError("not an object")
            return reply
        except (ValueError, RecursionError):
            self.close()
            raise SubmissionError(
                f"{what}: the worker sent an unreadable reply (did the code write to the grader's pipe?)."
            ) from None

    def _unpack(self, reply: dict, qualified: str) -> Any:
        kind = reply.get("kind")
        if kind == "result":
            try:
                value = codec.decode(reply.get("value"))
            except (codec.CodecError, RecursionError, TypeError, ValueError) as error:
                raise SubmissionError(truncate(f"{qualified} returned a value the grader refused. {error}")) from None
            if value is Ellipsis:
                raise SubmissionError(
                    f"{qualified} returned `...`: it is not implemented yet; replace the `...` placeholders "
                    f"with your code."
                )
            return value
        message = truncate(str(reply.get("message", f"{qualified} failed.")))
        printed = self._output.text().strip()
        if printed:
            message += f"\nYour code printed:\n{truncate(printed, 1000)}"
        raise SubmissionError(message)

    def _crash_message(self, what: str) -> str:
        process = self._process
        code = process.wait(timeout=5) if process is not None else None
        self.close()
        return f"{what}: the worker crashed (exit code {code}); os._exit(), a segfault or a killed process?"


class RemoteFunction:
    """A stand-in for one student function: calling it runs the real one in the worker."""

    def __init__(self, worker: Worker, name: str, budget: Budget):
        self._worker, self.__name__, self._budget = worker, name, budget

    def __call__(self, *args, **kwargs):
        self._worker.last_call_seconds = 0.0
        try:
            return self._worker.call(
                self.__name__, args, kwargs, timeout=self._budget.remaining, limit_label=self._budget.seconds
            )
        finally:  # importing the module is charged; the worker's own pre-import of Keras is not
            self._budget.spend(self._worker.last_call_seconds)

    def __repr__(self) -> str:
        return f"<student function {self._worker.module}.{self.__name__}>"


class Budget:
    """The seconds all student calls of one test may use together."""

    def __init__(self, seconds: float):
        self.seconds, self.used = seconds, 0.0

    @property
    def remaining(self) -> float:
        return max(self.seconds - self.used, 0.0)

    def spend(self, seconds: float) -> None:
        self.used += seconds


class RemoteModule:
    """Looks like the student's module; every attribute is a `RemoteFunction`.

    Args:
        worker: The module's worker.
        seconds: Time budget of the current test, for all calls together.
    """

    def __init__(self, worker: Worker, seconds: float):
        self._worker, self._budget = worker, Budget(seconds)

    def __getattr__(self, name: str) -> RemoteFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        return RemoteFunction(self._worker, name, self._budget)

    def __repr__(self) -> str:
        return f"<student module {self._worker.module} from {self._worker.path}>"


class WorkerPool:
    """One `Worker` per (module, file); closes them all at the end of a session.

    Args:
        limits: The `Limits` of every worker.
        sandbox: Where workers run. Defaults to `NoSandbox()`.
    """

    def __init__(self, limits: Limits = Limits(), sandbox: Sandbox | None = None):
        self.limits, self.sandbox = limits, sandbox
        self._workers: dict[tuple[str, Path], Worker] = {}

    def get(self, module: str, path: Path) -> Worker:
        key = (module, Path(path))
        if key not in self._workers:
            self._workers[key] = Worker(module, path, limits=self.limits, sandbox=self.sandbox)
        return self._workers[key]

    def close(self) -> None:
        for worker in self._workers.values():
            worker.close()


def truncate(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text`, cut to `limit` characters with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... (truncated: {len(text) - limit:,} more characters)"


def _memory(mib: float) -> str:
    return f"{mib / 1024:g} GB" if mib >= 1024 else f"{mib:g} MB"


def _size(n_bytes: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:g} {unit}"
    return f"{n_bytes:g} bytes"
