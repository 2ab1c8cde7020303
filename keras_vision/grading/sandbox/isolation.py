"""Where a worker runs: an operating-system sandbox (bubblewrap) or a plain subprocess.

Every student module runs in its own worker process (`keras_vision.grading.sandbox.worker`). A `Sandbox`
starts that process; `Worker` (in `keras_vision.grading.sandbox.remote`) only talks to it through pipes.
Two backends, registered in `SANDBOXES`, and room for more (nsjail, a container):

- `bwrap`: bubblewrap (`apt-get install bubblewrap`). New user, PID, IPC, network, UTS and cgroup
  namespaces; a fresh `/proc` that shows only the sandbox's own processes (never the grader's
  file descriptors or environment); `--die-with-parent`. The file system is read-only and holds
  only the system libraries (`/usr`), the Python installation with its site-packages, and the
  `keras_vision` package at `/kv/lib/keras_vision` (the library, not the checkout: no
  `solutions/`, no tests, no other submission, no output folder). The submission is *copied* into
  `/kv/work`, a private tmpfs that is the working folder; `/tmp` and `/dev/shm` are private tmpfs
  too. The private folders are mounted FIRST and the read-only folders on top of them, so a Python
  installation, a venv or an editable checkout under `/tmp`, `/work` or `/home` (or behind a
  symbolic link, or on a path with spaces) stays visible; the working folder's path is the
  sandbox's own and cannot hide anything. The environment is empty apart from what Python needs.
  Memory (all processes and the tmpfs pages) and the number of processes are limited by a cgroup
  where one can be created, else by summing the sandbox's processes from /proc
  (`keras_vision.grading.sandbox.resources`).
- `none`: a plain subprocess in a temporary folder with a stripped environment. It can read what
  the grader's user can read; use it for a student checking their own work, or where no sandbox
  is available and the instructor says so (`--sandbox none`; the results then say so).

`select_sandbox("auto")` picks bwrap when it is installed and works, else `none`.
"""

from __future__ import annotations

import itertools
import os
import shutil
import site
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from keras_vision.errors import KerasVisionError
from keras_vision.grading.sandbox import resources

#: Where the library package is mounted inside the sandbox (PYTHONPATH points here).
LIBRARY_MOUNT = "/kv/lib"
#: The sandbox's working folder (a private tmpfs holding the copied submission).
WORKDIR = "/kv/work"
#: System folders a Python process needs (shared libraries), mounted read-only when present.
SYSTEM_FOLDERS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime")
WORKER_MODULE = "keras_vision.grading.sandbox.worker"
SANDBOX_NAMES = ("auto", "bwrap", "none")


class SandboxUnavailable(KerasVisionError, RuntimeError):
    """The requested sandbox cannot run here; the message says what to install."""

    exit_code = 2


@dataclass(frozen=True)
class SandboxLimits:
    """What all the processes of one worker may use together.

    Args:
        memory_mb: Memory of every process and the tmpfs folders together, MiB. Defaults to `3072`.
        processes: Processes and threads. Defaults to `512` (TensorFlow starts dozens of threads).
        cpu_seconds: CPU seconds per process over the worker's life. Defaults to `3600`.
    """

    memory_mb: int = 3072
    processes: int = 512
    cpu_seconds: int = 3600


class Confined:
    """A started worker process with whatever keeps it contained; `kill()` removes everything.

    Args:
        process: The outermost process (`bwrap`, or the worker itself).
        group: Its cgroup, or None (then the process tree is measured from /proc).
        mounts: tmpfs folders inside the sandbox that count as memory without a cgroup.
        cleanup: Host folders to remove after the kill.
        private_memory: Without a cgroup, count only private pages (processes forked from a zygote).
            Defaults to `False`.
    """

    def __init__(
        self,
        process: subprocess.Popen,
        *,
        group: resources.ControlGroup | None = None,
        mounts: tuple[str, ...] = (),
        cleanup: tuple[Path, ...] = (),
        private_memory: bool = False,
    ):
        self.process, self.group, self._cleanup = process, group, cleanup
        self._tree = resources.ProcessTree(process.pid, mounts, private=private_memory)

    def memory_mb(self) -> float:
        """Memory used now by all the sandbox's processes (and its tmpfs files), MiB."""
        return self.group.memory_mb() if self.group is not None else self._tree.memory_mb()

    def out_of_memory(self) -> bool:
        """True once the kernel killed one of its processes at the memory limit (cgroups only)."""
        return self.group is not None and self.group.out_of_memory()

    def kill(self) -> None:
        """Kills every process of the sandbox and removes its folders; waits for the main process."""
        self._tree.kill()
        try:
            os.killpg(self.process.pid, 9)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        if self.group is not None:
            self.group.kill_and_remove()
        for folder in self._cleanup:
            shutil.rmtree(folder, ignore_errors=True)


