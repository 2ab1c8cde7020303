"""Operating-system limits of a sandboxed worker: memory and process count for ALL its processes.

A per-process limit cannot stop a submission that forks: ten children of 1 GB each, or files in a
`tmpfs`, are invisible to the worker's own resident size. Two mechanisms, the better one first:

- `ControlGroup`: a cgroup (v2, or the v1 `memory` and `pids` hierarchies) created for one worker.
  The kernel charges every process started inside it, and the pages of its tmpfs files, to the
  group and refuses (OOM-kills) beyond `memory_mb`; `pids.max` caps processes and threads.
- `ProcessTree`: when no cgroup can be created (a container without a writable cgroup tree), the
  trusted side sums the resident memory of every process of the worker's tree, plus what its tmpfs
  mounts hold, and kills the whole sandbox when the sum passes the limit.

Both also get per-process resource limits (`rlimits`): CPU seconds, no core files, and a process
count (`RLIMIT_NPROC`, which the kernel applies to non-root users only).

`die_with_parent()` asks the kernel to SIGKILL a child when the process that started it dies
(`prctl(PR_SET_PDEATHSIG)`): chained grader -> runner -> sandbox, nothing survives a killed grader.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
#: Parent folder of the grader's cgroups, in each hierarchy.
GROUP_PARENT = "keras_vision_grader"
PR_SET_PDEATHSIG = 1

try:
    _LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - not Linux
    _LIBC = None


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Makes the kernel send `sig` to this process when its parent dies (Linux; no-op elsewhere)."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def set_rlimits(
    *, cpu_seconds: int | None = None, processes: int | None = None, address_space_mb: int | None = None
) -> None:
    """Per-process limits for the calling process and its children (call it before `exec`).

    The data-segment limit a trusted runner set for itself (`limit_own_memory`) is lifted: a worker's
    memory is bounded by its sandbox (`--memory-mb`), not by the runner's own limit.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (hard, hard))
    if cpu_seconds is not None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    if processes is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    if address_space_mb is not None:
        limit = address_space_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def limit_own_memory(megabytes: int) -> None:
    """Caps the calling process's heap and anonymous mappings (`RLIMIT_DATA`, soft limit only).

    The trusted runner calls this: whatever a reply makes it decode or build, an allocation beyond
    the limit fails with `MemoryError` in the runner instead of taking the host's memory from every
    other submission being graded. Only the soft limit is set, so its workers can lift it.
    """
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


