"""ex10_error_analysis end to end: the solution scores full marks, the generated stubs nothing, and each
known-wrong submission (`submissions_ex10/`) loses exactly the points of the tests it should fail.

One grader run, as a user would start it, grades them all (in the bwrap sandbox, own-work checks on).
"""

import ast
import json
import shutil
from pathlib import Path

import pytest
from grading_helpers import META_MEMORY_MB, REPO, run_grader, without_markers

from keras_vision.grading.reporting.results import SubmissionResult
from keras_vision.grading.sandbox.isolation import bwrap_problem

MODULE = "ex10_error_analysis"
PATCHES = Path(__file__).resolve().parent / "submissions_ex10"

#: Every graded test of the module and its points (visible, then hidden).
ALL_TESTS = {
    "test_confusion_matrix_counts_true_rows_and_predicted_columns": 3,
    "test_per_class_accuracy_is_the_diagonal_over_the_rows": 2,
    "test_most_confused_pairs_largest_off_diagonal_cells_first": 3,
    "test_balanced_class_weights_equal_scikit_learns_rule": 3,
    "test_step_learning_rate_drops_every_n_steps": 2,
    "test_cosine_learning_rate_with_warm_up": 3,
    "test_confusion_matrix_one_hot_and_column_labels": 1,
    "test_per_class_accuracy_of_a_perfect_and_a_hopeless_class": 1,
    "test_most_confused_pairs_with_ties_and_a_perfect_matrix": 1,
    "test_balanced_class_weights_of_column_labels_with_a_missing_class": 1,
    "test_step_learning_rate_divides_by_ten": 1,
    "test_cosine_learning_rate_ends_at_alpha": 1,
}
#: submission -> {failed test: points it still earns}
EXPECTED_FAILURES = {
    "solutions": {},
    "exercises": {name: 0.0 for name in ALL_TESTS},
    "transposed_confusion": {
        "test_confusion_matrix_counts_true_rows_and_predicted_columns": 0.0,
        "test_confusion_matrix_one_hot_and_column_labels": 0.0,
    },
    "cosine_without_warmup": {
        "test_cosine_learning_rate_with_warm_up": 1.5,  # the no-warm-up check passes
        "test_cosine_learning_rate_ends_at_alpha": 0.0,
    },
    "sklearn_class_weights": {
        "test_balanced_class_weights_equal_scikit_learns_rule": 0.0,
        "test_balanced_class_weights_of_column_labels_with_a_missing_class": 0.0,
    },
}
#: What a failure message of a submission must say.
EXPECTED_MESSAGES = {
    "transposed_confusion": "Rows are TRUE classes, columns PREDICTED ones.",
    "sklearn_class_weights": "must be your own work: it uses sklearn",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    problem = bwrap_problem()
    if problem is not None:
        pytest.skip(f"Grading submissions needs the bwrap sandbox: {problem}")
    root = tmp_path_factory.mktemp("ex10")
    folder = root / "submissions"
    for name in ("solutions", "exercises"):
        (folder / name).mkdir(parents=True)
        shutil.copy2(REPO / name / f"{MODULE}.py", folder / name / f"{MODULE}.py")
    solution = without_markers((REPO / "solutions" / f"{MODULE}.py").read_text())
    for patch in sorted(PATCHES.glob("*.py")):
        (folder / patch.stem).mkdir()
        (folder / patch.stem / f"{MODULE}.py").write_text(solution + "\n\n" + patch.read_text())
    process = run_grader(
        "--target", str(folder), "--format", "json", "--out", str(root / "out"), "--modules", MODULE,
        "--memory-mb", str(META_MEMORY_MB), "--jobs", "2",
    )  # fmt: skip
    assert process.returncode == 0, process.stderr
    return {p.stem: SubmissionResult.from_dict(json.loads(p.read_text())) for p in (root / "out").glob("*.json")}


def test_every_known_wrong_submission_is_listed_and_states_its_score():
    assert {p.stem for p in PATCHES.glob("*.py")} == set(EXPECTED_FAILURES) - {"solutions", "exercises"}
    for name in set(EXPECTED_FAILURES) - {"solutions", "exercises"}:
        score = sum(ALL_TESTS.values()) - sum(ALL_TESTS[t] - e for t, e in EXPECTED_FAILURES[name].items())
        first_line = ast.get_docstring(ast.parse((PATCHES / f"{name}.py").read_text())).split("\n\n")[0]
        assert " ".join(first_line.split()).endswith(f"scores {score:g}/22."), first_line


@pytest.mark.parametrize("submission", sorted(EXPECTED_FAILURES))
def test_exact_outcome_per_test(graded, submission):
    result = graded[submission]
    expected = {name: ("passed", float(points)) for name, points in ALL_TESTS.items()}
    expected.update({name: ("failed", earned) for name, earned in EXPECTED_FAILURES[submission].items()})
    assert {t.name: (t.status, t.score) for t in result.tests} == expected
    assert result.max_score == sum(ALL_TESTS.values()) == 22 and not result.errors


@pytest.mark.parametrize("submission", sorted(EXPECTED_MESSAGES))
def test_failure_messages_say_what_is_wrong(graded, submission):
    failed = [t for t in graded[submission].tests if not t.passed]
    assert failed and any(EXPECTED_MESSAGES[submission] in t.message for t in failed), [t.message for t in failed]
