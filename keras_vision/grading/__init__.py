"""The course layer: exercises generated from solutions, a trustworthy autograder, the handout.

Modules, in the order data flows through them:

- `assign`: `solutions/exNN_<topic>.py` -> `exercises/exNN_<topic>.py` (marked regions become stubs).
- `testing`, `feedback`: what graded tests are written with (`graded`, `Checks`, layer comparison).
- `plugin`: the pytest plugin of `tests/graded` (`--target`, the `submission` and `checks` fixtures).
- `sandbox`, `worker`, `codec`, `framing`: student code runs only in worker subprocesses, with time,
  memory and output limits; values cross back as tagged JSON, never pickle, in capped frames.
- `isolation`, `resources`: where a worker runs (`Sandbox`: bubblewrap namespaces with a private
  copy of the file, or a plain subprocess) and the limits on all its processes (cgroups, rlimits,
  parent-death signals).
- `ownwork`: the `OWN_WORK` declarations of graded test modules, checked on the submission's source.
- `runner`, `grader`, `prefork`: one trusted pytest run per submission, reporting on a pipe,
  forked from a server that imports pytest and Keras once per grading run.
- `results`, `formats`, `cli`: dataclasses, output formats, and `python -m keras_vision.grade`.
- `handout`: the student copy.

Adding a graded module (e.g. `ex05_transfer_learning`) touches no grader code; modules are found
by file name:

1. Write `solutions/ex05_transfer_learning.py`: a module docstring telling the story, then the
   functions in the order a student meets them, the answers inside BEGIN/END SOLUTION comment
   markers (or a one-line SOLUTION comment marker on an assignment).
2. Run `python -m keras_vision.grade generate` (commit the new `exercises/` file; CI runs
   `generate --check`).
3. Write `tests/graded/test_ex05_transfer_learning.py` (visible) and
   `tests/graded/hidden/test_ex05_transfer_learning_hidden.py`; each test is decorated with
   `@graded(points=..., visibility=...)` from `keras_vision.grading.testing`, takes the
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
