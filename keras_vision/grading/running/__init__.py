"""One trusted pytest run per submission, and the grader that starts it and reads its report.

- `runner`: runs pytest with the `testkit` plugin on the graded tests of one submission and writes
  one capped report on a pipe; it never imports student code.
- `prefork`: a fork server that imports pytest and Keras once per grading run and forks runners.
- `grader`: `grade_submission` / `grade_batch`: start a runner, read its report, return results;
  grader failures (a broken sandbox, a runner that died) raise `GraderFailure`, never a score.

May import: `keras_vision.grading.targets`, `.notebook_source`, `.sandbox`, `.reporting`, `.testkit`. Never `.authoring`
or the CLI.
"""
