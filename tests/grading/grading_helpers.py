"""Helpers of the grading meta-tests: where things are, how to build the fixture submissions, and how
to run the grader as a user would.

The fixture submissions live in `submissions/` in two forms:

- `submissions/<name>.py`, a *patch* on `solutions/ex01_convolutions.py`: the solution stays the one
  source of truth and the patch holds only what differs. `build_submissions` writes the solution
  (its SOLUTION marker comments removed, as a student's file has none) with the patch appended, so
  the patch runs after the solution's definitions: a `def` replaces the solution's function, which
  the patch can still reach by its name before redefining it (`flipped_kernel`, `print_50mb`), and
  module-level code runs at import. That covers the import-time tricks too: the solution's own
  import-time code is only `import numpy` and `def`s, so `sys.exit(3)` or `raise` after them fails
  the import exactly as it would before them, and no function is ever callable.
- `submissions/<name>/ex01_convolutions.py`, a *whole* submission copied as it is. Kept for the
  adversarial ones that replace every function, so the solution would add nothing but its text. That
  text would change them: the worker imports Keras before a file's code runs when the file mentions
  the word (`keras_vision.grading.sandbox.worker.preload_libraries`), and the solution does, which would
  change, for one, which arrays `edit_references` zeroes through `gc` and how long that takes.

Each fixture's first docstring line says what is wrong and ends with its score, `scores N/20`
(checked against the expected outcomes in `test_grader_outcomes.py`).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from keras_vision.grading.authoring.assign import ANY_MARKER

REPO = Path(__file__).resolve().parents[2]
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
#: The module every fixture submits, and the solution the patches apply to.
MODULE = "ex01_convolutions"
SOLUTION = REPO / "solutions" / f"{MODULE}.py"
#: Seconds of student code per test in the meta-tests: short, so the endless loop costs little,
#: yet far above what the right answers need on a busy 2-core machine.
META_TIMEOUT = 8
#: Memory of one worker (all its processes and files) in the meta-tests: a Keras worker needs about 600 MB.
META_MEMORY_MB = 1536
#: A grader environment variable that must never reach a worker or a result.
SECRET = "kv-secret-4e1f9a0c7b"
#: What a copy of the checkout needs to grade: the library, the graded tests, solutions and exercises.
CHECKOUT_PARTS = ("keras_vision", "tests/graded", "solutions", "exercises", "setup.cfg")


def copy_checkout(folder: Path) -> Path:
    """Copies what grading needs of the repository into `folder` (so an attack can only hit a copy)."""
    for part in CHECKOUT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            (folder / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / part)
    return folder


def leftover_processes(marker: str) -> list[int]:
    """Pids of live processes whose name (/proc/PID/comm) or command line contains `marker`."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            text = (entry / "comm").read_text() + (entry / "cmdline").read_bytes().decode(errors="ignore")
            state = next(
                (line for line in (entry / "status").read_text().splitlines() if line.startswith("State:")), ""
            )
        except OSError:
            continue
        if marker in text and state.split()[1:2] != ["Z"]:  # zombies are already dead
            found.append(int(entry.name))
    return found


def fixture_sources() -> dict[str, Path]:
    """`{submission name: its patch file, or its whole exercise file}`, sorted by name."""
    sources = {}
    for path in sorted(SUBMISSIONS.iterdir()):
        if path.is_dir() and (path / f"{MODULE}.py").is_file():
            sources[path.name] = path / f"{MODULE}.py"
        elif path.suffix == ".py":
            sources[path.stem] = path
    return sources


def without_markers(source: str) -> str:
    """`source` with its SOLUTION marker comments removed: marker lines dropped, one-line markers cut off."""
    lines = []
    for line in source.splitlines(keepends=True):
        if ANY_MARKER.search(line):
            line = ANY_MARKER.sub("", line).rstrip()
            if not line.strip():
                continue
            line += "\n"
        lines.append(line)
    return "".join(lines)


def patched_solution(patch: Path) -> str:
    """The text of the solution with `patch` appended (see the module docstring)."""
    separator = f"\n\n# ---- patch {patch.relative_to(REPO).as_posix()}: runs after the solution's definitions ----\n\n"
    return without_markers(SOLUTION.read_text()).rstrip("\n") + separator + patch.read_text()


def build_submissions(folder: Path) -> Path:
    """Writes every fixture as a real submission folder, `folder/<name>/ex01_convolutions.py`.

    Returns:
        `folder`, a batch of submission folders ready for `--target`.
    """
    for name, source in fixture_sources().items():
        if source.parent == SUBMISSIONS:
            (folder / name).mkdir(parents=True)
            (folder / name / f"{MODULE}.py").write_text(patched_solution(source))
        else:
            shutil.copytree(source.parent, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def run_grader(
    *args: str, cwd: Path = REPO, env: dict | None = None, timeout: float = 900
) -> subprocess.CompletedProcess:
    """Runs `python -m keras_vision.grade ARGS` in a subprocess, as a user would."""
    environment = {**os.environ, "PYTHONPATH": str(cwd), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "keras_vision.grade", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
