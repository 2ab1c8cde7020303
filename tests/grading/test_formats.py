"""Output formats: Gradescope keys, JUnit that parses, an honest table, hidden messages withheld."""

import json
import xml.etree.ElementTree as ET

import pytest

from keras_vision.grading.reporting.formats import FORMATS, to_gradescope, to_junit, to_table, write_gradebook
from keras_vision.grading.reporting.results import NotRun, SubmissionResult, TestResult

SECRET = "the hidden test checks a 7x10 image"


def sample(*, passed_all=False, not_run=()):
    tests = [
        TestResult("test_a", "ex01_convolutions", "tests/graded/test_ex01_convolutions.py::test_a", 2, 2, "passed"),
        TestResult(
            "test_b",
            "ex01_convolutions",
            "tests/graded/test_ex01_convolutions.py::test_b",
            3,
            3 if passed_all else 1,
            "passed" if passed_all else "failed",
            message="" if passed_all else "1 of 2 checks failed:\n- apply_filter: expected shape (6, 6), got (8, 8).",
        ),
        TestResult(
            "test_h",
            "ex01_convolutions",
            "tests/graded/hidden/test_ex01_convolutions_hidden.py::test_h",
            1,
            1 if passed_all else 0,
            "passed" if passed_all else "failed",
            "hidden",
            message="" if passed_all else SECRET,
        ),
    ]
    return SubmissionResult.from_tests("alice", "/tmp/alice", tests, not_run=list(not_run), execution_time=3.2)


def test_gradescope_has_the_spec_keys_and_hides_hidden_messages():
    document = json.loads(to_gradescope(sample()))
    assert set(document) >= {"score", "execution_time", "tests", "visibility", "stdout_visibility"}
    assert document["score"] == 3
    for test in document["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed")
    hidden = next(t for t in document["tests"] if t["visibility"] == "hidden")
    assert hidden["output"] == "" and hidden["status"] == "failed" and hidden["max_score"] == 1
    assert SECRET not in json.dumps(document)


def test_junit_parses_with_one_suite_per_module_and_failure_messages():
    root = ET.fromstring(to_junit(sample()).split("?>", 1)[1])
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["ex01_convolutions"]
    failures = suites[0].findall("testcase/failure")
    assert len(failures) == 2 and "expected shape (6, 6)" in failures[0].text
    assert suites[0].get("failures") == "2"


def test_table_withholds_hidden_messages_unless_revealed():
    assert SECRET not in to_table(sample())
    assert "hidden test: status and points only" in to_table(sample())
    assert SECRET in to_table(sample(), reveal_hidden=True)


@pytest.mark.parametrize("passed_all", [False, True])
def test_table_never_claims_success_when_a_test_failed(passed_all):
    text = to_table(sample(passed_all=passed_all))
    assert ("All 3 tests in this run passed." in text) is passed_all
    assert ("2 of 3 tests failed." in text) is not passed_all


def test_table_counts_hidden_tests_that_ran_and_that_did_not():
    text = to_table(
        sample(
            not_run=[
                NotRun("ex01_convolutions", "hidden", 3, 3.0),
                NotRun("ex01_convolutions", "after_due_date", 1, 1.0),
            ]
        )
    )
    assert "This run includes 1 hidden or after-due-date tests (1 points)" in text
    assert (
        "Not in this run: 3 hidden tests of ex01_convolutions (3 points); 1 after-due-date test of "
        "ex01_convolutions (1 point)" in text
    )


def test_json_round_trips_through_to_dict():
    result = sample()
    assert SubmissionResult.from_dict(json.loads(FORMATS.get("json")(result))).to_dict() == result.to_dict()


def test_unknown_format_lists_valid_ones():
    with pytest.raises(ValueError, match="Valid output formats: table, json, gradescope, junit"):
        FORMATS.get("html")


def test_gradebook_columns(tmp_path):
    write_gradebook([sample(), SubmissionResult("bob", "/tmp/bob", errors=["runner failed"])], tmp_path / "g.csv")
    lines = (tmp_path / "g.csv").read_text().splitlines()
    assert lines[0] == "submission,total,max,ex01_convolutions,notes"
    assert lines[1] == "alice,3,6,3,"
    assert lines[2] == "bob,0,0,,grader error: runner failed"
