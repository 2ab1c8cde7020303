"""Shared grader runs for the meta-tests: one batch run grades every fixture submission once."""

import json
import shutil
import time

import pytest
from grading_helpers import (
    META_MEMORY_MB,
    META_TIMEOUT,
    MODULE,
    REPO,
    SECRET,
    build_submissions,
    copy_checkout,
    run_grader,
)

from keras_vision.grading.reporting.results import SubmissionResult
from keras_vision.grading.sandbox.isolation import bwrap_problem


@pytest.fixture(scope="session")
def fixture_submissions(tmp_path_factory):
    """Every fixture submission built as a real submission folder: `<tmp>/<name>/ex01_convolutions.py`."""
    return build_submissions(tmp_path_factory.mktemp("fixture_submissions"))


@pytest.fixture(scope="session")
def batch(tmp_path_factory, fixture_submissions):
    """Grades solutions, a classmate's copy of them, exercises and every fixture submission (the
    adversarial ones included) in ONE batch run, for ex01 only, from a copy of the checkout.

    The grader gets a secret environment variable and a private TMPDIR, so the tests can check that
    neither leaks nor fills. Returns a `BatchRun`.
    """
    problem = bwrap_problem()
    if problem is not None:
        pytest.skip(f"The meta-tests grade hostile code, which needs the bwrap sandbox: {problem}")
    root = tmp_path_factory.mktemp("batch")
    checkout = copy_checkout(root / "checkout")
    folder = root / "submissions"
    for source in [*sorted(fixture_submissions.iterdir()), REPO / "solutions", REPO / "exercises"]:
        shutil.copytree(source, folder / source.name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "solutions", folder / "classmate", ignore=shutil.ignore_patterns("__pycache__"))
    out = root / "out"
    # A stale result file from "an earlier run": the grader must replace it.
    out.mkdir()
    (out / "solutions.json").write_text('{"stale": true}')
    host_tmp = root / "host_tmp"
    host_tmp.mkdir()
    before = checkout_digest(checkout)
    start = time.monotonic()
    process = run_grader(
        "--target",
        str(folder),
        "--format",
        "json",
        "--out",
        str(out),
        "--modules",
        MODULE,
        "--timeout",
        str(META_TIMEOUT),
        "--memory-mb",
        str(META_MEMORY_MB),
        "--jobs",
        "2",
        cwd=checkout,
        env={"TMPDIR": str(host_tmp), "KV_GRADER_SECRET": SECRET},
        timeout=2400,
    )
    seconds = time.monotonic() - start
    time.sleep(2)  # a process that outlived the grader would rewrite the results meanwhile
    results = {path.stem: SubmissionResult.from_dict(json.loads(path.read_text())) for path in out.glob("*.json")}
    return BatchRun(out, process, results, checkout, before, folder, host_tmp, seconds)


class BatchRun:
    """What one batch run left: its output folder, process, results, and what to compare afterwards."""

    def __init__(self, out, process, results, checkout, digest_before, submissions, host_tmp, seconds):
        self.out, self.process, self.results, self.seconds = out, process, results, seconds
        self.checkout, self.digest_before, self.submissions, self.host_tmp = (
            checkout,
            digest_before,
            submissions,
            host_tmp,
        )

    def __getitem__(self, index):  # (out, process, results), as the older tests unpack it
        return (self.out, self.process, self.results)[index]


def checkout_digest(folder):
    """`{relative path: bytes}` of every file under `folder` (the checkout is small)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="session")
def every_module(tmp_path_factory):
    """Solutions and exercises graded on EVERY module with graded tests, in one batch run."""
    root = tmp_path_factory.mktemp("every_module")
    for source in (REPO / "solutions", REPO / "exercises"):
        shutil.copytree(source, root / "submissions" / source.name, ignore=shutil.ignore_patterns("__pycache__"))
    process = run_grader(
        "--target", str(root / "submissions"), "--format", "json", "--out", str(root / "out"), "--jobs", "2"
    )
    assert process.returncode == 0, process.stderr
    return {
        path.stem: SubmissionResult.from_dict(json.loads(path.read_text())) for path in (root / "out").glob("*.json")
    }
