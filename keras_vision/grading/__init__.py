"""The course layer: exercises generated from solutions, a trustworthy autograder, the handout.

Subpackages, lowest first (each may import only those before it; `targets` is a leaf):

- `targets`: where things are (the repository, the graded tests, a target's exercise files).
- `notebook_source`: a notebook submission's code cells as the module they make (imports `targets`).
- `sandbox/`: where student code runs (bubblewrap or a subprocess), the worker, its limits, and the
  capped frames and codec that bring values back.
- `reporting/`: result dataclasses and output formats (table, JSON, Gradescope, JUnit, gradebook).
- `testkit/`: what graded tests are written with: the pytest plugin, `graded`, `Checks`, layer
  feedback, and the `OWN_WORK` check.
- `running/`: one trusted pytest run per submission (runner, fork server) and the grader around it.
- `authoring/`: exercises from solutions, the student handout, the Gradescope bundle.
- `cli`: `python -m keras_vision.grade` (the only importer of `authoring` and of the whole grader).

Adding a graded module (e.g. `ex05_transfer_learning`) touches no grader code; modules are found
by file name:

1. Write `solutions/ex05_transfer_learning.py`: a module docstring telling the story, then the
   functions in the order a student meets them, the answers inside BEGIN/END SOLUTION comment
   markers (or a one-line SOLUTION comment marker on an assignment).
2. Run `python -m keras_vision.grade generate` (commit the new `exercises/` file; CI runs
   `generate --check`).
3. Write `tests/graded/test_ex05_transfer_learning.py` (visible) and
   `tests/graded/hidden/test_ex05_transfer_learning_hidden.py`; each test is decorated with
   `@graded(points=..., visibility=...)` from `keras_vision.grading.testkit.testing`, takes the
   `submission` fixture (the student's module, run in a worker) and usually `checks`, and takes
   its reference values from the library or Keras, never from the solution. Import what the
   references need at the top of the test file (so it is loaded before any student code runs).
   Where a function must be the student's own work, declare at module level of the visible test
   file `OWN_WORK = {"function": ("dotted.prefix", ...)}` (a literal dict; it covers the hidden
   tests of the module too): tests that call `submission.function` then fail when the student's
   code for it uses any of those prefixes.
4. Check: `python -m pytest tests/graded --target solutions` scores everything,
   `--target exercises` nothing.
"""
