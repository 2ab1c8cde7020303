"""The student handout: nothing leaks, the manifest counts hidden tests, and its grader runs."""

import json
import os
import re
import subprocess
import sys

import pytest
from grading_helpers import REPO, run_grader

from keras_vision.grading.authoring.handout import HandoutError, write_handout

SOLUTION_MARKER = re.compile(r"#\s*((BEGIN|END)\s+)?SOLUTION\s*$", re.MULTILINE)


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout") / "course"
    process = run_grader("handout", "--out", str(out))
    assert process.returncode == 0, process.stderr
    return out


def test_handout_has_the_student_files(handout):
    for path in (
        "keras_vision/grade.py",
        "keras_vision/convolution.py",
        "exercises/ex01_convolutions.py",
        "exercises/ex01_convolutions.ipynb",
        "tests/graded/test_ex01_convolutions.py",
        "tests/graded/conftest.py",
        "tests/graded/manifest.json",
        "setup.cfg",
        "pyproject.toml",
        "README.md",
    ):
        assert (handout / path).is_file(), path
    readme = (handout / "README.md").read_text()
    assert "python -m pytest tests/graded" in readme and "python -m keras_vision.grade" in readme


def test_no_file_of_the_handout_leaks_a_solution(handout):
    for path in handout.rglob("*"):
        relative = path.relative_to(handout).as_posix()
        assert not relative.startswith(("solutions", "tests/grading", "tests/graded/hidden")), relative
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="ignore")
            assert SOLUTION_MARKER.search(text) is None, relative
    assert (handout / "exercises" / "ex01_convolutions.py").read_text() == (
        REPO / "exercises" / "ex01_convolutions.py"
    ).read_text()


def test_manifest_counts_hidden_and_after_due_date_tests(handout):
    manifest = json.loads((handout / "tests" / "graded" / "manifest.json").read_text())
    module = manifest["modules"]["ex01_convolutions"]
    assert module["hidden"] == {"tests": 3, "points": 3.0}
    assert module["after_due_date"] == {"tests": 1, "points": 1.0}
    assert module["visible"] == {"tests": 9, "points": 16.0}


def test_handout_grader_runs_on_the_exercises_and_is_honest_about_hidden_tests(handout):
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    process = subprocess.run(
        [sys.executable, "-m", "keras_vision.grade", "--timeout", "8", "--modules", "ex01_convolutions"],
        cwd=handout,
        env={**env, "PYTHONPATH": str(handout)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert process.returncode == 0, process.stderr
    assert f"Submission exercises ({handout / 'exercises'})" in process.stdout
    assert "Total: 0 / 16 points." in process.stdout and "9 of 9 tests failed." in process.stdout
    assert (
        "Not in this run: 3 hidden tests of ex01_convolutions (3 points); 1 after-due-date test of "
        "ex01_convolutions (1 point)" in process.stdout
    )


def test_handout_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(HandoutError, match="not empty"):
        write_handout(tmp_path)
