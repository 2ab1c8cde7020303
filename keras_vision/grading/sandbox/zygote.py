"""A zygote: one bubblewrap sandbox imports Keras once, and each worker is forked from it into its own namespaces.

A fresh `bwrap` worker spends seconds importing TensorFlow before it runs one line of student code;
with a batch of submissions that import is most of the grading time. The zygote pays it once per
grading run. It is started by the runners' fork server (`keras_vision.grading.running.prefork`) in a
bubblewrap sandbox like any worker's (read-only system and Python folders, the library at
`/kv/lib`, no network, an empty environment, `--die-with-parent`), imports `PRELOAD`, runs NO
student code, and then, per worker, forks:

    runner --request + [reply socket, submission, output pipe, worker pipes]--> zygote --fork--> keeper
           <-- keeper's pid -- (the runner moves it into the worker's cgroup) -- "go" -->       |
                                                            unshare: user, mount, PID, IPC, net, UTS
                                                            private tmpfs /kv/work, /tmp, /dev/shm
                                                        --fork--> init (PID 1) --fork--> worker
           <-- the worker's exit code (end-of-file if the keeper was killed) ----------

Each worker therefore starts from the zygote's clean state (nothing a previous submission did to a
module or a global can reach it: it never ran in the zygote), in new namespaces of its own, with
its own copy of the file in its own tmpfs, in its own cgroup (memory and process limits), with
rlimits, no capabilities and `no_new_privs`. A keeper kills its worker's namespace when the runner
that asked for it dies; everything ends with the fork server (the zygote's PID namespace goes with
its bwrap, which has the parent-death signal). The zygote, the keepers and
the workers are not dumpable, so the zygote's `/proc` (which a worker still sees, for TensorFlow's
`/proc/self`) shows the other sandboxes' processes but gives no access to their memory, files or
environment, and a worker cannot name them in a signal (they are outside its PID namespace).
Where no cgroup can be made, the runner measures the worker's processes from /proc, counting only
their private pages: the pages of the preloaded libraries are the zygote's, shared by every worker.

A zygote that cannot start, or whose namespaces do not work here (checked by a probe before it
says ready), is not used: the runners then start a `bwrap` sandbox per worker as before
(`isolation.BwrapSandbox`), and a zygote that dies in a grading run is replaced the same way.
Neither is ever a student's failure.
"""

from __future__ import annotations

import ctypes
import fcntl
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from keras_vision.grading.sandbox import resources
from keras_vision.grading.sandbox.isolation import (
    _SERIAL,
    LIBRARY_MOUNT,
    WORKDIR,
    BwrapSandbox,
    Confined,
    SandboxLimits,
    _fill,
    bwrap_problem,
    worker_environment,
)

#: Imported once by the zygote: what every worker would otherwise import itself.
PRELOAD = ("numpy", "keras", "keras_vision.grading.sandbox.worker")
#: Seconds the zygote may take to import `PRELOAD` and pass its probe.
START_TIMEOUT = 300.0
#: Seconds a keeper may take to report its pid (the zygote forks it at once).
FORK_TIMEOUT = 60.0
#: The private folders of each worker (tmpfs, sized like the memory limit).
PRIVATE_FOLDERS = (WORKDIR, "/tmp", "/dev/shm")

_CLONE = {"mount": 0x00020000, "uts": 0x04000000, "ipc": 0x08000000, "user": 0x10000000, "pid": 0x20000000}
_CLONE["net"] = 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000
_PR_SET_DUMPABLE, _PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS = 4, 24, 38
_CAPABILITY_VERSION_3 = 0x20080522


class ZygoteUnavailable(RuntimeError):
    """The zygote cannot fork a worker (it is gone, or never worked here); use a plain bwrap sandbox."""


