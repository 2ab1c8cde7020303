"""The pytest plugin of the graded tests (imported by `tests/graded/conftest.py`).

It adds:

- `--target exercises|solutions|PATH` (default: `solutions` when the repository has them, else
  `exercises`), `--grade-timeout`, `--grade-memory-mb`, `--grade-sandbox auto|bwrap|none`;
- the `graded(points, visibility, timeout)` marker (write it with `keras_vision.grading.testkit.testing.graded`);
- the `submission` fixture: a `RemoteModule` standing for the module under test (named after the
  test file: `test_ex01_convolutions.py` and `hidden/test_ex01_convolutions_hidden.py` both get
  `ex01_convolutions`), whose functions run in a worker subprocess;
- the `checks` fixture for partial credit;
- own work (`keras_vision.grading.testkit.ownwork`): a test module's `OWN_WORK` declaration (the visible
  test file's, which also covers the hidden tests of the same exercise) is checked on the student's
  source before each test; a test that uses `submission.<function>` of a function that is not the
  student's own fails with the reason, without running;
- per-test results (`TestResult`) with the points earned and a teaching message, kept for the
  trusted runner (`results_of(config)`) and summed up in the terminal.

Import it into a conftest (`from keras_vision.grading.testkit.plugin import *`) rather than with `-p`, so
that it applies to the graded tests only.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import cache
from pathlib import Path

import pytest

from keras_vision.grading import targets
from keras_vision.grading.reporting.results import SubmissionResult, TestResult
from keras_vision.grading.sandbox.isolation import SANDBOX_NAMES, select_sandbox
from keras_vision.grading.sandbox.remote import Limits, RemoteModule, SubmissionError, WorkerPool, WorkerStartFailure
from keras_vision.grading.testkit import ownwork
from keras_vision.grading.testkit.testing import CheckFailed, Checks

__all__ = [
    "pytest_addoption",
    "pytest_configure",
    "pytest_sessionstart",
    "pytest_unconfigure",
    "pytest_collection_modifyitems",
    "pytest_pyfunc_call",
    "pytest_runtest_makereport",
    "pytest_terminal_summary",
    "submission",
    "checks",
    "kv_worker_pool",
]

RESULTS = pytest.StashKey[dict]()
CHECKS = pytest.StashKey[Checks]()
POOL = pytest.StashKey[WorkerPool]()
USES = pytest.StashKey[frozenset]()
OWN_WORK = pytest.StashKey[dict]()
GRADER_FAILURE = pytest.StashKey[str]()


def pytest_addoption(parser):
    group = parser.getgroup("keras_vision grading")
    group.addoption(
        "--target",
        default=None,
        help="What to grade: exercises, solutions, or the path of a folder of exNN_<topic>.py "
        "files or of one such file. Defaults to solutions when present, else exercises.",
    )
    group.addoption(
        "--grade-timeout",
        type=float,
        default=Limits.timeout,
        help="Seconds the student code of one test may run (the marker's timeout= wins).",
    )
    group.addoption(
        "--grade-memory-mb",
        type=int,
        default=Limits.memory_mb,
        help="Memory (MiB) a worker may use before it is killed.",
    )
    group.addoption(
        "--grade-sandbox",
        choices=SANDBOX_NAMES,
        default="none",
        help="Where student code runs: a bubblewrap sandbox (bwrap), a plain subprocess (none), "
        "or bwrap when available (auto). The grader's CLI chooses for you.",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "graded(points, visibility='visible', timeout=None): a graded test")
    config.stash[RESULTS] = {}
    config.stash[POOL] = WorkerPool(
        Limits(timeout=config.getoption("grade_timeout"), memory_mb=config.getoption("grade_memory_mb")),
        sandbox=select_sandbox(config.getoption("grade_sandbox")),
    )


def pytest_sessionstart(session):
    """Starts the workers of the modules about to be tested; they import Keras while pytest collects.

    A worker runs no student code before its first call, which comes after collection.
    """
    config = session.config
    try:
        target = targets.resolve_target(config.getoption("target"))
    except targets.TargetError:
        return  # reported by the first test
    for module in _requested_modules(config):
        config.stash[POOL].get(module, targets.module_path(target, module)).start()


def pytest_unconfigure(config):
    pool = config.stash.get(POOL, None)
    if pool is not None:
        pool.close()


def pytest_collection_modifyitems(config, items):
    """Checks every graded test's metadata early, so a typo in a marker fails loudly."""
    for item in items:
        marker = item.get_closest_marker("graded")
        if marker is not None and not marker.kwargs.get("points", 0) > 0:
            raise pytest.UsageError(f"{item.nodeid}: the graded marker needs points > 0 (use testing.graded).")
    declared = collected_own_work(items)
    for item in items:
        if item.get_closest_marker("graded") is not None:
            item.stash[USES] = submission_functions_used(item)
            module = targets.module_of_test_file(item.path)
            if module not in declared:
                try:
                    declared[module] = own_work_of(item.path)
                except (OSError, SyntaxError, ValueError) as error:
                    raise pytest.UsageError(f"{item.nodeid}: {error}") from None
            item.stash[OWN_WORK] = declared[module]


