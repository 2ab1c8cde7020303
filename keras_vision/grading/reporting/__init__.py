"""Results of grading and their output formats.

- `results`: `TestResult`, `ModuleResult`, `SubmissionResult` dataclasses with `to_dict()`.
- `formats`: the table, JSON, Gradescope `results.json`, JUnit XML and the gradebook CSV, with
  hidden tests shown by status and points only.

May import: the standard library and `keras_vision.registry`; nothing else of the grader (a leaf).
"""