class Sandbox(Protocol):
    """Starts a worker: `python -m keras_vision.grading.sandbox.worker ARGUMENTS`, contained.

    `isolated` is True when the OS keeps the worker away from the grader, the checkout and the
    other submissions; only such a sandbox may grade other people's files.
    """

    name: str
    isolated: bool

    def spawn(
        self, arguments: list[str], *, submission: Path, pass_fds: tuple[int, ...], limits: SandboxLimits
    ) -> Confined:
        """Starts the worker; `{submission}` in `arguments` becomes the path of the file it sees.

        The process's stdout and stderr (together) are a pipe: `Confined.process.stdout`.
        """
        ...


_SERIAL = itertools.count()


@dataclass
class NoSandbox:
    """A plain subprocess in a fresh temporary folder, with a stripped environment."""

    name: str = "none"
    isolated: bool = False
    kept_environment: tuple[str, ...] = field(
        default=("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "KERAS_BACKEND", "CUDA_VISIBLE_DEVICES")
    )

    def spawn(self, arguments, *, submission, pass_fds, limits):
        workdir = Path(tempfile.mkdtemp(prefix="kv_worker_"))
        env = {
            **worker_environment(home=str(workdir), tmp=str(workdir), library=str(library_root())),
            **{key: os.environ[key] for key in self.kept_environment if key in os.environ},
        }
        command = [sys.executable, "-m", WORKER_MODULE, *_fill(arguments, str(Path(submission).resolve()))]

        def prepare():  # in the child, before exec
            resources.die_with_parent()
            resources.set_rlimits(cpu_seconds=limits.cpu_seconds)

        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=pass_fds,
            cwd=workdir,
            env=env,
            start_new_session=True,
            preexec_fn=prepare,
        )
        return Confined(process, cleanup=(workdir,))


@dataclass
class BwrapSandbox:
    """A bubblewrap sandbox per worker (see the module docstring for what it sees)."""

    name: str = "bwrap"
    isolated: bool = True
    executable: str = "bwrap"

    def spawn(self, arguments, *, submission, pass_fds, limits):
        submission = Path(submission)
        inside = f"{WORKDIR}/{submission.name}"
        source = os.open(submission, os.O_RDONLY | os.O_NOFOLLOW)  # a link to the solutions is refused
        group = resources.ControlGroup.create(
            resources.group_name(next(_SERIAL)), memory_mb=limits.memory_mb, processes=limits.processes
        )
        env = worker_environment(home=WORKDIR, tmp="/tmp", library=LIBRARY_MOUNT)
        command = [
            *self.command_prefix(limits, env),
            "--file",
            str(source),
            inside,
            "--",
            sys.executable,
            "-s",
            "-m",
            WORKER_MODULE,
            *_fill(arguments, inside),
        ]

        def prepare():  # in the child, before exec: nothing outlives the runner; limits inherited
            resources.die_with_parent()
            if group is not None:
                group.enter()
            resources.set_rlimits(cpu_seconds=limits.cpu_seconds, processes=limits.processes)

        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(*pass_fds, source),
                env=env,
                cwd="/",
                start_new_session=True,
                preexec_fn=prepare,
            )
        except BaseException:
            if group is not None:
                group.kill_and_remove()
            raise
        finally:
            os.close(source)
        return Confined(process, group=group, mounts=(WORKDIR, "/tmp", "/dev/shm"))

    def command_prefix(self, limits: SandboxLimits, env: dict[str, str]) -> list[str]:
        """`bwrap` and its options, up to the submission's file and the command."""
        return [
            shutil.which(self.executable) or self.executable,
            *self.arguments(limits, env),
        ]  # as bwrap_problem found it

    def arguments(self, limits: SandboxLimits, env: dict[str, str]) -> list[str]:
        """bwrap's options: namespaces, the read-only mounts, the private tmpfs, the environment."""
        size = str(limits.memory_mb * 1024 * 1024)
        options = [
            "--unshare-user",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-net",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--uid",
            "1000",
            "--gid",
            "1000",
            "--hostname",
            "kv-worker",
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
        ]
        options += [  # the private folders first: what is bound below stays visible on top of them
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--size",
            size,
            "--tmpfs",
            "/dev/shm",
            "--size",
            size,
            "--tmpfs",
            "/tmp",
            "--size",
            size,
            "--tmpfs",
            WORKDIR,
        ]
        for folder in SYSTEM_FOLDERS:
            path = Path(folder)
            if path.is_symlink():
                options += ["--symlink", os.readlink(path), folder]
            elif path.is_dir():
                options += ["--ro-bind", folder, folder]
        for file in SYSTEM_FILES:
            options += ["--ro-bind-try", file, file]
        for folder in python_folders():
            options += ["--ro-bind", folder, folder]
        for link, destination in python_links():
            options += ["--symlink", destination, link]
        options += [
            "--ro-bind",
            str(library_root() / "keras_vision"),
            f"{LIBRARY_MOUNT}/keras_vision",
            "--chdir",
            WORKDIR,
            "--clearenv",
        ]
        for key, value in env.items():
            options += ["--setenv", key, value]
        return options


