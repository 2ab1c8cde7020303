"""End to end: every fixture submission earns exactly the points it should, no more.

One batch run (the session fixture `batch`) grades solutions, the generated exercises, wrong
submissions and adversarial ones. For each submission the exact map of failed tests and the points
they still earn is asserted; every other test must pass with full points.
"""

import ast
import csv
import json

import pytest
from grading_helpers import fixture_sources

from keras_vision.grading.targets import module_of_test_file

ALL_TESTS = {
    "test_normalize_images_scales_to_unit_range_and_adds_channel": 2,
    "test_apply_filter_matches_keras_conv2d": 3,
    "test_apply_filter_finds_a_vertical_edge": 1,
    "test_vertical_edge_kernel": 1,
    "test_max_pool_halves_the_size": 1,
    "test_max_pool_keeps_the_largest_value": 2,
    "test_build_classic_cnn_layers": 2,
    "test_build_classic_cnn_parameter_counts": 2,
    "test_conv_output_shape_of_the_classic_stack": 2,
    "test_apply_filter_asymmetric_kernel_on_a_rectangular_image": 1,
    "test_max_pool_window_of_three_on_channels": 1,
    "test_conv_output_shape_with_strides": 1,
    "test_build_classic_cnn_for_colour_images": 1,
}
NOTHING = {name: 0.0 for name in ALL_TESTS}

#: submission -> {failed test: points it still earns (partial credit)}
EXPECTED_FAILURES = {
    "solutions": {},
    "forgot_255": {"test_normalize_images_scales_to_unit_range_and_adds_channel": 1.0},
    "flipped_kernel": {
        "test_apply_filter_matches_keras_conv2d": 1.0,  # the shape is right
        "test_apply_filter_finds_a_vertical_edge": 0.0,
        "test_apply_filter_asymmetric_kernel_on_a_rectangular_image": 0.0,
    },
    "average_pool": {"test_max_pool_keeps_the_largest_value": 0.0, "test_max_pool_window_of_three_on_channels": 0.0},
    "dense64": {
        "test_build_classic_cnn_layers": 0.0,
        "test_build_classic_cnn_parameter_counts": 1.0,  # both Conv2D counts are right
        "test_build_classic_cnn_for_colour_images": 0.0,
    },
    "endless_loop": {"test_conv_output_shape_of_the_classic_stack": 0.0, "test_conv_output_shape_with_strides": 0.0},
    "print_50mb": {"test_vertical_edge_kernel": 0.0},
    "exercises": NOTHING,
    "exit_at_import": NOTHING,
    "raise_at_import": NOTHING,
    "fake_results": NOTHING,
    "patch_pytest": NOTHING,
    "edit_references": {  # zeros of the right shapes: only shape, dtype and range checks pass, and the file
        **NOTHING,  # uses sys.modules, so the own-work tests of apply_filter and max_pool fail unrun
        "test_normalize_images_scales_to_unit_range_and_adds_channel": 1.5,
    },
    # Attacks on the sandbox: each earns exactly what its honest code earns (see the fixtures' docstrings).
    "classmate": {},
    "attack_detach": {},
    "attack_tamper_checkout": {name: 0.0 for name in ALL_TESTS if "apply_filter" in name or "max_pool" in name},
    "attack_proc_parent": {
        "test_conv_output_shape_of_the_classic_stack": 0.0,
        "test_conv_output_shape_with_strides": 0.0,
    },
    "attack_library_stub": {name: 0.0 for name in ALL_TESTS if "apply_filter" in name or "max_pool" in name},
    "attack_runs_solution": NOTHING,
    "attack_memory": {"test_vertical_edge_kernel": 0.0},
    "attack_huge_replies": {
        "test_normalize_images_scales_to_unit_range_and_adds_channel": 0.0,
        "test_conv_output_shape_of_the_classic_stack": 0.0,
        "test_conv_output_shape_with_strides": 0.0,
    },
    "attack_slow_import": NOTHING,
}
#: What every failure message of a submission must say.
EXPECTED_MESSAGES = {
    "endless_loop": "timed out after 8 s (an endless loop?)",
    "print_50mb": "printed more than 1 MB",
    "exit_at_import": "called sys.exit(3)",
    "raise_at_import": "raised RuntimeError: this submission fails at import",
    "fake_results": "NotImplementedError",
    "attack_slow_import": "timed out after 8 s",
    "attack_library_stub": "must be your own work: it uses keras_vision.convolution.",
}


@pytest.mark.parametrize("submission", sorted(fixture_sources()))
def test_fixture_docstring_states_the_score_it_must_get(submission):
    score = sum(ALL_TESTS.values()) - sum(
        ALL_TESTS[name] - earned for name, earned in EXPECTED_FAILURES[submission].items()
    )
    docstring = ast.get_docstring(ast.parse(fixture_sources()[submission].read_text()))
    assert docstring, f"{submission}: say what is wrong and its score in a docstring"
    assert docstring.splitlines()[0].endswith(f"scores {score:g}/20."), docstring.splitlines()[0]


