"""Check yourself inside a notebook: `check("apply_filter")` runs that function's visible graded tests.

The setup cell of every exercise notebook makes `check = checker("ex01_convolutions")`. Each call

1. writes the code the kernel has run so far as the module `ex01_convolutions.py` in a temporary
   folder: the last version of every import, function, class and assignment of the executed cells
   (cells that do not parse, the notebook's setup, check and figure cells, and assignments that call
   the notebook's own functions are left out, as the grader leaves them out of a submitted notebook);
2. runs `python -m pytest tests/graded/test_ex01_convolutions.py::test_... --target MODULE` in a
   subprocess, the visible tests that call `submission.apply_filter`: the same tests, messages and
   points as `python -m pytest tests/graded`, the student's code in its own worker process;
3. prints pytest's report and raises `SelfCheckFailed` when a test failed, so the cell shows red.

It needs the course copy's `tests/graded` (the repository or the student handout), found beside the
`keras_vision` package or in `$KERAS_VISION_COURSE`.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from keras_vision.errors import KerasVisionError
from keras_vision.grading import notebook_source, targets

#: pytest's header of one failure: `____ test_apply_filter_matches_keras_conv2d ____`.
FAILURE_HEADER = re.compile(r"^_{3,} (test\S*) _{3,}$")
#: Seconds one check may take (the worker imports Keras; a test has its own limit).
CHECK_TIMEOUT = 900.0


class SelfCheckFailed(KerasVisionError, AssertionError):
    """A check-yourself call found failing tests (their messages are printed above it)."""


class SelfCheckError(KerasVisionError, RuntimeError):
    """A check-yourself call could not run (no kernel history, no graded tests, an unknown function)."""


def checker(module: str):
    """The `check(function)` of one exercise notebook.

    Args:
        module: The exercise module, e.g. `"ex01_convolutions"`.

    Returns:
        `check(function, *, source=None)`: runs the visible graded tests that call `function` on the
        code the kernel has run (or on `source`), prints their report, and returns the points as
        `(score, max_score)`.

    Raises:
        SelfCheckError: `module` is not named like an exercise module.
    """
    if not targets.MODULE_PATTERN.match(module):
        raise SelfCheckError(f"checker() takes an exercise module name like 'ex01_convolutions'. Received: {module!r}.")

    def check(function: str, *, source: str | None = None) -> tuple[float, float]:
        return run_check(module, function, source=source if source is not None else kernel_source())

    check.__doc__ = f"Runs the visible graded tests of {module} that call `function`; prints messages and points."
    return check


def course_root() -> Path:
    """The course copy holding `tests/graded`: `$KERAS_VISION_COURSE`, else the folder of `keras_vision/`."""
    configured = os.environ.get("KERAS_VISION_COURSE")
    return Path(configured).expanduser().resolve() if configured else targets.repo_root()


def visible_tests_calling(test_file: Path, function: str) -> list[str]:
    """Names of the test functions of `test_file` that call `submission.<function>` (as the plugin reads them)."""
    tree = ast.parse(test_file.read_text(), filename=str(test_file))
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            used = {
                child.attr
                for child in ast.walk(node)
                if isinstance(child, ast.Attribute)
                and isinstance(child.value, ast.Name)
                and child.value.id == "submission"
            }
            if function in used:
                names.append(node.name)
    return names


def run_check(module: str, function: str, *, source: str, root: Path | None = None) -> tuple[float, float]:
    """Runs the visible tests of `module` calling `function` on `source`; prints the report.

    Returns:
        `(score, max_score)` of those tests.

    Raises:
        SelfCheckError: no visible tests for that function, or the run could not start.
        SelfCheckFailed: a test failed; the message lists the failures.
    """
    root = root or course_root()
    test_file = targets.graded_tests_dir(root) / f"test_{module}.py"
    if not test_file.is_file():
        raise SelfCheckError(
            f"check() needs the course's graded tests and found no {test_file}. Open the notebook inside the "
            "course copy, or set KERAS_VISION_COURSE to the folder that holds tests/graded."
        )
    names = visible_tests_calling(test_file, function)
    if not names:
        raise SelfCheckError(f"No visible graded test of {module} calls {function!r}. Check the spelling.")
    with tempfile.TemporaryDirectory(prefix="kv_check_") as folder:
        path = Path(folder) / f"{module}.py"
        path.write_text(source)
        command = [
            sys.executable,
            "-m",
            "pytest",
            *(f"{test_file.relative_to(root).as_posix()}::{name}" for name in names),
            "--target",
            str(path),
            "-q",
            "--no-header",
            "-rf",
            "--color=no",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
        ]
        try:
            completed = subprocess.run(
                command, cwd=root, capture_output=True, text=True, timeout=CHECK_TIMEOUT, env=_environment(root)
            )
        except subprocess.TimeoutExpired:
            raise SelfCheckError(f"The tests of {function} did not finish in {CHECK_TIMEOUT:g} s.") from None
    report = completed.stdout.replace(str(path), f"<your notebook's {module}>")
    print(report.rstrip())
    score, top = _points(report, module)
    if completed.returncode != 0:
        failures = failure_messages(report) or completed.stderr.strip().splitlines()[-5:]
        raise SelfCheckFailed(
            f"{function}: {score:g} / {top:g} points; not yet right:\n" + "\n".join(line[:500] for line in failures)
        )
    return score, top


def failure_messages(report: str) -> list[str]:
    """`["test_name: first line of its message", ...]` from pytest's report of failures."""
    lines = report.splitlines()
    found = []
    for index, line in enumerate(lines):
        header = FAILURE_HEADER.match(line)
        if header:
            message = next((text.strip() for text in lines[index + 1 :] if text.strip()), "")
            found.append(f"{header.group(1)}: {message}")
    return found


