"""The student handout: the course without its solutions and hidden tests.

`python -m keras_vision.grade handout --out DIR` writes

    DIR/keras_vision/          the library (grader included, so students can grade themselves)
    DIR/exercises/             generated from solutions/ (stubs raise NotImplementedError), as modules
                               and as notebooks (exNN_<topic>.ipynb; no solution notebooks)
    DIR/tests/graded/          the visible graded tests, plus manifest.json: per module, how many
                               hidden and after-due-date tests (and points) exist
    DIR/setup.cfg, pyproject.toml, README.md

and then proves it: no solutions folder, no hidden tests, no solution marker in any file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from keras_vision.errors import KerasVisionError
from keras_vision.grading import targets
from keras_vision.grading.authoring.assign import ANY_MARKER, EXERCISE_GLOB, strip_solutions
from keras_vision.grading.authoring.notebooks import expected_notebooks
from keras_vision.grading.running.grader import MANIFEST_NAME, GradingOptions, collect_graded_tests

SETUP_FILES = ("setup.cfg", "pyproject.toml")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".pytest_cache")

STUDENT_README = """\
# keras_vision: your course copy

## Install

    python -m pip install -e .

(Python 3.10 or newer; TensorFlow and Keras are installed with the package.)

## Work on an exercise

Open `exercises/ex01_convolutions.py`, read the module docstring, and replace each
`# YOUR CODE HERE` / `raise NotImplementedError(...)` (and each `...`) with your code. Keep the
file names, function names and signatures.

Or open `exercises/ex01_convolutions.ipynb` in Jupyter (`pip install -e ".[notebooks]" jupyterlab`,
then `jupyter lab`) or in Colab (upload this folder zipped and unzip it into `keras_vision_course/`;
the notebook's first cell installs it). Run each function's cell, then the `check("...")` cell after
it. Hand in the notebook or the `.py`: both are graded the same way.

## Check yourself

    python -m pytest tests/graded                  # every visible graded test, with points
    python -m pytest tests/graded/test_ex01_convolutions.py::test_vertical_edge_kernel
    python -m keras_vision.grade                   # a table: points per test and module

Both grade the `exercises/` folder by default; pass `--target PATH` to grade another folder or
one file. Your code runs in a separate process with a time limit per test (20 s by default),
so an endless loop costs that test only.

Your instructor also runs hidden tests (other sizes, other arguments) and some tests after the
due date; `tests/graded/manifest.json` says how many and for how many points, and the table of
`python -m keras_vision.grade` reminds you of them.
"""


class HandoutError(KerasVisionError, ValueError):
    """The handout cannot be written (or would leak a solution); the message says why."""

    exit_code = 2


def write_handout(out: Path, *, root: Path | None = None, force: bool = False) -> Path:
    """Writes the student copy of the repository at `root` into `out`.

    Args:
        out: Destination folder; must be empty or absent unless `force`.
        root: The instructor repository. Defaults to the one holding this package.
        force: Replace `out` if it exists. Defaults to `False`.

    Returns:
        `out`.

    Raises:
        HandoutError: when `out` is not empty, solutions are missing, or a check finds a leak.
    """
    root = root or targets.repo_root()
    if not (root / "solutions").is_dir():
        raise HandoutError(f"No solutions/ folder in {root}: the handout is made from the instructor's repository.")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise HandoutError(f"{out} is not empty. Choose a new folder or pass --force to replace it.")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(root / "keras_vision", out / "keras_vision", ignore=IGNORED)
    (out / "exercises").mkdir()
    tests = targets.graded_tests_dir(root)
    for solution in sorted((root / "solutions").glob(EXERCISE_GLOB)):
        text = strip_solutions(solution.read_text(), filename=str(solution), module=solution.stem)
        (out / "exercises" / solution.name).write_text(text)
        notebook = out / "exercises" / f"{solution.stem}.ipynb"
        notebooks = expected_notebooks(solution, text, tests_dir=tests, exercises_dir=out / "exercises")
        notebook.write_text(notebooks[notebook])
    shutil.copytree(
        tests, out / "tests" / "graded", ignore=shutil.ignore_patterns("hidden", MANIFEST_NAME, "__pycache__", "*.pyc")
    )
    manifest = build_manifest(tests)
    (out / "tests" / "graded" / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    for name in SETUP_FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, out / name)
    (out / "README.md").write_text(STUDENT_README)
    leaks = find_leaks(out)
    if leaks:
        raise HandoutError("The handout would leak solutions:\n" + "\n".join(leaks))
    return out


def build_manifest(tests_dir: Path) -> dict:
    """Per module and visibility, the number of graded tests and their points (from pytest's collection)."""
    collected = collect_graded_tests(targets.graded_test_files(tests_dir), GradingOptions(tests_dir))
    modules: dict[str, dict] = {}
    for test in collected:
        entry = modules.setdefault(test.module, {}).setdefault(test.visibility, {"tests": 0, "points": 0.0})
        entry["tests"] += 1
        entry["points"] += test.max_score
    return {"modules": modules}


def find_leaks(folder: Path) -> list[str]:
    """Files and folders of `folder` that a student copy must not contain."""
    leaks = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if (
            path.is_dir()
            and path.name in ("solutions", "hidden")
            or "grading" in relative.parts[:2]
            and relative.parts[0] == "tests"
        ):
            leaks.append(f"{relative}: must not be in the handout")
        elif path.is_file():
            text = path.read_bytes().decode("utf-8", errors="ignore")
            match = ANY_MARKER.search(text)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                leaks.append(f"{relative}:{line}: a solution marker")
    return leaks
