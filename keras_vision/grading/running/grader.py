"""Grading submissions: one trusted runner process per submission, results as dataclasses.

`grade_submission` starts a runner (`keras_vision.grading.running.runner`, forked by
`keras_vision.grading.running.prefork`) on the graded tests, reads its report from a pipe and returns a
`SubmissionResult`; `grade_batch` does that for every submission folder of a batch. No output
file is written here (see `keras_vision.grading.reporting.formats`).
"""

from __future__ import annotations

import json
import os
import select
import signal
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from keras_vision.errors import KerasVisionError
from keras_vision.grading import notebook_source, targets
from keras_vision.grading.reporting.results import NotRun, SubmissionResult, TestResult
from keras_vision.grading.running import prefork
from keras_vision.grading.sandbox.framing import FrameBuffer

#: The manifest the student handout carries in place of the hidden tests.
MANIFEST_NAME = "manifest.json"
HIDDEN_VISIBILITIES = ("hidden", "after_due_date")
#: Largest report a runner may send (hundreds of tests with long messages fit in far less).
MAX_REPORT_BYTES = 64 * 2**20
#: The fork server of this grader's runners (started on first use).
RUNNERS = prefork.RunnerServer()


class GraderFailure(KerasVisionError, RuntimeError):
    """The grader itself failed (its runner died, its worker could not start): nobody is scored.

    The message is for the instructor (it may quote the runner's log); no student sees it.
    """

    exit_code = 1


@dataclass(frozen=True)
class GradingOptions:
    """How to grade.

    Args:
        tests_dir: The graded tests (`tests/graded` of the repository or handout).
        timeout: Seconds of student code per test. Defaults to `20`.
        memory_mb: Memory limit of a worker, MiB. Defaults to `3072`.
        runner_timeout: Seconds the whole run of one submission may take; beyond, the grader failed
            (no score). Defaults to `7200`, above what the per-test limits allow (100 tests of 20 s
            and the imports), so that no submission can reach it.
        modules: Grade only these modules (one assignment), e.g. `("ex01_convolutions",)`.
            Defaults to every module that has graded tests.
        sandbox: Where student code runs: `"bwrap"` or `"none"` (see
            `keras_vision.grading.sandbox.isolation`). Defaults to `"none"`.
        zygote: With `bwrap`, fork each worker from one sandboxed process that imported Keras once
            (`keras_vision.grading.sandbox.zygote`) instead of starting a sandbox per worker.
            Defaults to `True`.
    """

    tests_dir: Path
    timeout: float = 20.0
    memory_mb: int = 3072
    runner_timeout: float = 7200.0
    modules: tuple[str, ...] | None = None
    sandbox: str = "none"
    zygote: bool = True


def grade_submission(target: Path, options: GradingOptions, *, name: str | None = None) -> SubmissionResult:
    """Grades one submission (a folder of exercise files, or one file; notebooks are graded as the
    modules their code cells make, `keras_vision.grading.notebook_source`).

    Returns:
        The results.

    Raises:
        GraderFailure: the runner died or the grader's worker could not start (twice); the
            message quotes the log for the instructor, and no score exists for this submission.
    """
    name = name or (target.stem if target.is_file() else target.name)
    modules = [target.stem] if target.is_file() else (list(options.modules) if options.modules else None)
    files = targets.graded_test_files(options.tests_dir, modules)
    start = time.monotonic()
    if not files:
        wanted = f" for {target.stem}" if modules else ""
        return SubmissionResult(name, str(target), errors=[f"No graded tests{wanted} in {options.tests_dir}."])
    with tempfile.TemporaryDirectory(prefix="kv_notebooks_") as scratch:
        graded, notes = notebook_source.as_modules(target, Path(scratch) / "submission")
        report, log = run_runner(files, options, target=graded)
    tests = [TestResult.from_dict(t) for t in report.get("tests", [])]
    errors = list(report.get("errors", []))
    if report.get("grader_failure"):
        raise GraderFailure(f"Grading {name} stopped, and no one is scored: {report['grader_failure']}")
    if "exit_code" not in report:
        raise GraderFailure(
            f"The grader's test runner for {name} stopped without a report, so no one is scored. Its log ends "
            f"with:\n{log[-3000:]}"
        )
    result = SubmissionResult.from_tests(name, str(target), tests, errors=errors, sandbox=options.sandbox, notes=notes)
    result.execution_time = time.monotonic() - start
    result.not_run = tests_not_run(options.tests_dir, [m.module for m in result.modules] or (modules or []))
    return result