# -- the trusted side ----------------------------------------------------------------------------
class Zygote:
    """The fork server's handle on one zygote sandbox: `start()` it, `sandbox()` for a runner, `stop()`.

    Args:
        executable: The bubblewrap program. Defaults to `"bwrap"`.
        preload: Modules the zygote imports before it forks. Defaults to `PRELOAD`.
    """

    def __init__(self, executable: str = "bwrap", *, preload: tuple[str, ...] = PRELOAD):
        self.executable, self.preload = executable, tuple(preload)
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.problem: str | None = None
        self._log = None
        self._ready = False
        self.attempts = 0

    def start(self) -> None:
        """Starts the zygote's sandbox; it imports `PRELOAD` meanwhile (see `wait_ready`)."""
        self.stop()
        self.attempts += 1
        self.problem = bwrap_problem(self.executable)
        if self.problem is not None:
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = worker_environment(home=WORKDIR, tmp="/tmp", library=LIBRARY_MOUNT)
        sandbox = BwrapSandbox(executable=self.executable)
        command = [
            *sandbox.command_prefix(SandboxLimits(), env),
            "--",
            sys.executable,
            "-s",
            "-m",
            "keras_vision.grading.sandbox.zygote",
            str(theirs.fileno()),
            ",".join(self.preload),
        ]
        self._log = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(
                command,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                env=env,
                cwd="/",
                start_new_session=True,
                preexec_fn=_prepare_zygote,
            )
        except OSError as error:
            self.problem = f"the zygote's sandbox did not start: {error}"
            ours.close()
            return
        finally:
            theirs.close()
        self.control, self._ready = ours, False

    def wait_ready(self, timeout: float = START_TIMEOUT) -> bool:
        """True once the zygote has imported `PRELOAD` and its probe worked; else sets `problem`."""
        if self._ready:
            return self.alive()
        if self.control is None:
            return False
        ready, _, _ = select.select([self.control], [], [], timeout)
        message = self.control.recv(4096) if ready else b""
        if message == b"ready":
            self._ready = True
            return True
        self.problem = message.decode(errors="replace") or f"the zygote did not start: {self._stderr()}"
        self.stop()
        return False

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def sandbox(self) -> ZygoteSandbox | None:
        """The sandbox that forks workers from this zygote (None when it is not ready)."""
        if not (self._ready and self.alive()):
            return None
        return ZygoteSandbox(self.control, self.process.pid)

    def stop(self) -> None:
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.process.wait(timeout=10)
            except (subprocess.TimeoutExpired, ChildProcessError):
                pass
            self.process = None
        self._ready = False

    def _stderr(self) -> str:
        """The end of what the zygote printed (its errors)."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-3000:]


def _prepare_zygote() -> None:
    """In the zygote's bwrap, before exec: dies with the fork server, and waits for its own children (a
    SIGCHLD ignored by the fork server would be inherited, and bwrap would never see its child exit)."""
    resources.die_with_parent()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)


class ForkedProcess:
    """A worker forked by the zygote, seen from the runner: `pid` (host), `stdout`, `poll()`, `wait()`.

    The runner is not its parent, so the exit code comes from its keeper over `status`; end-of-file
    there means the keeper was killed (reported as -9).
    """

    def __init__(self, pid: int, status: socket.socket, stdout):
        self.pid, self._status, self.stdout = pid, status, stdout
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and self._status.fileno() < 0:
            self.returncode = -signal.SIGKILL  # closed on our side: the keeper killed it
        if self.returncode is None:
            ready, _, _ = select.select([self._status], [], [], 0)
            if ready:
                self._finish()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.poll() is None:
            ready, _, _ = select.select([self._status], [], [], timeout)
            if not ready:
                raise subprocess.TimeoutExpired("zygote worker", timeout)
            self._finish()
        return self.returncode

    def _finish(self) -> None:
        try:
            data = self._status.recv(32)
        except OSError:
            data = b""
        self._status.close()
        try:
            self.returncode = int(data) if data else -signal.SIGKILL
        except ValueError:
            self.returncode = -signal.SIGKILL


class ZygoteSandbox:
    """A `Sandbox` whose workers are forked by a running zygote (see the module docstring).

    Args:
        control: The zygote's request socket (shared by every runner of the grading run).
        root: The host pid of the zygote's `bwrap` process (its keepers are found under it).
    """

    name = "bwrap"
    isolated = True

    def __init__(self, control: socket.socket, root: int):
        self.control, self.root = control, root
        self.failure: str | None = None

    def spawn(self, arguments, *, submission, pass_fds, limits):
        """Forks a worker from the zygote; once the zygote is gone, starts a plain `bwrap` sandbox instead."""
        if self.failure is None:
            try:
                return self.fork(arguments, submission=submission, pass_fds=pass_fds, limits=limits)
            except ZygoteUnavailable as error:
                self.failure = str(error)
                print(f"The grader's zygote failed ({error}); each worker now starts its own sandbox.", file=sys.stderr)
        return BwrapSandbox().spawn(arguments, submission=submission, pass_fds=pass_fds, limits=limits)

    def fork(self, arguments, *, submission, pass_fds, limits) -> Confined:
        """Forks a worker; raises `ZygoteUnavailable` when the zygote is gone (nothing was run)."""
        submission = Path(submission)
        source = os.open(submission, os.O_RDONLY | os.O_NOFOLLOW)  # a link to the solutions is refused
        output_r, output_w = os.pipe()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        request = {
            "argv": _fill(arguments, f"{WORKDIR}/{submission.name}"),
            "name": submission.name,
            "fds": list(pass_fds),
            "memory_mb": limits.memory_mb,
            "processes": limits.processes,
            "cpu_seconds": limits.cpu_seconds,
        }
        group = None
        try:
            try:
                socket.send_fds(
                    self.control, [json.dumps(request).encode()], [theirs.fileno(), source, output_w, *pass_fds]
                )
            except OSError as error:
                raise ZygoteUnavailable(f"the zygote is gone ({error})") from None
            finally:
                for fd in (theirs.fileno(), source, output_w):
                    os.close(fd)
                theirs.detach()
            ready, _, _ = select.select([ours], [], [], FORK_TIMEOUT)
            inner = ours.recv(32) if ready else b""
            if not inner:
                raise ZygoteUnavailable("the zygote did not fork a worker")
            pid = self._host_pid(int(inner))
            group = resources.ControlGroup.create(
                resources.group_name(next(_SERIAL)), memory_mb=limits.memory_mb, processes=limits.processes
            )
            if group is not None:
                group.add(pid)
            ours.send(b"go")
        except BaseException:
            ours.close()
            os.close(output_r)
            if group is not None:
                group.kill_and_remove()
            raise
        process = ForkedProcess(pid, ours, os.fdopen(output_r, "rb"))
        return Confined(process, group=group, mounts=PRIVATE_FOLDERS, private_memory=True)

    def _host_pid(self, inner: int) -> int:
        """The host pid of the zygote's child `inner` (a pid in the zygote's namespace, not in a worker's
        namespace below it, where a student's process may have the same number)."""
        depth = len(_namespace_pids(self.root)) + 1
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for pid in resources.ProcessTree(self.root).pids():
                spaces = _namespace_pids(pid)
                if len(spaces) == depth and spaces[-1] == inner:
                    return pid
            time.sleep(0.01)
        raise ZygoteUnavailable(f"the zygote's child {inner} is not visible from the runner")


