"""The committed exercises are exactly what the generator writes from the solutions."""

import subprocess
import sys

from keras_vision.grading.authoring.assign import ANY_MARKER, generate_exercises
from keras_vision.grading.targets import repo_root

REPO = repo_root()


def test_committed_exercises_match_the_generator():
    differences = generate_exercises(REPO / "solutions", REPO / "exercises", check=True)
    assert differences == [], "Run `python -m keras_vision.grade generate`: " + "; ".join(differences)


def test_exercises_carry_no_solution_marker():
    for exercise in sorted((REPO / "exercises").glob("ex*.py")):
        assert ANY_MARKER.search(exercise.read_text()) is None, exercise


def test_generate_check_command_exits_zero_when_up_to_date():
    process = subprocess.run(
        [sys.executable, "-m", "keras_vision.grade", "generate", "--check"], cwd=REPO, capture_output=True, text=True
    )
    assert process.returncode == 0, process.stderr


def test_generate_check_command_exits_one_when_stale(tmp_path):
    (tmp_path / "ex01_convolutions.py").write_text("# edited by hand\n")
    process = subprocess.run(
        [sys.executable, "-m", "keras_vision.grade", "generate", "--check", "--exercises", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert process.returncode == 1
    assert "ex01_convolutions.py differs" in process.stderr
