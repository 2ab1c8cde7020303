"""Errors that carry a user-facing explanation.

Every error a user can cause derives from `KerasVisionError`. The CLI prints its message as one
short paragraph (no traceback) and exits with its `exit_code`; library callers catch the usual
built-in type (`FileNotFoundError`, `ValueError`) as well. What is worth saying but does not stop
the work (nothing to resume, no cache) is a `KerasVisionWarning`, which the CLI prints as one
`warning: ...` line.
"""


class KerasVisionError(Exception):
    """Base class: the message says what was wrong and how to fix it."""

    exit_code = 1


class DataNotFoundError(KerasVisionError, FileNotFoundError):
    """A dataset is neither on disk nor downloadable. The message names the files to place where."""

    exit_code = 2


class CorruptDataError(KerasVisionError, ValueError):
    """A data file exists but is truncated or not in the expected format. Names the file."""

    exit_code = 2


class WeightsNotFoundError(KerasVisionError, FileNotFoundError):
    """Pretrained weights are neither cached nor downloadable. Names the file to place where."""

    exit_code = 2


class TrainingDivergedError(KerasVisionError, RuntimeError):
    """The loss became NaN or infinite; training stopped."""

    exit_code = 3


class UsageError(KerasVisionError, ValueError):
    """An argument a user chose is not valid (an unknown name, a bad value). Lists what is valid."""

    exit_code = 2


class ClusterError(KerasVisionError, RuntimeError):
    """A multi-worker run lost a worker, or its workers disagree. Says which, and how to resume."""

    exit_code = 4


class KerasVisionWarning(UserWarning):
    """Something the user should know that does not stop the work; the message says what to do."""
