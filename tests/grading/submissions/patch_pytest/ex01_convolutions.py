"""Adversarial: patches pytest so that every report says "passed", then returns None everywhere; scores 0/20.

If pytest ran in this process, every graded test would look passed. It does not: this code runs in
the worker, and the trusted runner's pytest is untouched.
"""

import _pytest.reports
import _pytest.runner
import pytest

_pytest.reports.TestReport.outcome = property(lambda self: "passed", lambda self, value: None)
_pytest.reports.TestReport.passed = property(lambda self: True)
_pytest.reports.TestReport.failed = property(lambda self: False)
_original = _pytest.runner.call_and_report


def _always_passed(item, when, log=True, **kwargs):
    report = _original(item, when, log=False, **kwargs)
    return report


_pytest.runner.call_and_report = _always_passed
pytest.fail = lambda *args, **kwargs: None
pytest.hookimpl = lambda *args, **kwargs: (lambda function: function)


def normalize_images(images):
    return None


def apply_filter(image, kernel):
    return None


def vertical_edge_kernel():
    return None


def max_pool(image, size=2):
    return None


def build_classic_cnn(input_shape=(28, 28, 1), num_classes=10):
    return None


def conv_output_shape(input_shape, layers):
    return None
