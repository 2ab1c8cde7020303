"""Where student code runs, and how its values come back: the only code that touches a submission.

- `isolation`, `resources`: where a worker runs (a bubblewrap sandbox or a plain subprocess) and
  the limits on all its processes (cgroups, rlimits, parent-death signals); `preflight` proves a
  sandbox works before anyone is graded; `zygote`: one bubblewrap sandbox that imports Keras once
  per grading run and forks each worker into namespaces of its own.
- `worker`: the process inside the sandbox that imports ONE student module and calls its functions;
  `guard`: the runtime half of the own-work check, active in the worker while a declared function runs.
- `remote`: the trusted side of a worker (`Worker`, `RemoteModule`): start, call, enforce limits,
  replace a dead worker.
- `framing`, `codec`: capped length-prefixed frames and the tagged-JSON codec (never pickle), with
  bounded model rebuilding.

May import: `keras_vision.grading.targets` and the standard library, NumPy (and Keras lazily, for
models). Never `.testkit`, `.reporting`, `.running`, `.authoring` or pytest: the worker must start
with as little as possible.
"""
