"""The trusted runner reports only the graded tests it collected itself, with their own metadata."""

import pytest

from keras_vision.grading.reporting.results import TestResult
from keras_vision.grading.running.runner import Collector
from keras_vision.grading.sandbox.framing import HEADER, FrameBuffer, FrameTooLarge


def collected(nodeid, points):
    return TestResult(
        name=nodeid.split("::")[-1], module="ex01_convolutions", nodeid=nodeid, max_score=points, status="not run"
    )


def test_results_outside_the_collection_are_dropped_and_scores_clamped():
    collector = Collector()
    collector.collected = [collected("t.py::a", 2.0), collected("t.py::b", 3.0), collected("t.py::c", 1.0)]
    collector.tests = [
        TestResult(
            name="a", module="ex01_convolutions", nodeid="t.py::a", max_score=100.0, score=100.0, status="passed"
        ),
        TestResult(
            name="b",
            module="ex01_convolutions",
            nodeid="t.py::b",
            max_score=3.0,
            score=1.0,
            status="failed",
            message="1 of 3 checks failed",
        ),
        TestResult(
            name="x", module="ex01_convolutions", nodeid="t.py::injected", max_score=50.0, score=50.0, status="passed"
        ),
    ]
    report = {t["nodeid"]: t for t in collector.report(exit_code=1, collect_only=False)["tests"]}
    assert set(report) == {"t.py::a", "t.py::b", "t.py::c"}
    assert (report["t.py::a"]["score"], report["t.py::a"]["max_score"], report["t.py::a"]["status"]) == (
        2.0,
        2.0,
        "passed",
    )
    assert (report["t.py::b"]["score"], report["t.py::b"]["status"]) == (1.0, "failed")
    assert (report["t.py::c"]["score"], report["t.py::c"]["message"]) == (0.0, "The test did not run.")


def test_a_frame_announcing_too_many_bytes_is_refused_before_its_payload():
    frames = FrameBuffer(max_bytes=1000)
    with pytest.raises(FrameTooLarge, match="1,001 bytes; the limit is 1,000"):
        frames.feed(HEADER.pack(1001) + b"x" * 10)
    frames.feed(HEADER.pack(3) + b"abc")
    assert frames.pop() == b"abc"
