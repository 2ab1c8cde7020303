"""What graded tests are written with: the pytest plugin, markers, partial credit, feedback, own work.

- `testing`: the `graded` marker and `Checks` (weighted checks, partial credit, capped reprs).
- `feedback`: comparing a student's Keras model with a reference, layer by layer, in words.
- `ownwork`: the static half of the `OWN_WORK` check (the submission's source, parsed, never imported).
- `plugin`: the pytest plugin of `tests/graded` (`--target`, the `submission` and `checks` fixtures).

May import: `keras_vision.grading.targets`, `.sandbox` (workers), `.reporting` (results), pytest,
Keras. Never `.running`, `.authoring` or the CLI.
"""
