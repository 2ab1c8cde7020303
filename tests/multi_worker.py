"""Two real worker processes through `python -m keras_vision.run launch --workers 2`, for the slow tests."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def launch(args: list[str], cwd: Path, **popen) -> subprocess.Popen:
    """Starts `launch --workers 2 ARGS` in `cwd` (output merged into `stdout`); scratch files go to `cwd/tmp`."""
    (cwd / "tmp").mkdir(exist_ok=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(REPO), "TMPDIR": str(cwd / "tmp")}
    return subprocess.Popen(
        [sys.executable, "-m", "keras_vision.run", "launch", "--workers", "2", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


def worker_steps(log: str, worker: int) -> list[int]:
    """The steps of each epoch worker `worker` ran, from Keras' one line per epoch (`[worker 0] 28/28 - ...`)."""
    return [int(n) for n in re.findall(rf"\[worker {worker}\] (\d+)/\d+ - ", log)]


def kill_worker(launcher_pid: int, *, index: int) -> None:
    """SIGKILLs the launcher's child whose TF_CONFIG has task index `index` (found through /proc)."""
    children = subprocess.run(["pgrep", "-P", str(launcher_pid)], capture_output=True, text=True).stdout
    for pid in map(int, children.split()):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if f'"index": {index}'.encode() in environ:
            os.kill(pid, signal.SIGKILL)
            return
    raise AssertionError(f"worker {index} not found")
