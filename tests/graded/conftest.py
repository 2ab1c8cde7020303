"""Graded tests: the module under grading comes from the `submission` fixture.

Run them against a target: `python -m pytest tests/graded --target exercises|solutions|PATH`.
The machinery (fixtures, the `graded` marker, the worker that runs student code) lives in
`keras_vision.grading.testkit.plugin`; importing it here applies it to the graded tests only.
"""

from keras_vision.grading.testkit.plugin import *  # noqa: F401,F403