def kernel_source() -> str:
    """The module the code run so far in this IPython kernel makes (see the module docstring)."""
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is None:
        raise SelfCheckError(
            "check() reads the cells you ran, so it runs inside a notebook. From a terminal, run "
            "`python -m pytest tests/graded` instead."
        )
    return module_from_history(list(shell.user_ns.get("In", []))[1:])


def module_from_history(cells: list[str]) -> str:
    """The last version of each top-level import, function, class and assignment of the cells, in run order.

    Args:
        cells: The cells' texts in the order the kernel ran them (IPython's `In[1:]`).

    Returns:
        Module source.
    """
    entries: dict[tuple, str] = {}
    defined: set[str] = set()
    for raw in cells:
        if notebook_source.is_not_graded(raw):
            continue
        python, _ = notebook_source.strip_ipython(raw)
        try:
            tree = ast.parse(python)
        except SyntaxError:
            continue  # the kernel refused it too
        lines = python.splitlines()
        for node in tree.body:
            key = _definition_key(node)
            if key is None or (key[0] == "assign" and _calls_any(node, defined)):
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(node.name)
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            entries.pop(key, None)
            entries[key] = "\n".join(lines[first - 1 : node.end_lineno])
    return "\n\n".join(entries.values()) + "\n"


def _definition_key(node: ast.stmt) -> tuple | None:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return ("import", ast.unparse(node))
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return ("name", node.name)
    if isinstance(node, ast.Assign):
        return ("assign", tuple(ast.unparse(t) for t in node.targets))
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return ("assign", (ast.unparse(node.target),))
    return None


def _calls_any(node: ast.AST, names: set[str]) -> bool:
    """True when `node` calls one of `names` (an assignment that would run the notebook's own functions)."""
    return any(
        isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id in names
        for child in ast.walk(node)
    )


def _points(report: str, module: str) -> tuple[float, float]:
    """`(score, max)` from the plugin's "keras_vision points" line of `module`."""
    for line in report.splitlines():
        words = line.split()
        if words[:1] == [module] and "points," in words:
            return float(words[1]), float(words[3])
    return 0.0, 0.0


def _environment(root: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), environment.get("PYTHONPATH")]))
    environment.pop("MPLBACKEND", None)  # the kernel's inline backend does not exist outside it
    return environment