def grade_batch(folder: Path, options: GradingOptions, *, jobs: int = 1) -> list[SubmissionResult]:
    """Grades every submission folder of `folder`, continuing past broken submissions.

    Raises:
        GraderFailure: the grader itself failed on one of them; the batch stops and no one is scored.
    """
    submissions = [sub for sub in sorted(folder.iterdir()) if sub.is_dir() and targets.module_files(sub)]
    pool = ThreadPoolExecutor(max_workers=max(jobs, 1))
    try:
        futures = [pool.submit(grade_submission, sub, options) for sub in submissions]
        return [future.result() for future in futures]
    finally:  # on a GraderFailure: the queued submissions are not started
        pool.shutdown(wait=True, cancel_futures=True)


def collect_graded_tests(files: list[Path], options: GradingOptions) -> list[TestResult]:
    """The graded tests in `files` with their metadata, without running them."""
    report, log = run_runner(files, options, collect_only=True)
    if "collected" not in report:
        raise RuntimeError(f"Could not collect the graded tests:\n{log[-3000:]}")
    return [TestResult.from_dict(t) for t in report["collected"]]


def run_runner(
    files: list[Path], options: GradingOptions, *, target: Path | None = None, collect_only: bool = False
) -> tuple[dict, str]:
    """Runs a trusted runner (`keras_vision.grading.running.runner`).

    Returns:
        Its report (empty on failure) and its log.
    """
    root = options.tests_dir.resolve().parents[1]
    argv = [
        "--timeout",
        str(options.timeout),
        "--memory-mb",
        str(options.memory_mb),
        "--sandbox",
        options.sandbox,
        *map(str, files),
    ]
    if target is not None:
        argv += ["--target", str(target)]
    if collect_only:
        argv.append("--collect-only")
    with tempfile.TemporaryFile() as log:
        try:
            pid, read_fd = RUNNERS.start_runner(
                argv,
                cwd=str(root),
                python_path=str(root),
                log_fd=log.fileno(),
                zygote=options.zygote and options.sandbox in ("bwrap", "auto"),
            )
        except RuntimeError as error:
            return {}, str(error)
        try:
            payload = _read_report(read_fd, time.monotonic() + options.runner_timeout)
            if not prefork.wait_for_exit(read_fd, time.monotonic() + 60):
                raise TimeoutError("The test runner did not exit.")
        except (EOFError, ValueError, TimeoutError):
            os.kill(pid, signal.SIGKILL)  # still alive: its end of the pipe is open
            payload = None
        finally:
            os.close(read_fd)
        log.seek(0)
        text = log.read().decode("utf-8", errors="replace")
    try:
        report = json.loads(payload) if payload else {}
    except ValueError:
        report = {}
    return report, text


def _read_report(fd: int, deadline: float) -> bytes | None:
    """One framed message from `fd`, waiting until `deadline`; None when the runner sent nothing."""
    frames = FrameBuffer(MAX_REPORT_BYTES)
    while (message := frames.pop()) is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("The test runner did not finish in time.")
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            frames.feed(chunk)
    return message


def tests_not_run(tests_dir: Path, modules: list[str]) -> list[NotRun]:
    """Hidden tests absent from this copy (read from the handout's manifest), per module."""
    manifest_path = tests_dir / MANIFEST_NAME
    if (tests_dir / "hidden").is_dir() or not manifest_path.is_file():
        return []
    manifest = json.loads(manifest_path.read_text())
    missing = []
    for module in modules:
        for visibility in HIDDEN_VISIBILITIES:
            entry = manifest.get("modules", {}).get(module, {}).get(visibility)
            if entry and entry.get("tests"):
                missing.append(NotRun(module, visibility, int(entry["tests"]), float(entry["points"])))
    return missing
