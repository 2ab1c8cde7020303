"""The trusted runner: runs pytest on the graded tests of one submission and reports on a pipe.

    python -m keras_vision.grading.running.runner --result-fd FD --target PATH [options] TEST_FILES...

It is started by the grader (`python -m keras_vision.grade`), once per submission. It never imports
student code: the graded tests reach the student's functions through workers (see
`keras_vision.grading.sandbox.remote`). When pytest is done, it writes one framed JSON message to
`--result-fd`: `{"tests": [TestResult dicts], "collected": [...], "errors": [...], "exit_code": N,
"grader_failure": None or why the environment failed}`. Each test's message is capped
(`MAX_TEST_MESSAGE_CHARS`) and the whole report too (`MAX_REPORT_CHARS`): a test whose message would
not fit gets a message of the grader's own, so what a student's value holds never overflows the
report into a log.
The grader, not this process, writes every output file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras_vision.grading import targets  # noqa: E402
from keras_vision.grading.reporting.results import TestResult  # noqa: E402
from keras_vision.grading.sandbox.framing import write_message  # noqa: E402
from keras_vision.grading.testkit.plugin import grader_failure_of, results_of  # noqa: E402

#: Characters of one test's message in the report (above the worker's own 4000-character cut and its notes).
MAX_TEST_MESSAGE_CHARS = 6000
#: Characters of all messages together; beyond, messages are replaced by the grader's own.
MAX_REPORT_CHARS = 4_000_000
TOO_LONG = (
    "The grader left this test's message out of the report: the messages of this submission were too "
    "long (do your functions return very large strings?). The test failed."
)


class Collector:
    """A pytest plugin object keeping what the grader needs: results, graded items, errors."""

    def __init__(self):
        self.tests: list[TestResult] = []
        self.collected: list[TestResult] = []
        self.errors: list[str] = []
        self.grader_failure: str | None = None

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(f"Could not collect {report.nodeid or 'the tests'}:\n{report.longreprtext[-2000:]}")

    def pytest_collection_finish(self, session):
        for item in session.items:
            marker = item.get_closest_marker("graded")
            if marker is not None:
                self.collected.append(
                    TestResult(
                        name=item.name,
                        module=targets.module_of_test_file(item.path) or item.path.stem,
                        nodeid=item.nodeid,
                        max_score=float(marker.kwargs["points"]),
                        visibility=marker.kwargs.get("visibility", "visible"),
                        status="not run",
                    )
                )

    def pytest_unconfigure(self, config):
        self.tests = results_of(config)
        self.grader_failure = grader_failure_of(config)

    def report(self, exit_code: int, collect_only: bool) -> dict:
        """Results of exactly the graded tests collected here, with their collected metadata."""
        recorded = {t.nodeid: t for t in self.tests}
        tests = []
        if not collect_only:
            for item in self.collected:  # a graded test that never reported earns nothing
                result = recorded.get(item.nodeid)
                if result is None:
                    tests.append(
                        TestResult(**{**item.to_dict(), "status": "failed", "message": "The test did not run."})
                    )
                    continue
                score = min(max(float(result.score), 0.0), item.max_score)
                passed = result.status == "passed" and score == item.max_score
                tests.append(
                    TestResult(
                        **{
                            **item.to_dict(),
                            "score": score,
                            "status": "passed" if passed else "failed",
                            "message": "" if passed else result.message,
                            "duration": result.duration,
                        }
                    )
                )
        tests = cap_messages(tests)
        return {
            "tests": [t.to_dict() for t in tests],
            "collected": [t.to_dict() for t in self.collected],
            "errors": self.errors,
            "exit_code": exit_code,
            "grader_failure": self.grader_failure,
        }


def cap_messages(tests: list[TestResult]) -> list[TestResult]:
    """Each message cut to `MAX_TEST_MESSAGE_CHARS`; all of them replaced by `TOO_LONG` beyond `MAX_REPORT_CHARS`."""
    for test in tests:
        if len(test.message) > MAX_TEST_MESSAGE_CHARS:
            cut = len(test.message) - MAX_TEST_MESSAGE_CHARS
            test.message = test.message[:MAX_TEST_MESSAGE_CHARS] + f"\n... (cut by the grader: {cut:,} more characters)"
    if sum(len(test.message) for test in tests) > MAX_REPORT_CHARS:
        for test in tests:
            if test.message:
                test.message = TOO_LONG
    return tests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Runs the graded tests of one submission (trusted).")
    parser.add_argument("tests", nargs="+", help="Graded test files.")
    parser.add_argument("--result-fd", type=int, required=True, help="Where to write the results.")
    parser.add_argument("--target", help="The submission: a folder or a file.")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--memory-mb", type=int, default=3072)
    parser.add_argument(
        "--sandbox",
        choices=("auto", "bwrap", "none"),
        default="none",
        help="Where the workers run student code (see keras_vision.grading.sandbox.isolation).",
    )
    parser.add_argument("--collect-only", action="store_true", help="List the graded tests; run nothing.")
    args = parser.parse_args(argv)

    collector = Collector()
    pytest_args = [
        *args.tests,
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(targets.repo_root()),
        "--grade-timeout",
        str(args.timeout),
        "--grade-memory-mb",
        str(args.memory_mb),
        "--grade-sandbox",
        args.sandbox,
    ]
    if args.target:
        pytest_args += ["--target", args.target]
    if args.collect_only:
        pytest_args.append("--collect-only")
    exit_code = int(pytest.main(pytest_args, plugins=[collector]))
    write_message(args.result_fd, json.dumps(collector.report(exit_code, args.collect_only)).encode())
    os.close(args.result_fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
