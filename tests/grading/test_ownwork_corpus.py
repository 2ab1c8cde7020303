"""The own-work corpus (`ownwork_corpus/`): bypasses score 11/20, honest variants 20/20.

Three layers, fastest first:

- the static check alone (`check_own_work` on the source), per file: what it refuses and why;
- the runtime guard alone (a worker with the declaration, the static check not consulted), per file:
  calling `apply_filter` and `max_pool` on the graded inputs;
- end to end (slow): the whole corpus graded by `python -m keras_vision.grade` in the bwrap sandbox,
  each file earning exactly the score its docstring states.

A bypass must be stopped by at least one of the two checks, for both functions; an honest variant
by neither, and its answers must equal the library's.
"""

import ast
import json
import re
import shutil

import numpy as np
import pytest
from grading_helpers import META_MEMORY_MB, META_TIMEOUT, MODULE, REPO, patched_solution, run_grader

from keras_vision.convolution import convolve2d, max_pool2d
from keras_vision.grading.reporting.results import SubmissionResult
from keras_vision.grading.sandbox.isolation import bwrap_problem
from keras_vision.grading.sandbox.remote import Limits, SubmissionError, Worker
from keras_vision.grading.testkit.ownwork import check_own_work, declared_own_work

CORPUS = REPO / "tests" / "grading" / "ownwork_corpus"
FILES = sorted(CORPUS.glob("*.py"))
DECLARED = declared_own_work(REPO / "tests" / "graded" / f"test_{MODULE}.py")
#: Files the static check cannot decide (no name of the library in the source): the runtime guard must.
STATIC_BLIND = {
    "attempt_attrgetter",
    "attempt_fork_server",
    "attempt_thread_server",
    "attempt_raw_thread_server",
    "attempt_thread_drops_watch",
    "attempt_thread_profile_hook",
}


def stated_score(path) -> float:
    first = ast.get_docstring(ast.parse(path.read_text())).splitlines()[0]
    return float(re.search(r"scores (\d+(?:\.\d+)?)/20\.$", first).group(1))


def is_bypass(path) -> bool:
    return not path.stem.startswith("honest_")


def test_corpus_states_its_scores():
    assert len([f for f in FILES if f.stem.startswith("attempt_")]) >= 10
    for path in FILES:
        assert stated_score(path) == (11 if is_bypass(path) else 20), path.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_static_check(path):
    refused = check_own_work(patched_solution(path), DECLARED, filename=f"{MODULE}.py")
    if not is_bypass(path):
        assert refused == {}, refused
    elif path.stem not in STATIC_BLIND:
        assert set(refused) == {"apply_filter", "max_pool"}, path.name


@pytest.fixture(scope="module")
def inputs():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (9, 11)).astype(np.float32), rng.normal(size=(3, 3)).astype(np.float32)


#: Bypasses that still earn points, with why: open work of issue 23. Each is a strict xfail below,
#: so the test says so the day it is caught.
KNOWN_HOLES: dict[str, str] = {}


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=KNOWN_HOLES[p.stem]))
        if p.stem in KNOWN_HOLES
        else p
        for p in FILES
    ],
    ids=lambda p: p.stem,
)
def test_runtime_guard(path, tmp_path, inputs):
    """The worker alone (no static check): a bypass's calls fail naming own work; honest ones answer."""
    image, kernel = inputs
    (tmp_path / f"{MODULE}.py").write_text(patched_solution(path))
    worker = Worker(MODULE, tmp_path / f"{MODULE}.py", limits=Limits(timeout=60, import_timeout=120))
    worker.own_work = dict(DECLARED)
    try:
        for function, args, reference in (
            ("apply_filter", (image, kernel), convolve2d(image, kernel)),
            ("max_pool", (image, 2), max_pool2d(image, 2)),
        ):
            if is_bypass(path):  # a forked helper ends when it reaches the library: its parent waits in vain
                refused = "must be your own work|could not be imported" + ("|timed out" if "fork" in path.stem else "")
                with pytest.raises(SubmissionError, match=refused):
                    worker.call(function, args, timeout=15)
            else:
                np.testing.assert_allclose(worker.call(function, args), reference, rtol=1e-5, atol=1e-4)
    finally:
        worker.close()


@pytest.mark.slow
def test_corpus_graded_end_to_end(tmp_path):
    problem = bwrap_problem()
    if problem is not None:
        pytest.skip(f"needs the bwrap sandbox: {problem}")
    folder = tmp_path / "submissions"
    for path in FILES:
        (folder / path.stem).mkdir(parents=True)
        (folder / path.stem / f"{MODULE}.py").write_text(patched_solution(path))
    shutil.copytree(REPO / "solutions", folder / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"
    process = run_grader(
        *("--target", str(folder), "--format", "json", "--out", str(out), "--modules", MODULE),
        *("--timeout", str(META_TIMEOUT), "--memory-mb", str(META_MEMORY_MB), "--jobs", "2"),
        timeout=3600,
    )
    assert process.returncode == 0, process.stderr[-3000:]
    scores = {p.stem: SubmissionResult.from_dict(json.loads(p.read_text())).score for p in out.glob("*.json")}
    assert scores.pop("solutions") == 20
    expected = {path.stem: stated_score(path) for path in FILES}
    for hole in KNOWN_HOLES:  # xfailed by name in test_runtime_guard
        scores.pop(hole), expected.pop(hole)
    assert scores == expected
