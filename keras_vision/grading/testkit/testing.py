"""Tools for writing graded tests: the `graded` marker, partial credit, and teaching messages.

    from keras_vision.grading.testkit.testing import graded

    @graded(points=3)
    def test_apply_filter_matches_conv2d(submission, checks):
        got = submission.apply_filter(image, kernel)        # runs in the worker
        checks.expect_close(got, reference, "apply_filter(image, kernel)")

`checks.expect(condition, message, weight=1)` records one check. At the end of the test, failed
checks fail it with all their messages, and the test earns `points * passed_weight / total_weight`.
A test that raises for any other reason earns nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from keras_vision.grading.reporting.results import VISIBILITIES


def graded(points: float, *, visibility: str = "visible", timeout: float | None = None):
    """The `graded` pytest marker, checked.

    Args:
        points: What the test is worth (> 0).
        visibility: `"visible"`, `"hidden"` (students see status and points only) or
            `"after_due_date"`. Defaults to `"visible"`.
        timeout: Seconds all calls of student code in this test may take. Defaults to the
            grader's `--timeout` (20 s).

    Raises:
        ValueError: for non-positive points or an unknown visibility.
    """
    if not points > 0:
        raise ValueError(f"`points` must be positive. Received: points={points!r}.")
    if visibility not in VISIBILITIES:
        raise ValueError(f"Unknown visibility {visibility!r}. Valid visibilities: {', '.join(VISIBILITIES)}.")
    return pytest.mark.graded(points=points, visibility=visibility, timeout=timeout)


class CheckFailed(AssertionError):
    """Raised at the end of a test whose checks did not all pass; carries every failed message."""


class Checks:
    """The checks of one test, with weights for partial credit."""

    def __init__(self):
        self.passed_weight = 0.0
        self.total_weight = 0.0
        self.failures: list[str] = []
        self.count = 0

    def expect(self, condition: Any, message: str, weight: float = 1) -> bool:
        """Records one check; `message` explains the failure to the student.

        Returns:
            `bool(condition)`, so later checks can depend on earlier ones.
        """
        ok = bool(condition)
        self.count += 1
        self.total_weight += weight
        if ok:
            self.passed_weight += weight
        else:
            self.failures.append(message)
        return ok

    def expect_shape(self, got: Any, shape: tuple, what: str, weight: float = 1) -> bool:
        """Checks that `got` is an array of `shape`."""
        got_shape = np.shape(got) if _is_numeric(got) else None
        return self.expect(
            got_shape == tuple(shape),
            f"{what}: expected an array of shape {tuple(shape)}, got {describe(got)}.",
            weight,
        )

    def expect_close(
        self,
        got: Any,
        expected: Any,
        what: str,
        *,
        atol: float = 1e-4,
        rtol: float = 1e-4,
        weight: float = 1,
        hint: str = "",
    ) -> bool:
        """Checks that `got` has the shape of `expected` and the same values (within tolerances)."""
        expected = np.asarray(expected)
        if not _is_numeric(got) or np.shape(got) != expected.shape:
            return self.expect(
                False, f"{what}: expected an array of shape {expected.shape}, got {describe(got)}.", weight
            )
        got = np.asarray(got, dtype=np.float64)
        difference = np.abs(got - expected)
        ok = bool(np.all(np.isfinite(got)) and np.allclose(got, expected, atol=atol, rtol=rtol))
        message = ""
        if not ok:
            index = (
                tuple(
                    int(i)
                    for i in np.unravel_index(
                        np.nanargmax(np.where(np.isfinite(difference), difference, np.inf)), difference.shape
                    )
                )
                if difference.size
                else ()
            )
            message = (
                f"{what}: the values differ from the reference; at index {index} expected "
                f"{expected[index]:.6g}, got {got[index]:.6g}." + (f" {hint}" if hint else "")
            )
        return self.expect(ok, message, weight)

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    @property
    def fraction(self) -> float:
        """Weight of passed checks over all checks (1.0 when there were none)."""
        return self.passed_weight / self.total_weight if self.total_weight else 1.0

    def raise_if_failed(self) -> None:
        if self.failures:
            header = f"{len(self.failures)} of {self.count} checks failed:"
            raise CheckFailed("\n".join([header, *(f"- {m}" for m in self.failures)]))


def describe(value: Any) -> str:
    """`"an array of shape (28, 28) and dtype uint8"`, `"None"`, `"a list of length 3"`."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None (did you forget `return`?)"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}: {_short(value)}"
    return f"{type(value).__name__} {_short(value)}"


def _is_numeric(value: Any) -> bool:
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - ragged lists and the like
        return False
    return array.dtype.kind in "biuf"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
