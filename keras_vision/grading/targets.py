"""Where things are: the repository, the graded tests, and the exercise files of a target.

A *target* is what gets graded: `exercises` or `solutions` (folders of the repository), or a path to
a student's folder of `exNN_<topic>.py` (or `.ipynb`) files or to one such file. Modules are discovered by file
name (`exNN_*.py` in the target, `tests/graded/test_exNN_*.py` for the tests); nothing lists them.
"""

from __future__ import annotations

import re
from pathlib import Path

from keras_vision.errors import KerasVisionError

#: An exercise module name: `ex01_convolutions`, `ex05_transfer_learning`.
MODULE_PATTERN = re.compile(r"^ex\d{2}_[A-Za-z0-9_]+$")
TEST_FILE_PATTERN = re.compile(r"^test_(ex\d{2}_[A-Za-z0-9_]+?)(?:_hidden)?\.py$")
NAMED_TARGETS = ("exercises", "solutions")


class TargetError(KerasVisionError, FileNotFoundError):
    """The target to grade does not exist or holds no exercise file."""

    exit_code = 2


def repo_root() -> Path:
    """The folder holding `keras_vision/` (the repository or the student handout)."""
    return Path(__file__).resolve().parents[2]


def graded_tests_dir(root: Path | None = None) -> Path:
    return (root or repo_root()) / "tests" / "graded"


def default_target(root: Path | None = None) -> str:
    """`"solutions"` when the repository has them (instructors), else `"exercises"` (students)."""
    return "solutions" if ((root or repo_root()) / "solutions").is_dir() else "exercises"


def resolve_target(spec: str | None, root: Path | None = None) -> Path:
    """The folder or file named by `spec` (`exercises`, `solutions` or a path).

    Raises:
        TargetError: naming what was looked for and where.
    """
    root = root or repo_root()
    spec = spec or default_target(root)
    path = root / spec if spec in NAMED_TARGETS else Path(spec).expanduser()
    if not path.exists():
        hint = " This copy of the course has no solutions; use --target exercises." if spec == "solutions" else ""
        raise TargetError(
            f"The target {spec!r} was not found (looked for {path.resolve()}).{hint} Pass --target exercises, "
            "--target solutions, or the path of a folder of exNN_<topic>.py (or .ipynb) files or of one such file."
        )
    if path.is_file() and not MODULE_PATTERN.match(path.stem):
        raise TargetError(
            f"The file {path} is not named like an exercise: keep the name of the handout file, "
            "e.g. ex01_convolutions.py."
        )
    return path.resolve()


def module_files(target: Path) -> dict[str, Path]:
    """Exercise modules of a target, `{"ex01_convolutions": Path(...)}`, sorted by name.

    A module may be a notebook (`ex01_convolutions.ipynb`, graded through
    `keras_vision.grading.notebook_source`); its `.py` wins when both are there.
    """
    if target.is_file():
        return {target.stem: target}
    found = {p.stem: p for p in target.glob("ex[0-9][0-9]_*.ipynb") if MODULE_PATTERN.match(p.stem)}
    found.update({p.stem: p for p in target.glob("ex[0-9][0-9]_*.py") if MODULE_PATTERN.match(p.stem)})
    return dict(sorted(found.items()))


def module_path(target: Path, module: str) -> Path:
    """The file of `module` in `target` (which may not exist: the worker then explains)."""
    return target if target.is_file() else target / f"{module}.py"


def module_of_test_file(path: Path | str) -> str | None:
    """`tests/graded/test_ex01_convolutions.py` -> `"ex01_convolutions"` (also for `_hidden` files)."""
    match = TEST_FILE_PATTERN.match(Path(path).name)
    return match.group(1) if match else None


def graded_test_files(tests_dir: Path, modules: list[str] | None = None) -> list[Path]:
    """The graded test files (visible and hidden) of `modules` (all modules when None)."""
    files = sorted(tests_dir.glob("test_ex*.py")) + sorted((tests_dir / "hidden").glob("test_ex*.py"))
    return [f for f in files if module_of_test_file(f) and (modules is None or module_of_test_file(f) in modules)]


def is_batch(path: Path) -> bool:
    """True for a folder without exercise files whose subfolders hold some (one per submission)."""
    return (
        path.is_dir() and not module_files(path) and any(sub.is_dir() and module_files(sub) for sub in path.iterdir())
    )