class ControlGroup:
    """One cgroup (v2, or v1 memory + pids) holding every process of one worker.

    Use `ControlGroup.create(...)`, which returns None where cgroups are not writable.
    """

    def __init__(self, folders: dict[str, Path], version: int, memory_bytes: int):
        self.folders, self.version, self.memory_bytes = folders, version, memory_bytes

    @classmethod
    def create(cls, name: str, *, memory_mb: int, processes: int) -> ControlGroup | None:
        """A new group `name` limited to `memory_mb` MiB (swap included) and `processes` tasks."""
        memory_bytes = int(memory_mb) * 1024 * 1024
        try:
            controllers = CGROUP_ROOT / "cgroup.controllers"
            if controllers.is_file() and "memory" in _read(controllers).split():
                parent = CGROUP_ROOT / GROUP_PARENT
                parent.mkdir(exist_ok=True)
                _write(parent / "cgroup.subtree_control", "+memory +pids")
                folder = _fresh(parent, name)
                _write(folder / "memory.max", str(memory_bytes))
                _write(folder / "memory.swap.max", "0", missing_ok=True)
                _write(folder / "pids.max", str(processes))
                return cls({"memory": folder, "pids": folder}, 2, memory_bytes)
            folders = {}
            for controller in ("memory", "pids"):
                parent = CGROUP_ROOT / controller / GROUP_PARENT
                parent.mkdir(exist_ok=True)
                folders[controller] = _fresh(parent, name)
            _write(folders["memory"] / "memory.limit_in_bytes", str(memory_bytes))
            _write(folders["memory"] / "memory.memsw.limit_in_bytes", str(memory_bytes), missing_ok=True)
            _write(folders["pids"] / "pids.max", str(processes))
            return cls(folders, 1, memory_bytes)
        except OSError:
            return None

    def enter(self) -> None:
        """Moves the calling process into the group (run in the child between fork and exec)."""
        self.add(os.getpid())

    def add(self, pid: int) -> None:
        """Moves process `pid` into the group (its later children are born there)."""
        for folder in set(self.folders.values()):
            with open(folder / "cgroup.procs", "w") as handle:
                handle.write(str(pid))

    def memory_mb(self) -> float:
        """Memory charged to the group now (processes and tmpfs pages), MiB."""
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        try:
            return int(_read(self.folders["memory"] / name)) / 2**20
        except (OSError, ValueError):
            return 0.0

    def out_of_memory(self) -> bool:
        """True once the kernel killed a process of the group for reaching the limit."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            fields = dict(
                line.split()[:2] for line in _read(self.folders["memory"] / name).splitlines() if line.strip()
            )
        except (OSError, ValueError):
            return False
        return int(fields.get("oom_kill", 0)) > 0

    def pids(self) -> list[int]:
        try:
            return [int(p) for p in _read(self.folders["pids"] / "cgroup.procs").split()]
        except OSError:
            return []

    def kill_and_remove(self) -> None:
        """SIGKILLs every process still in the group, then removes its folders."""
        for _ in range(100):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)
        for folder in set(self.folders.values()):
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # busy until the last process is reaped
                    time.sleep(0.02)


def _fresh(parent: Path, name: str) -> Path:
    """`parent/name`, created; first removes empty groups left by graders that were killed."""
    for stale in parent.glob("grader*_*"):
        owner = stale.name.removeprefix("grader").split("_")[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            try:
                stale.rmdir()
            except OSError:
                pass
    folder = parent / name
    folder.mkdir()
    return folder


def group_name(serial: int) -> str:
    """`grader<pid>_<serial>`: the owner's pid lets a later grader remove what a killed one left."""
    return f"grader{os.getpid()}_{serial}"


class ProcessTree:
    """Measures a process and all its descendants from /proc (the fallback without cgroups).

    Args:
        root: The pid of the sandbox's outermost process.
        mounts: Paths inside the sandbox of tmpfs mounts whose contents count as memory.
        private: Count only each process's private pages (`/proc/PID/smaps_rollup`), not the pages
            it shares: for processes forked from a zygote, whose preloaded libraries are shared.
            Defaults to `False` (resident size).
    """

    def __init__(self, root: int, mounts: tuple[str, ...] = (), *, private: bool = False):
        self.root, self.mounts, self.private = root, mounts, private

    def pids(self) -> list[int]:
        found, frontier = [], [self.root]
        while frontier:
            pid = frontier.pop()
            found.append(pid)
            frontier.extend(children_of(pid))
        return found

    def memory_mb(self) -> float:
        pids = self.pids()
        total = sum((private_mb if self.private else resident_mb)(pid) for pid in pids)
        inner = next((pid for pid in pids if _pid_namespace(pid) not in ("", _pid_namespace(os.getpid()))), None)
        for mount in self.mounts if inner is not None else ():  # tmpfs mounts seen from inside the sandbox
            try:
                stats = os.statvfs(f"/proc/{inner}/root{mount}")
            except OSError:
                continue
            total += (stats.f_blocks - stats.f_bfree) * stats.f_frsize / 2**20
        return total

    def kill(self) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _pid_namespace(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return ""


def children_of(pid: int) -> list[int]:
    """Direct children of `pid` (every thread's), from /proc/PID/task/*/children."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return children


def resident_mb(pid: int) -> float:
    """Resident memory of process `pid` in MiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def private_mb(pid: int) -> float:
    """Private memory of process `pid` in MiB (its resident size when /proc does not say)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            fields = {line.split(":")[0]: line.split()[1] for line in rollup if line.startswith(("Private_", "Swap:"))}
        return sum(int(kilobytes) for kilobytes in fields.values()) / 1024
    except (OSError, ValueError, IndexError):
        return resident_mb(pid)


def _read(path: Path) -> str:
    with open(path) as handle:
        return handle.read()


def _write(path: Path, text: str, *, missing_ok: bool = False) -> None:
    """Writes a control file; `missing_ok` for optional ones (swap accounting may be off)."""
    try:
        with open(path, "w") as handle:
            handle.write(text)
    except OSError:
        if not missing_ok:
            raise