def _namespace_pids(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("NSpid:"):
                    return [int(p) for p in line.split()[1:]]
    except (OSError, ValueError):
        pass
    return []


# -- inside the zygote's sandbox ---------------------------------------------------------------------
_LIBC = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def serve(fd: int, preload: tuple[str, ...] = PRELOAD) -> None:
    """The zygote: imports `preload`, checks that a worker can be isolated, then forks one per request."""
    control = socket.socket(fileno=fd)
    _LIBC.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)  # a worker cannot read the zygote's memory through /proc
    for name in preload:
        importlib.import_module(name)
    problem = _probe()
    control.send(b"ready" if problem is None else f"the zygote cannot isolate a worker here: {problem}".encode())
    if problem is not None:
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the keepers
    while True:
        try:
            request, fds, _, _ = socket.recv_fds(control, 1 << 20, 16)
        except OSError:
            return
        if not request:  # the fork server closed its end, or died
            return
        if os.fork() == 0:
            control.close()
            _keeper(json.loads(request), fds)
        for received in fds:
            os.close(received)


def _probe() -> str | None:
    """None when a forked child can enter new namespaces and drop its capabilities here, else why not."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            _isolate(memory_mb=16)
            _drop_privileges()
            os.write(write_fd, b"ok")
        except BaseException as error:  # noqa: BLE001 - reported to the fork server
            os.write(write_fd, str(error).encode()[:500])
        os._exit(0)
    os.close(write_fd)
    answer = b""
    while chunk := os.read(read_fd, 1024):
        answer += chunk
    os.close(read_fd)
    os.waitpid(pid, 0)
    return None if answer == b"ok" else (answer.decode(errors="replace") or "the probe died")


def _keeper(request: dict, fds: list[int]) -> None:
    """In the forked keeper: waits for the runner's go, builds the worker's namespaces, forks it; never returns."""
    reply_fd, source, output_fd, *passed = fds
    code = 71
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()  # no parent-death signal: a zygote that dies leaves the running workers to finish
        reply = socket.socket(fileno=reply_fd)
        reply.send(str(os.getpid()).encode())
        if reply.recv(16) != b"go":  # the runner gave up (or placed it in no group): run nothing
            os._exit(code)
        _isolate(memory_mb=int(request["memory_mb"]))
        with open(f"{WORKDIR}/{Path(request['name']).name}", "wb") as copy, os.fdopen(source, "rb") as original:
            copy.write(original.read())
        resources.set_rlimits(cpu_seconds=int(request["cpu_seconds"]), processes=int(request["processes"]))
        pid = os.fork()
        if pid == 0:
            _init(request, output_fd, passed, keep=(reply_fd,))
        for fd in (output_fd, *passed):
            os.close(fd)
        status = _wait_or_kill(pid, reply)
        if status is not None:
            reply.send(str(os.waitstatus_to_exitcode(status)).encode())
        code = 0
    except BaseException:  # noqa: BLE001 - written where the runner reads the worker's output
        try:
            os.write(output_fd, traceback.format_exc().encode()[-3000:])
        except OSError:
            pass
    os._exit(code)


def _wait_or_kill(pid: int, runner: socket.socket) -> int | None:
    """Waits for the child `pid`; kills it when the runner's end of `runner` closes (the runner died,
    so nobody would ever stop the worker). Returns its wait status, or None after such a kill."""
    child = os.pidfd_open(pid)
    try:
        while True:
            ready, _, _ = select.select([child, runner], [], [])
            if child in ready:
                return os.waitpid(pid, 0)[1]
            if not runner.recv(16, socket.MSG_PEEK):
                os.kill(pid, signal.SIGKILL)  # the namespace's init: the kernel ends everything in it
                os.waitpid(pid, 0)
                return None
            runner.recv(16)  # nothing else is expected from the runner
    finally:
        os.close(child)


def _isolate(*, memory_mb: int) -> None:
    """New user, mount, PID, IPC, network and UTS namespaces with private tmpfs folders (the caller's
    children enter the new PID namespace)."""
    uid, gid = os.getuid(), os.getgid()
    _check(_LIBC.unshare(sum(_CLONE.values())), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)
    _check(_LIBC.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "making the mounts private")
    size = f"size={memory_mb * 1024 * 1024},mode=1777".encode()
    for folder in PRIVATE_FOLDERS:
        _check(_LIBC.mount(b"tmpfs", folder.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, size), f"mounting {folder}")


def _drop_privileges() -> None:
    """No capabilities (not even in the worker's own namespaces), no new privileges, not dumpable."""
    for capability in range(64):
        _LIBC.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0)  # fails past the last one: ignored

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    _check(_LIBC.capset(ctypes.byref(Header(_CAPABILITY_VERSION_3, 0)), (Data * 2)()), "dropping capabilities")
    _check(_LIBC.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "setting no_new_privs")
    _check(_LIBC.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0), "making the worker not dumpable")