SANDBOXES = {"bwrap": BwrapSandbox, "none": NoSandbox}
#: A sandbox that stands for `bwrap` in this process: a runner's handle on the grading run's zygote
#: (`keras_vision.grading.sandbox.zygote`), set by the fork server before it forks the runner.
SHARED: dict[str, Sandbox] = {}


def select_sandbox(name: str) -> Sandbox:
    """The sandbox called `name` (`auto`, `bwrap` or `none`).

    `auto` is bwrap when it works here, else `none`.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
        SandboxUnavailable: `bwrap` was asked for and cannot run; says what to install.
    """
    if name not in SANDBOX_NAMES:
        raise ValueError(f"Unknown sandbox {name!r}. Valid sandboxes: {', '.join(SANDBOX_NAMES)}.")
    if name == "none":
        return NoSandbox()
    problem = bwrap_problem()
    if problem is None:
        return SHARED.get("bwrap") or BwrapSandbox()
    if name == "auto":
        return NoSandbox()
    raise SandboxUnavailable(problem)


def bwrap_problem(executable: str = "bwrap") -> str | None:
    """None when bubblewrap can start a sandbox here, else what is wrong and how to fix it (probed once)."""
    return _bwrap_problem(executable)


@cache
def _bwrap_problem(executable: str) -> str | None:
    path = shutil.which(executable)
    if path is None:
        return (
            "bubblewrap (bwrap) is not installed, and grading other people's code needs a sandbox. "
            "Install it (Debian/Ubuntu: `sudo apt-get install bubblewrap`), or pass `--sandbox none` "
            "to grade without one (only for code you trust; the results will say so)."
        )
    probe = subprocess.run(
        [path, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        return (
            f"bubblewrap is installed but cannot create a sandbox here: {probe.stderr.strip()[:300]} "
            "Allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1), or pass "
            "`--sandbox none` to grade without one (only for code you trust; the results will say so)."
        )
    return None


def library_root() -> Path:
    """The folder that holds the `keras_vision` package being run."""
    return Path(__file__).resolve().parents[3]  # keras_vision/grading/sandbox/isolation.py


def python_folders() -> list[str]:
    """The Python installation and its site-packages, outside the system folders, without overlaps."""
    candidates = {sys.base_prefix, sys.prefix, *site.getsitepackages(), *pth_folders()}
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site and os.path.isdir(user_site):
        candidates.add(user_site)
    folders = sorted(str(Path(c).resolve()) for c in candidates if os.path.isdir(c))
    kept = []
    for folder in folders:
        covered = any(folder == k or folder.startswith(k + os.sep) for k in [*kept, *SYSTEM_FOLDERS])
        if not covered:
            kept.append(folder)
    return kept


def pth_folders() -> list[str]:
    """Folders that `.pth` files of the site-packages add to `sys.path` (packages installed elsewhere),
    except a checkout holding `keras_vision` itself: the sandbox sees the library only at `LIBRARY_MOUNT`."""
    folders = []
    for packages in site.getsitepackages():
        for pth in sorted(Path(packages).glob("*.pth")):
            try:
                lines = pth.read_text(errors="ignore").splitlines()
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if not line or line.startswith(("#", "import ", "import\t")):
                    continue
                folder = Path(packages, line).resolve()
                if folder.is_dir() and not (folder / "keras_vision").exists() and folder != Path("/"):
                    folders.append(str(folder))
    return folders


def python_links() -> list[tuple[str, str]]:
    """`(path, resolved)` for each Python folder reached through a symbolic link (a symlinked venv), so
    that `sys.executable` and `sys.prefix` exist in the sandbox under the names the grader uses."""
    links = []
    for path in dict.fromkeys([sys.prefix, sys.base_prefix, os.path.dirname(sys.executable)]):
        resolved = str(Path(path).resolve())
        if os.path.isdir(path) and os.path.abspath(path) != resolved and not _covered(os.path.abspath(path)):
            links.append((os.path.abspath(path), resolved))
    return links


def _covered(path: str) -> bool:
    """True when `path` lies inside a folder that the sandbox binds anyway."""
    return any(path == k or path.startswith(k + os.sep) for k in [*python_folders(), *SYSTEM_FOLDERS])


def worker_environment(*, home: str, tmp: str, library: str) -> dict[str, str]:
    """The whole environment of a worker: no output paths, no secrets; the library importable."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": home,
        "TMPDIR": tmp,
        "PYTHONPATH": library,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "KERAS_HOME": os.path.join(home, ".keras"),
        "MPLCONFIGDIR": os.path.join(tmp, "matplotlib"),
        **({"KERAS_BACKEND": os.environ["KERAS_BACKEND"]} if "KERAS_BACKEND" in os.environ else {}),
    }


def _fill(arguments: list[str], submission: str) -> list[str]:
    return [argument.replace("{submission}", submission) for argument in arguments]
