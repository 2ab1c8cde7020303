"""Executing notebooks with nbclient in a fresh kernel of this interpreter (the slow tests and the benchmark).

The kernel is this Python (`sys.executable`), declared in a kernelspec written to a temporary
Jupyter data folder, so a fresh venv anywhere needs no `ipykernel install --user`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

KERNEL_NAME = "keras-vision-tests"


@cache
def kernel_folder() -> Path:
    """A Jupyter data folder with one kernelspec, `KERNEL_NAME`, that runs this interpreter."""
    folder = Path(tempfile.mkdtemp(prefix="kv_kernels_"))
    spec = folder / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": KERNEL_NAME, "language": "python"}))
    return folder


def execute(path: Path, *, cell_timeout: float = 600.0, allow_errors: bool = False, cwd: Path | None = None):
    """Runs every cell of the notebook at `path` in a fresh kernel.

    Returns:
        `(notebook with outputs, seconds)`.

    Raises:
        nbclient.exceptions.CellExecutionError: a cell failed (unless `allow_errors`).
    """
    import nbclient
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    if str(kernel_folder()) not in os.environ.get("JUPYTER_PATH", ""):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(
            filter(None, [str(kernel_folder()), os.environ.get("JUPYTER_PATH")])
        )
    client = nbclient.NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name=KERNEL_NAME,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    start = time.monotonic()
    client.execute()
    return notebook, time.monotonic() - start


def has_figure(cell) -> bool:
    return any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def errors_of(cell) -> list[dict]:
    return [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]


def stream_text(cell) -> str:
    return "".join(
        output.get("text", "") for output in cell.get("outputs", []) if output.get("output_type") == "stream"
    )