@pytest.fixture(scope="session")
def kv_worker_pool(request) -> WorkerPool:
    """One worker per (module, target file), shared by the whole session."""
    return request.config.stash[POOL]


@pytest.fixture
def submission(request, kv_worker_pool) -> RemoteModule:
    """The student's module of this test file; calling its functions runs them in the worker."""
    module = targets.module_of_test_file(request.node.path)
    if module is None:
        pytest.fail(f"{request.node.path.name} is not named like a graded test file (test_exNN_<topic>.py).")
    target = _target(request.config)
    path = targets.module_path(target, module)
    declared = request.node.stash.get(OWN_WORK, {})
    if declared:
        refused = own_work_problems(path, tuple(sorted(declared.items())))
        for function in sorted(request.node.stash.get(USES, frozenset())):
            if function in refused:
                raise SubmissionError(refused[function])
    worker = kv_worker_pool.get(module, path)
    if declared and not worker.own_work:
        worker.own_work = dict(declared)  # enforced at run time in the worker too (sandbox.guard)
    return RemoteModule(worker, _timeout(request.node, request.config))


@pytest.fixture
def checks(request) -> Checks:
    """Records weighted checks; failed ones fail the test at its end with all their messages."""
    request.node.stash[CHECKS] = Checks()
    return request.node.stash[CHECKS]


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    result = yield
    recorded = pyfuncitem.stash.get(CHECKS, None)
    if recorded is not None:
        recorded.raise_if_failed()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    marker = item.get_closest_marker("graded")
    if marker is None:
        return report
    if call.excinfo is not None and call.excinfo.errisinstance(WorkerStartFailure):
        failure = call.excinfo.value  # the environment failed, not the student: stop, score nobody
        item.config.stash[GRADER_FAILURE] = f"{failure}\nWhat the worker printed:\n{failure.output[-3000:]}"
        item.session.shouldstop = "the grader's worker did not start"
        return report
    results = item.config.stash[RESULTS]
    test = results.get(item.nodeid)
    if test is None:
        test = results[item.nodeid] = TestResult(
            name=item.name,
            module=targets.module_of_test_file(item.path) or item.path.stem,
            nodeid=item.nodeid,
            max_score=float(marker.kwargs["points"]),
            visibility=marker.kwargs.get("visibility", "visible"),
        )
    if report.when == "call":
        test.duration = round(report.duration, 3)
    if report.passed and report.when == "call":
        test.status, test.score = "passed", test.max_score
    elif report.failed or report.skipped:
        first_failure = not test.message
        test.status = "failed"
        test.score = _partial_score(item, call, test.max_score) if (report.when == "call" and first_failure) else 0.0
        if first_failure:
            test.message = _message(item, call, report)
            if call.excinfo is not None and call.excinfo.errisinstance((SubmissionError, CheckFailed)):
                report.longrepr = test.message
    return report


def pytest_terminal_summary(terminalreporter, config):
    results = list(config.stash.get(RESULTS, {}).values())
    if not results:
        return
    summary = SubmissionResult.from_tests("", str(_target(config)), results)
    terminalreporter.section("keras_vision points")
    for module in summary.modules:
        failed = sum(not t.passed for t in module.tests)
        terminalreporter.line(
            f"{module.module:32s} {module.score:g} / {module.max_score:g} points, {failed} test(s) failed"
        )
    terminalreporter.line(f"{'total':32s} {summary.score:g} / {summary.max_score:g} points (target: {_target(config)})")


def results_of(config) -> list[TestResult]:
    """The graded results recorded so far in this pytest session."""
    return list(config.stash.get(RESULTS, {}).values())


