"""Output formats of grading results: a terminal table, JSON, Gradescope, JUnit XML, a gradebook.

Each format is a function `SubmissionResult -> str`, registered in `FORMATS` with its file suffix.
Student-facing formats (the table and Gradescope) show hidden tests with their status and points
only: no message that would reveal what they check.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

from keras_vision.grading.reporting.results import NotRun, SubmissionResult, TestResult
from keras_vision.registry import Registry

FORMATS: Registry[Callable[..., str]] = Registry("output format")
SUFFIXES = {"table": ".txt", "json": ".json", "gradescope": ".json", "junit": ".xml"}


@FORMATS.register("table")
def to_table(result: SubmissionResult, *, reveal_hidden: bool = False) -> str:
    """A terminal summary: per module earned/max, per test points, status and a one-line reason."""
    lines = [f"Submission {result.submission} ({result.target})"]
    for module in result.modules:
        lines.append(f"\n{module.module}: {format_points(module.score)} / {format_points(module.max_score)} points")
        for test in module.tests:
            status = "PASS" if test.passed else "FAIL"
            points = f"{format_points(test.score)}/{format_points(test.max_score)}"
            reason = "" if test.passed else "  " + _reason(test, reveal_hidden)
            tag = "" if test.visibility == "visible" else f" [{test.visibility}]"
            lines.append(f"  {status} {points:>7}  {test.name}{tag}{reason}")
    lines += ["", *summary_lines(result)]
    for error in result.errors:
        lines.append(f"GRADER ERROR: {error}")
    return "\n".join(lines) + "\n"


@FORMATS.register("json")
def to_json(result: SubmissionResult) -> str:
    """Our own format: `SubmissionResult.to_dict()` (everything, hidden messages included)."""
    return json.dumps(result.to_dict(), indent=2) + "\n"


@FORMATS.register("gradescope")
def to_gradescope(result: SubmissionResult, *, sandbox_note: str | None = None) -> str:
    """Gradescope's `results.json`; hidden tests carry no output, only status and points.

    The top-level `output` (which students see) states the sandbox the code ran in and never quotes
    the grader's own errors (they may hold the runner's log): it only says that there were some.

    Args:
        result: The graded submission.
        sandbox_note: Why no bwrap sandbox was used, when none was. Defaults to None.
    """
    tests = [
        {
            "name": f"{test.module}: {test.name}",
            "score": test.score,
            "max_score": test.max_score,
            "status": "passed" if test.passed else "failed",
            "output": "" if (test.passed or test.hidden) else test.message,
            "visibility": test.visibility,
        }
        for test in result.tests
    ]
    where = {
        "bwrap": "Your code ran in a bubblewrap sandbox (no network, no access to the grader's files).",
        "none": "Your code ran in this submission's own container, without the bubblewrap sandbox"
        + (f" ({sandbox_note})." if sandbox_note else "."),
    }.get(result.sandbox, "")
    lines = [line for line in summary_lines(result) if not line.startswith("Graded WITHOUT a sandbox")]
    if result.errors:
        lines.append(f"The grader reported {len(result.errors)} problem(s) of its own; your instructor can see them.")
    document = {
        "score": result.score,
        "execution_time": round(result.execution_time, 2),
        "output": "\n".join([*lines, *([where] if where else [])]),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(document, indent=2) + "\n"


@FORMATS.register("junit")
def to_junit(result: SubmissionResult) -> str:
    """JUnit XML: one testsuite per module, a failure element (with the message) per failed test."""
    root = ET.Element(
        "testsuites",
        name=result.submission,
        tests=str(len(result.tests)),
        failures=str(sum(not t.passed for t in result.tests)),
        time=f"{result.execution_time:.3f}",
    )
    for module in result.modules:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=module.module,
            tests=str(len(module.tests)),
            failures=str(sum(not t.passed for t in module.tests)),
            time=f"{sum(t.duration for t in module.tests):.3f}",
        )
        for test in module.tests:
            case = ET.SubElement(
                suite, "testcase", classname=module.module, name=test.name, time=f"{test.duration:.3f}"
            )
            properties = ET.SubElement(case, "properties")
            for key, value in (("score", test.score), ("max_score", test.max_score), ("visibility", test.visibility)):
                ET.SubElement(properties, "property", name=key, value=str(value))
            if not test.passed:
                failure = ET.SubElement(case, "failure", message=(test.message.splitlines() or [""])[0][:200])
                failure.text = test.message
    for error in result.errors:
        suite = ET.SubElement(root, "testsuite", name="grader", tests="1", errors="1")
        ET.SubElement(
            ET.SubElement(suite, "testcase", classname="grader", name="run"), "error", message=error[:200]
        ).text = error
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_gradebook(results: list[SubmissionResult], path) -> None:
    """`gradebook.csv`: submission, total, max, one column per module (earned points), notes."""
    modules = sorted({m.module for r in results for m in r.modules})
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "total", "max", *modules, "notes"])
        for result in results:
            scores = [format_points(m.score) if (m := result.module(name)) else "" for name in modules]
            notes = "grader error: " + " | ".join(e.splitlines()[0] for e in result.errors) if result.errors else ""
            if result.sandbox == "none":
                notes = "; ".join(filter(None, ["graded without a sandbox", notes]))
            total, top = format_points(result.score), format_points(result.max_score)
            writer.writerow([result.submission, total, top, *scores, notes])


def summary_lines(result: SubmissionResult) -> list[str]:
    """The closing lines: total, failures, and an honest word about hidden tests."""
    tests = result.tests
    failed = [t for t in tests if not t.passed]
    lines = [f"Total: {format_points(result.score)} / {format_points(result.max_score)} points."]
    if not tests:
        lines.append("No graded test ran.")
    elif failed:
        lines.append(f"{len(failed)} of {len(tests)} tests failed.")
    else:
        lines.append(f"All {len(tests)} tests in this run passed.")
    ran_hidden = [t for t in tests if t.hidden]
    if ran_hidden:
        lines.append(
            f"This run includes {len(ran_hidden)} hidden or after-due-date tests "
            f"({format_points(sum(t.max_score for t in ran_hidden))} points); students see only their status "
            "and points."
        )
    if result.sandbox == "none":
        lines.append(
            "Graded WITHOUT a sandbox (--sandbox none): the submission's code could read and change "
            "what the grader's user can; trust these scores only for code you trust."
        )
    lines += [f"Note: {note}" for note in result.notes]
    if result.not_run:
        lines.append(
            "Not in this run: "
            + "; ".join(_describe_not_run(n) for n in result.not_run)
            + ". Your instructor's grader runs them, so your final score can be lower or higher."
        )
    return lines


def _describe_not_run(entry: NotRun) -> str:
    kind = "hidden" if entry.visibility == "hidden" else "after-due-date"
    plural = "s" if entry.tests != 1 else ""
    unit = "point" if entry.points == 1 else "points"
    return f"{entry.tests} {kind} test{plural} of {entry.module} ({format_points(entry.points)} {unit})"


def _reason(test: TestResult, reveal_hidden: bool) -> str:
    if test.hidden and not reveal_hidden:
        return "(hidden test: status and points only)"
    first = next((line.strip() for line in test.message.splitlines() if line.strip()), "failed")
    if first.endswith("checks failed:"):
        first = next((line.strip("- ").strip() for line in test.message.splitlines()[1:] if line.strip()), first)
    return first[:160]


def format_points(value: float) -> str:
    """`2.5` -> `"2.5"`, `20.0` -> `"20"`: points as people write them."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