def outcome_map(result):
    return {t.name: (t.status, t.score) for t in result.tests}


def test_batch_run_completes(batch):
    out, process, results = batch
    assert process.returncode == 0, process.stderr
    assert set(results) == set(EXPECTED_FAILURES)
    assert "Traceback" not in process.stderr
    assert all(result.sandbox == "bwrap" for result in results.values())


@pytest.mark.parametrize("submission", sorted(EXPECTED_FAILURES))
def test_exact_outcome_per_test(batch, submission):
    result = batch[2][submission]
    expected = {name: ("passed", float(points)) for name, points in ALL_TESTS.items()}
    expected.update({name: ("failed", earned) for name, earned in EXPECTED_FAILURES[submission].items()})
    assert outcome_map(result) == expected
    assert result.max_score == sum(ALL_TESTS.values()) == 20
    assert not result.errors


@pytest.mark.parametrize("submission", sorted(EXPECTED_MESSAGES))
def test_failure_messages_say_what_happened(batch, submission):
    for test in batch[2][submission].tests:
        if not test.passed:
            assert EXPECTED_MESSAGES[submission] in test.message, test.message


def test_stubs_fail_readably_naming_the_function(batch):
    for test in batch[2]["exercises"].tests:
        assert "NotImplementedError" in test.message
        function = test.message.split(" raised ")[0].split(".")[-1]
        assert f"ex01.{function}:" in test.message
        assert function in test.name or function == "build_classic_cnn" or function in test.message
        assert f"--target {batch[0].parent / 'submissions' / 'exercises'}" in test.message


def test_first_differing_layer_is_named(batch):
    layers = next(t for t in batch[2]["dense64"].tests if t.name == "test_build_classic_cnn_layers")
    assert "Layer 6" in layers.message and "units" in layers.message
    assert "expected Dense(units=128" in layers.message and "got Dense(units=64" in layers.message


@pytest.mark.parametrize(
    "submission, hint",
    [
        ("forgot_255", "did you divide by 255?"),
        ("flipped_kernel", "You flipped the kernel"),
        ("average_pool", "You averaged each block"),
    ],
)
def test_common_mistakes_get_a_hint(batch, submission, hint):
    assert any(hint in t.message for t in batch[2][submission].tests)


def test_endless_loop_only_costs_its_own_tests_their_timeout(batch):
    looping = [t for t in batch[2]["endless_loop"].tests if not t.passed]
    assert all(8 <= t.duration < 30 for t in looping), [t.duration for t in looping]


def test_fake_result_files_are_replaced_by_the_grader(batch):
    out, _, results = batch
    written = json.loads((out / "fake_results.json").read_text())
    assert written["score"] == 0 and written["submission"] == "fake_results"
    assert json.loads((out / "solutions.json").read_text())["score"] == 20  # the stale file is gone
    rows = {row["submission"]: row for row in csv.DictReader((out / "gradebook.csv").open())}
    assert rows["fake_results"]["total"] == "0"


def test_gradebook_has_one_row_per_submission_and_one_column_per_module(batch):
    out, _, results = batch
    with (out / "gradebook.csv").open() as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["submission", "total", "max", "ex01_convolutions", "notes"]
    assert {row["submission"] for row in rows} == set(results)
    for row in rows:
        assert float(row["total"]) == results[row["submission"]].score == float(row["ex01_convolutions"])
        assert row["max"] == "20"


def test_every_graded_test_file_names_its_module(batch):
    for result in batch[2].values():
        for test in result.tests:
            assert module_of_test_file(test.nodeid.split("::")[0]) == "ex01_convolutions"


@pytest.mark.slow
def test_every_module_solutions_score_full_marks_and_stubs_zero(every_module):
    from keras_vision.grading.targets import graded_test_files, graded_tests_dir

    modules = {module_of_test_file(f) for f in graded_test_files(graded_tests_dir())}
    solutions, exercises = every_module["solutions"], every_module["exercises"]
    assert {m.module for m in solutions.modules} == modules
    assert solutions.score == solutions.max_score > 0 and not solutions.errors
    assert exercises.score == 0 and exercises.max_score == solutions.max_score
    # A stub raises NotImplementedError, or (a one-line SOLUTION marker) returns the `...` placeholder.
    unwritten = ("NotImplementedError", "it is not implemented yet")
    assert all(not t.passed and any(s in t.message for s in unwritten) for t in exercises.tests), [
        (t.nodeid, t.message[:200]) for t in exercises.tests if t.passed or not any(s in t.message for s in unwritten)
    ]


def test_unknown_module_is_refused_with_the_valid_names():
    from grading_helpers import run_grader

    process = run_grader("--target", "solutions", "--modules", "ex99_nothing")
    assert process.returncode == 2 and "Valid modules: ex01_convolutions" in process.stderr
    assert "Traceback" not in process.stderr
