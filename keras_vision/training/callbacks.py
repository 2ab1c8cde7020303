"""What `fit` keeps in a run folder, and the Keras callbacks that write it.

run_dir/
    history.csv    one row per epoch (CSVLogger), appended to when a run resumes
    history.json   the same numbers as {"loss": [...], ...}, rebuilt from the CSV after fit
    model.keras    the model after the last finished epoch (ModelCheckpoint)
    backup/        weights, optimizer state and epoch of an unfinished run (BackupAndRestore);
                   deleted when the run finishes
    logs/          TensorBoard event files: `tensorboard --logdir run_dir/logs`
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import keras

from keras_vision.errors import KerasVisionWarning

#: `verbose` names -> Keras' `fit(verbose=...)`: 1 is a progress bar, 2 one line per epoch.
VERBOSITY = {"bar": 1, "epoch": 2, "silent": 0}


@dataclass(frozen=True)
class RunPaths:
    """The files of one training run inside `run_dir`."""

    run_dir: Path

    @property
    def history_csv(self) -> Path:
        return self.run_dir / "history.csv"

    @property
    def history_json(self) -> Path:
        return self.run_dir / "history.json"

    @property
    def model(self) -> Path:
        return self.run_dir / "model.keras"

    @property
    def backup(self) -> Path:
        return self.run_dir / "backup"

    @property
    def logs(self) -> Path:
        return self.run_dir / "logs"


def prepare_run_dir(run_dir: str | Path, *, resume: bool) -> RunPaths:
    """Creates `run_dir`; for a fresh start, removes a previous run's backup, history and logs.

    Args:
        run_dir: The run folder.
        resume: Keep what is there, so that `BackupAndRestore` continues an interrupted run.
            Without a backup (the run finished, or never saved an epoch) there is nothing to
            resume: a warning says so and the run starts afresh.

    Returns:
        The run's `RunPaths`.
    """
    paths = RunPaths(Path(run_dir))
    paths.run_dir.mkdir(parents=True, exist_ok=True)
    if resume and not paths.backup.is_dir():
        warnings.warn(
            f"Nothing to resume in {paths.run_dir} (no backup/ of an unfinished run): starting at epoch 1.",
            KerasVisionWarning,
            stacklevel=2,
        )
        resume = False
    if not resume:
        for folder in (paths.backup, paths.logs):
            shutil.rmtree(folder, ignore_errors=True)
        paths.history_csv.unlink(missing_ok=True)
    return paths


def progress_verbosity(verbose: str | int, stream=None) -> int:
    """Keras' `verbose` for a run: a progress bar on a terminal, one line per epoch in a log.

    Keras' own "auto" draws the bar everywhere, which writes thousands of carriage-return updates
    into a log file or CI output.

    Args:
        verbose: `"auto"`, `"bar"`, `"epoch"`, `"silent"`, or Keras' 0, 1, 2 (also as text).
        stream: Where the progress goes. Defaults to `sys.stdout`.

    Raises:
        ValueError: for any other value.
    """
    if str(verbose) in ("0", "1", "2"):
        return int(verbose)
    if verbose == "auto":
        stream = sys.stdout if stream is None else stream
        return 1 if getattr(stream, "isatty", lambda: False)() else 2
    if verbose not in VERBOSITY:
        raise ValueError(f"`verbose` must be one of auto, {', '.join(VERBOSITY)}, 0, 1 or 2. Received: {verbose!r}.")
    return VERBOSITY[verbose]


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stops training at the first batch where ANY logged loss (`loss`, `d_loss`, `g_loss`, ...) is NaN/inf.

    Keras' `TerminateOnNaN` watches `loss` alone, so a GAN's `g_loss` could go NaN unnoticed.
    `diverged` keeps `(name, value, epoch)` of the first such value for the error message.
    """

    def __init__(self):
        super().__init__()
        self.diverged: tuple[str, float, int] | None = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for key, value in (logs or {}).items():
            if "loss" in key and not math.isfinite(float(value)):
                self.diverged = self.diverged or (key, float(value), self._epoch + 1)
                self.model.stop_training = True


def run_callbacks(paths: RunPaths) -> list[keras.callbacks.Callback]:
    """The callbacks `fit` always uses, in the order Keras calls them at the end of an epoch.

    `CSVLogger` appends, so a resumed run continues the same file (`prepare_run_dir` removed it
    for a fresh run). `BackupAndRestore` comes first so that it restores the state before the
    others start, and saves an epoch only once the epoch is complete.

    Args:
        paths: The run's files.

    Returns:
        `BackupAndRestore`, `StopOnNonFiniteLoss`, `CSVLogger`, `ModelCheckpoint` and, when the
        `tensorboard` package is installed (TensorFlow >= 2.20 no longer installs it),
        `TensorBoard`; without it a warning says how to install it.
    """
    callbacks = [
        keras.callbacks.BackupAndRestore(str(paths.backup)),
        StopOnNonFiniteLoss(),
        keras.callbacks.CSVLogger(str(paths.history_csv), append=True),
        keras.callbacks.ModelCheckpoint(str(paths.model)),
    ]
    if importlib.util.find_spec("tensorboard") is None:
        warnings.warn(
            f"TensorBoard logs are not written to {paths.logs}: `pip install tensorboard`.",
            KerasVisionWarning,
            stacklevel=2,
        )
    else:
        callbacks.append(keras.callbacks.TensorBoard(str(paths.logs)))
    return callbacks


def read_history_csv(path: str | Path, *, with_epochs: bool = False):
    """Reads a `CSVLogger` file into `{"loss": [...], "val_loss": [...], ...}`, one value per epoch.

    The `epoch` column is dropped: position `i` of every list is epoch `i + 1`. Columns that are
    all "NA" are dropped too (Keras writes `val_` columns even when there is no validation data).

    Args:
        path: A `history.csv` written by `keras.callbacks.CSVLogger`.
        with_epochs: Also return the number of epochs (rows), whatever the metrics are called.

    Returns:
        The metrics by name (empty when the file does not exist or has no rows); with
        `with_epochs`, `(epochs, metrics)`.
    """
    path = Path(path)
    rows = []
    if path.exists():
        with path.open(newline="") as file:
            rows = list(csv.DictReader(file))
    keys = [key for key in (rows[0] if rows else {}) if key != "epoch"]
    keys = [key for key in keys if any(row[key] not in _MISSING for row in rows)]
    history = {key: [_to_float(row[key]) for row in rows] for key in keys}
    return (len(rows), history) if with_epochs else history


_MISSING = ("", "NA")


def _to_float(text: str) -> float:
    return math.nan if text in _MISSING else float(text)


def write_history_json(history: dict[str, list[float]], path: str | Path) -> Path:
    """Writes a history as JSON; NaN and infinities (a diverged run) become `null`."""
    clean = {key: [v if math.isfinite(v) else None for v in values] for key, values in history.items()}
    Path(path).write_text(json.dumps(clean, indent=2) + "\n")
    return Path(path)
