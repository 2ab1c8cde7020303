"""Hostile submissions graded in one batch beside honest classmates (the `batch` fixture).

Each attack (`submissions/attack_*.py`) earns exactly the points of its honest code (asserted per
test in `test_grader_outcomes.py`); here: the classmates keep full marks, the checkout and the
classmates' files are untouched, the output files are the grader's own, no process, file or folder
of the attacks is left, no grader environment variable reaches a result, and the run keeps to its
time budget.
"""

import csv
import json
from pathlib import Path

from conftest import checkout_digest
from grading_helpers import META_TIMEOUT, REPO, SECRET, leftover_processes

from keras_vision.grading.reporting.results import SubmissionResult

HONEST = ("solutions", "classmate")


def test_classmates_keep_full_marks(batch):
    for name in HONEST:
        assert batch.results[name].score == batch.results[name].max_score == 20, name


def test_checkout_and_classmates_files_are_untouched(batch):
    assert checkout_digest(batch.checkout) == batch.digest_before
    for name in HONEST:
        files = sorted(p.name for p in (batch.submissions / name).iterdir() if p.name != "__pycache__")
        expected = [p.name for p in (REPO / "solutions").iterdir() if p.suffix in (".py", ".ipynb")]
        assert files == sorted(expected), name
        assert (batch.submissions / name / "ex01_convolutions.py").read_bytes() == (
            REPO / "solutions" / "ex01_convolutions.py"
        ).read_bytes()
    tamperer = batch.submissions / "attack_tamper_checkout"
    assert sorted(p.name for p in tamperer.iterdir()) == ["ex01_convolutions.py"]  # no hidden test copied out


def test_output_files_are_the_graders_own_after_the_grader_exited(batch):
    for path in batch.out.glob("*.json"):
        result = SubmissionResult.from_dict(json.loads(path.read_text()))
        assert result.submission == path.stem and result.sandbox == "bwrap"
    rows = {row["submission"]: row for row in csv.DictReader((batch.out / "gradebook.csv").open())}
    assert set(rows) == set(batch.results)
    assert all(rows[name]["total"] == "20" for name in HONEST)


def test_no_process_file_or_folder_of_the_attacks_is_left(batch):
    assert leftover_processes("kv-attack-det") == []
    assert list(batch.host_tmp.iterdir()) == []  # the grader's own TMPDIR: workers made nothing there
    assert not list(Path("/dev/shm").glob("kvattack_*")) and not list(Path("/tmp").glob("kvattack_*"))


def test_no_grader_environment_variable_reaches_a_result(batch):
    leaked = batch.results["attack_proc_parent"].tests
    assert any("leaked: " in t.message for t in leaked)  # the attack did report what it read
    for path in batch.out.iterdir():
        assert SECRET not in path.read_text(errors="replace"), path.name
    assert SECRET not in batch.process.stdout + batch.process.stderr


#: On a heavily loaded machine the 8 s limit of the meta-tests can end a hog before its limit does;
#: either way the sandbox is killed. test_isolation checks the memory message with a longer limit.
STOPPED = ("used more than 1.5 GB of memory", "timed out after 8 s")


def test_the_memory_hog_is_stopped_and_its_files_are_gone(batch):
    message = next(t.message for t in batch.results["attack_memory"].tests if t.name == "test_vertical_edge_kernel")
    assert any(reason in message for reason in STOPPED), message


def test_oversized_replies_are_refused_and_long_messages_truncated(batch):
    tests = {t.name: t.message for t in batch.results["attack_huge_replies"].tests}
    assert any(
        reason in tests["test_conv_output_shape_of_the_classic_stack"]
        for reason in ("sent back more than the grader accepts", STOPPED[1])
    )
    assert "nested more than" in tests["test_conv_output_shape_with_strides"]
    message = tests["test_normalize_images_scales_to_unit_range_and_adds_channel"]
    assert len(message) < 6000 and "(truncated: " in message


def test_an_import_that_times_out_costs_one_time_limit(batch):
    tests = batch.results["attack_slow_import"].tests
    assert all("could not be imported" in t.message and f"timed out after {META_TIMEOUT} s" in t.message for t in tests)
    assert sum(t.duration for t in tests) < 2 * META_TIMEOUT + 5  # charged once, not once per test


def test_the_library_stub_is_told_what_to_write_itself(batch):
    messages = [
        t.message for t in batch.results["attack_library_stub"].tests if not t.passed and "hidden" not in t.visibility
    ]
    assert messages and all("must be your own work" in m for m in messages)
    assert any("keras_vision.convolution.convolve2d" in m and "through `_helper`" in m for m in messages)
    assert any("keras_vision.convolution.max_pool2d" in m for m in messages)


def test_running_the_solution_file_is_refused(batch):
    own = [t for t in batch.results["attack_runs_solution"].tests if "apply_filter" in t.name or "max_pool" in t.name]
    assert own and all("loads or runs other code: runpy" in t.message for t in own if t.visibility == "visible")


def test_the_batch_keeps_to_its_time_budget(batch):
    # 22 submissions of 13 tests; the endless loop and the slow import cost a few time limits each.
    # About 4 minutes on an idle 2-core machine; the bound leaves room for a heavily shared one.
    assert batch.seconds < 3600, batch.seconds
    assert all(result.execution_time < 600 for result in batch.results.values())
