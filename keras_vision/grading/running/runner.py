"""The trusted runner: runs pytest on the graded tests of one submission and reports on a pipe.

    python -m keras_vision.grading.running.runner --result-fd FD --target PATH [options] TEST_FILES...

It is started by the grader (`python -m keras_vision.grade`), once per submission. It never imports
student code: the graded tests reach the student's functions through workers (see
`keras_vision.grading.sandbox.remote`). When pytest is done, it writes one framed JSON message to
`--result-fd`: `{"tests": [TestResult dicts], "collected": [...], "errors": [...], "exit_code": N}`.
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
from keras_vision.grading.testkit.plugin import results_of  # noqa: E402


class Collector:
    """A pytest plugin object keeping what the grader needs: results, graded items, errors."""

    def __init__(self):
        self.tests: list[TestResult] = []
        self.collected: list[TestResult] = []
        self.errors: list[str] = []

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
        return {
            "tests": [t.to_dict() for t in tests],
            "collected": [t.to_dict() for t in self.collected],
            "errors": self.errors,
            "exit_code": exit_code,
        }


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
