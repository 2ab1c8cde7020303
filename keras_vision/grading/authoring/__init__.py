"""What instructors produce from the course: exercises from solutions, the student handout, the
Gradescope autograder bundle.

- `assign`: `solutions/exNN_<topic>.py` -> `exercises/exNN_<topic>.py` (marked regions become stubs).
- `notebooks`: the same as exercise and solution notebooks (`notebook_figures`: their pictures).
- `handout`: the student copy (library, exercises, visible tests, a manifest of the hidden ones).
- `gradescope`: `autograder.zip` with `setup.sh` and `run_autograder`.

May import: `keras_vision.grading.targets`, `.notebook_source`, `.testkit` (for check-yourself cells),
`.reporting`, `.running` (the handout collects the graded tests through a runner). Imported by: the CLI only.
"""