def _init(request: dict, output_fd: int, passed: list[int], *, keep: tuple[int, ...]) -> None:
    """PID 1 of the worker's namespace: forks the worker, reaps every orphan, exits with the worker's code.

    The worker is not PID 1 itself, so signals it sends itself behave as in any process; when this
    process ends, the kernel kills whatever is left in the namespace.
    """
    code = 70
    try:
        resources.die_with_parent()
        _drop_privileges()
        for fd in keep:
            os.close(fd)
        pid = os.fork()
        if pid == 0:
            _worker(request, output_fd, passed)
        for number in signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}:
            try:  # the kernel then drops every signal sent from inside the namespace to its PID 1
                signal.signal(number, signal.SIG_DFL)
            except (OSError, ValueError):
                pass
        null = os.open(os.devnull, os.O_RDWR)
        for fd in _open_fds():  # the worker's pipes end when the worker does: only it holds them
            if fd <= 2:
                os.dup2(null, fd)
            elif fd != null:
                _close(fd)
        while True:
            done, status = os.waitpid(-1, 0)
            if done == pid:
                code = os.waitstatus_to_exitcode(status)
                break
    except BaseException:  # noqa: BLE001, S110 - nobody reads this process's output
        pass
    os._exit(code if code >= 0 else 128 - code)


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _worker(request: dict, output_fd: int, passed: list[int]) -> None:
    """The worker: its own fds at the numbers the runner chose, then `worker.main`."""
    code = 70
    try:
        resources.die_with_parent()
        targets = [int(fd) for fd in request["fds"]]
        lowest = max([*targets, output_fd, *passed, 2]) + 1
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, lowest) for fd in (output_fd, *passed)]  # placing cannot overwrite them
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(high[0], 1)
        os.dup2(high[0], 2)
        for fd, target in zip(high[1:], targets):
            os.dup2(fd, target, inheritable=True)
        for fd in _open_fds():  # nothing of the zygote's or the keeper's stays open
            if fd > 2 and fd not in targets:
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.chdir(WORKDIR)
        from keras_vision.grading.sandbox import worker  # imported by the zygote already

        code = worker.main(request["argv"])
    except BaseException:  # noqa: BLE001 - the student's code runs inside main and reports itself
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - the student may have closed it
                pass
        os._exit(code if isinstance(code, int) else 1)


def _open_fds() -> list[int]:
    try:
        return [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(1024))


if __name__ == "__main__":
    serve(int(sys.argv[1]), tuple(name for name in sys.argv[2].split(",") if name))
