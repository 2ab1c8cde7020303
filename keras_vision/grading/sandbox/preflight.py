"""The preflight: before anyone is graded, one sandboxed worker runs a known-good module.

A sandbox that cannot see the Python installation, a library folder that cannot be mounted, or a
bubblewrap that the kernel refuses would otherwise make every student's functions fail, as if
the whole class had written code that crashes. `preflight` proves that a worker starts, imports a
module and answers; when it does not, grading stops (exit code 2) with what the sandbox printed and
the likely cause, and no score is written.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from keras_vision.errors import KerasVisionError
from keras_vision.grading.sandbox.isolation import select_sandbox
from keras_vision.grading.sandbox.remote import Limits, SubmissionError, Worker, WorkerStartFailure

#: The known-good module: plain Python and NumPy, like an exercise, with no student code.
PROBE_MODULE = "ex00_preflight"
PROBE_SOURCE = '''"""The grader's preflight module."""

import numpy as np


def probe(values):
    return np.asarray(values, dtype=np.float32).sum()
'''
#: Phrases of a failed start, and what they usually mean.
LIKELY_CAUSES = (
    ("bwrap:", "bubblewrap could not build the sandbox (a folder it binds is missing or unreadable)"),
    (
        "No module named",
        "a folder of the Python installation or the keras_vision library is not visible inside the sandbox",
    ),
    ("can't open file", "the Python interpreter's folder is not visible inside the sandbox"),
    ("No such file or directory", "a path the worker needs is not visible inside the sandbox"),
    ("Permission denied", "the sandbox cannot read a folder of the Python installation or the library"),
)


class SandboxBroken(KerasVisionError, RuntimeError):
    """The sandbox cannot run a known-good module: the grader, not the class, is broken."""

    exit_code = 2


def preflight(sandbox: str, *, memory_mb: int = 3072, timeout: float = 120.0) -> float:
    """Starts one worker in `sandbox` on a known-good module and calls it.

    Args:
        sandbox: `"bwrap"` or `"none"` (see `keras_vision.grading.sandbox.isolation`).
        memory_mb: The worker's memory limit, as for the students. Defaults to `3072`.
        timeout: Seconds for the start and the call. Defaults to `120`.

    Returns:
        Seconds the preflight took.

    Raises:
        SandboxBroken: the worker did not start or did not answer; the message quotes its output
            and names the likely cause.
    """
    with tempfile.TemporaryDirectory(prefix="kv_preflight_") as folder:
        path = Path(folder) / f"{PROBE_MODULE}.py"
        path.write_text(PROBE_SOURCE)
        limits = Limits(timeout=timeout, memory_mb=memory_mb, import_timeout=timeout)
        worker = Worker(PROBE_MODULE, path, limits=limits, sandbox=select_sandbox(sandbox))
        try:
            answer = worker.call("probe", ([1.0, 2.0, 3.0],))
            seconds = worker.last_call_seconds
        except (WorkerStartFailure, SubmissionError, OSError) as error:
            output = getattr(error, "output", "") or worker.startup_output
            raise SandboxBroken(_explain(sandbox, str(error), output)) from None
        finally:
            worker.close()
    if answer != 6.0:
        raise SandboxBroken(f"The {sandbox} sandbox's preflight worker answered {answer!r} instead of 6.0.")
    return seconds


def _explain(sandbox: str, error: str, output: str) -> str:
    cause = next((why for phrase, why in LIKELY_CAUSES if phrase in output or phrase in error), None)
    lines = [
        f"The grader's preflight failed: a worker in the {sandbox} sandbox could not run a known-good module, "
        "so grading stopped before anyone was scored (no results were written).",
        f"Likely cause: {cause or 'unknown; see the output below'}.",
        f"Error: {error}",
    ]
    if output.strip():
        lines.append("The sandbox printed:\n" + output.strip()[-3000:])
    lines.append(
        "Check that bubblewrap works (`bwrap --ro-bind / / true`) and that the Python installation and "
        "keras_vision are readable; or grade with --sandbox none only for code you trust."
    )
    return "\n".join(lines)
