"""Shared grader runs for the meta-tests: one batch run grades every fixture submission once."""

import json
import shutil

import pytest
from grading_helpers import META_TIMEOUT, MODULE, REPO, build_submissions, run_grader

from keras_vision.grading.results import SubmissionResult


@pytest.fixture(scope="session")
def fixture_submissions(tmp_path_factory):
    """Every fixture submission built as a real submission folder: `<tmp>/<name>/ex01_convolutions.py`."""
    return build_submissions(tmp_path_factory.mktemp("fixture_submissions"))


@pytest.fixture(scope="session")
def batch(tmp_path_factory, fixture_submissions):
    """Grades solutions, exercises and every fixture submission in ONE batch run, for ex01 only.

    Returns:
        `(out_dir, completed_process, {submission: SubmissionResult})`.
    """
    root = tmp_path_factory.mktemp("batch")
    folder = root / "submissions"
    for source in [*sorted(fixture_submissions.iterdir()), REPO / "solutions", REPO / "exercises"]:
        shutil.copytree(source, folder / source.name, ignore=shutil.ignore_patterns("__pycache__"))
    out = root / "out"
    # A stale result file from "an earlier run": the grader must replace it.
    out.mkdir()
    (out / "solutions.json").write_text('{"stale": true}')
    process = run_grader("--target", str(folder), "--format", "json", "--out", str(out), "--modules", MODULE,
                         "--timeout", str(META_TIMEOUT), "--jobs", "2")
    results = {path.stem: SubmissionResult.from_dict(json.loads(path.read_text())) for path in out.glob("*.json")}
    return out, process, results


@pytest.fixture(scope="session")
def every_module(tmp_path_factory):
    """Solutions and exercises graded on EVERY module with graded tests, in one batch run."""
    root = tmp_path_factory.mktemp("every_module")
    for source in (REPO / "solutions", REPO / "exercises"):
        shutil.copytree(source, root / "submissions" / source.name, ignore=shutil.ignore_patterns("__pycache__"))
    process = run_grader("--target", str(root / "submissions"), "--format", "json", "--out", str(root / "out"),
                         "--jobs", "2")
    assert process.returncode == 0, process.stderr
    return {path.stem: SubmissionResult.from_dict(json.loads(path.read_text())) for path in (root / "out").glob("*.json")}