def grader_failure_of(config) -> str | None:
    """Why this session stopped for a failure of the grader's environment (then nobody is scored), or None."""
    return config.stash.get(GRADER_FAILURE, None)


def submission_functions_used(item) -> frozenset:
    """Names `submission.<name>` in the test function's source: the student functions it calls."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(item.function)))
    except (OSError, TypeError, SyntaxError):
        return frozenset()
    return frozenset(
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "submission"
    )


def collected_own_work(items) -> dict[str, dict[str, tuple[str, ...]]]:
    """`{exercise module: OWN_WORK}` merged from the imported graded test modules that declare one."""
    declared: dict[str, dict[str, tuple[str, ...]]] = {}
    for module_object in dict.fromkeys(getattr(item, "module", None) for item in items):
        value = getattr(module_object, "OWN_WORK", None)
        if value is None:
            continue
        try:
            value = ownwork.validate_declaration(value, module_object.__file__)
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None
        merged = declared.setdefault(targets.module_of_test_file(module_object.__file__), {})
        for function, prefixes in value.items():
            merged[function] = tuple(dict.fromkeys(merged.get(function, ()) + prefixes))
    return declared


def own_work_of(test_file: Path) -> dict[str, tuple[str, ...]]:
    """The OWN_WORK declaration covering a graded test file when its module's declaring file was not
    collected: read (never imported) from the visible test file of the same exercise and its own."""
    module = targets.module_of_test_file(test_file)
    merged: dict[str, tuple[str, ...]] = {}
    candidates = [
        Path(test_file).parent / f"test_{module}.py",
        Path(test_file).parent.parent / f"test_{module}.py",
        Path(test_file),
    ]
    for candidate in dict.fromkeys(candidates):
        if candidate.is_file():
            for function, prefixes in _declaration(candidate).items():
                merged[function] = tuple(dict.fromkeys(merged.get(function, ()) + prefixes))
    return merged


@cache
def _declaration(test_file: Path) -> dict[str, tuple[str, ...]]:
    return ownwork.declared_own_work(test_file)


@cache
def own_work_problems(path: Path, declared: tuple) -> dict[str, str]:
    """`{function: message}` for the declared functions of the student's file that are not theirs.

    The file is read as text, never imported; a missing file or link is left to the worker to explain.
    """
    if path.is_symlink() or not path.is_file():
        return {}
    with open(path, "rb") as handle:
        data = handle.read(ownwork.MAX_SOURCE_BYTES + 1)
    return ownwork.check_own_work(data.decode("utf-8", errors="replace"), dict(declared), filename=path.name)


def _target(config) -> Path:
    try:
        return targets.resolve_target(config.getoption("target"))
    except targets.TargetError as error:
        raise pytest.UsageError(str(error)) from None


def _requested_modules(config) -> list[str]:
    """Exercise modules whose graded test files are among the command line's paths."""
    modules = set()
    for arg in config.args:
        path = Path(arg.split("::")[0])
        files = path.rglob("test_ex*.py") if path.is_dir() else [path]
        modules.update(m for m in map(targets.module_of_test_file, files) if m)
    return sorted(modules)


def _timeout(item, config) -> float:
    marker = item.get_closest_marker("graded")
    timeout = marker.kwargs.get("timeout") if marker is not None else None
    return float(timeout or config.getoption("grade_timeout"))


def _partial_score(item, call, points: float) -> float:
    """Partial credit only when the test failed on its checks; any other exception earns nothing."""
    recorded = item.stash.get(CHECKS, None)
    if call.excinfo is None or not call.excinfo.errisinstance(CheckFailed) or recorded is None:
        return 0.0
    return round(points * recorded.fraction, 4)


def _message(item, call, report) -> str:
    """What went wrong, in words for the student, and how to rerun just this test."""
    if report.skipped:
        text = f"Skipped: {report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr}"
    elif call.excinfo is None:
        text = str(report.longreprtext)[-2000:]
    elif call.excinfo.errisinstance((SubmissionError, CheckFailed)):
        text = str(call.excinfo.value)
    else:
        where = "setting up" if report.when == "setup" else "checking"
        text = f"The test failed while {where} your result: {call.excinfo.exconly()[:2000]}"
    return f"{text}\nRerun just this test: {rerun_command(item)}"


def rerun_command(item) -> str:
    """`python -m pytest tests/graded/test_ex01_convolutions.py::test_x --target PATH`."""
    target = item.config.getoption("target") or targets.default_target()
    return f"python -m pytest {item.nodeid} --target {target}"
