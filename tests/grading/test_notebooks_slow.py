"""Notebooks, slow: every generated notebook executed in a fresh kernel, and notebooks graded as submissions.

- Every solution notebook runs top to bottom without an error: each check-yourself cell prints full
  points, each figure cell draws a figure.
- Every exercise notebook runs with errors allowed, and fails only where a stub is called: each
  check-yourself cell with `SelfCheckFailed` whose every failing test names the stub's
  `NotImplementedError`, each figure cell with that `NotImplementedError`; no other cell fails.
- Graded as submissions (`python -m keras_vision.grade --target FOLDER`), the solution notebooks score
  what the solution modules score, module by module; the exercise notebooks score 0; a notebook whose
  `apply_filter` calls `keras_vision.convolution.convolve2d` loses the same points as that `.py`.
"""

import json
import shutil

import pytest
from grading_helpers import REPO, run_grader
from notebook_runs import errors_of, execute, has_figure, stream_text

from keras_vision.grading.testkit.selfcheck import visible_tests_calling

MODULES = sorted(p.stem for p in (REPO / "solutions").glob("ex[0-9][0-9]_*.py"))
CELL_TIMEOUT = 900.0
#: Executed in CI's slow run (each notebook takes a minute or more: every check cell starts pytest and a
#: sandboxed worker); the others are `heavy`, run before a release with `python -m pytest -m heavy`.
IN_CI = {"ex01_convolutions", "ex07_lowlight"}
NOTEBOOKS = [pytest.param(m, marks=() if m in IN_CI else pytest.mark.heavy) for m in MODULES]

pytestmark = pytest.mark.slow


def tagged(cell, tag):
    return cell.get("metadata", {}).get("tags") == [f"kv-{tag}"]


@pytest.mark.parametrize("module", NOTEBOOKS)
def test_solution_notebook_runs_without_an_error(module):
    notebook, _ = execute(REPO / "solutions" / f"{module}.ipynb", cell_timeout=CELL_TIMEOUT, cwd=REPO)
    checks = [cell for cell in notebook.cells if tagged(cell, "check")]
    assert checks
    for cell in checks:
        assert "0 test(s) failed" in stream_text(cell), cell.source
    for cell in notebook.cells:
        if tagged(cell, "figure"):
            assert has_figure(cell), cell.source


@pytest.mark.parametrize("module", NOTEBOOKS)
def test_exercise_notebook_fails_only_in_its_stubs(module):
    notebook, _ = execute(
        REPO / "exercises" / f"{module}.ipynb", cell_timeout=CELL_TIMEOUT, allow_errors=True, cwd=REPO
    )
    short = module.split("_", 1)[0]
    for cell in notebook.cells:
        errors = errors_of(cell)
        if tagged(cell, "check"):
            assert [error["ename"] for error in errors] == ["SelfCheckFailed"], cell.source
            failures = errors[0]["evalue"].splitlines()[1:]
            assert failures, errors[0]["evalue"]
            for failure in failures:
                # a stub raises NotImplementedError or, for a one-line `# SOLUTION`, returns `...`
                stub = "NotImplementedError" in failure or "returned `...`: it is not implemented yet" in failure
                assert stub and (f"{short}." in failure or f"{module}." in failure), failure
        elif tagged(cell, "figure"):
            assert [error["ename"] for error in errors] == ["NotImplementedError"], cell.source
            assert errors[0]["evalue"].startswith(f"{short}."), errors[0]["evalue"]
        else:
            assert not errors, (cell.source, errors)


def grade(target, tmp_path, name):
    out = tmp_path / f"{name}.json"
    process = run_grader("--target", str(target), "--format", "json", "--out", str(out), timeout=3600)
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(out.read_text())


def scores(result):
    return {module["module"]: (module["score"], module["max_score"]) for module in result["modules"]}


@pytest.mark.heavy
def test_notebooks_grade_like_modules(tmp_path):
    notebooks = tmp_path / "solution_notebooks"
    notebooks.mkdir()
    for module in MODULES:
        shutil.copy(REPO / "solutions" / f"{module}.ipynb", notebooks)
    as_modules = grade(REPO / "solutions", tmp_path, "modules")
    as_notebooks = grade(notebooks, tmp_path, "notebooks")
    assert scores(as_notebooks) == scores(as_modules)
    assert set(scores(as_notebooks)) == set(MODULES)
    assert all(score == top for score, top in scores(as_notebooks).values())
    assert any("left out" in note for note in as_notebooks["notes"])

    exercises = tmp_path / "exercise_notebooks"
    exercises.mkdir()
    for module in MODULES:
        shutil.copy(REPO / "exercises" / f"{module}.ipynb", exercises)
    assert grade(exercises, tmp_path, "exercises")["score"] == 0


def test_a_notebook_using_the_library_convolution_loses_what_the_py_loses(tmp_path):
    import nbformat

    patch = (
        "\n\ndef apply_filter(image, kernel):\n"
        "    from keras_vision.convolution import convolve2d\n\n"
        "    return convolve2d(image, kernel)\n"
    )
    path = REPO / "solutions" / "ex01_convolutions.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(cell for cell in notebook.cells if cell.source.startswith("def apply_filter"))
    cell.source = patch.strip() + "\n"
    (tmp_path / "nb").mkdir()
    nbformat.write(notebook, tmp_path / "nb" / "ex01_convolutions.ipynb")
    (tmp_path / "py").mkdir()
    source = (REPO / "solutions" / "ex01_convolutions.py").read_text()
    (tmp_path / "py" / "ex01_convolutions.py").write_text(source + patch)
    as_notebook = grade(tmp_path / "nb" / "ex01_convolutions.ipynb", tmp_path, "nb")
    as_module = grade(tmp_path / "py" / "ex01_convolutions.py", tmp_path, "py")
    assert as_notebook["score"] == as_module["score"] < as_module["max_score"]
    lost = {t["name"] for m in as_notebook["modules"] for t in m["tests"] if t["status"] != "passed"}
    assert lost == {t["name"] for m in as_module["modules"] for t in m["tests"] if t["status"] != "passed"}
    graded = REPO / "tests" / "graded"
    calling = visible_tests_calling(graded / "test_ex01_convolutions.py", "apply_filter") + visible_tests_calling(
        graded / "hidden" / "test_ex01_convolutions_hidden.py", "apply_filter"
    )
    assert lost == set(calling)
