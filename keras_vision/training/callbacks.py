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
import warnings
from dataclasses import dataclass
from pathlib import Path


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
        warnings.warn(f"Nothing to resume in {paths.run_dir} (no backup/ of an unfinished run): starting at epoch 1.")
        resume = False
    if not resume:
        for folder in (paths.backup, paths.logs):
            shutil.rmtree(folder, ignore_errors=True)
        paths.history_csv.unlink(missing_ok=True)
    return paths


def run_callbacks(paths: RunPaths) -> list[keras.callbacks.Callback]:
    """The callbacks `fit` always uses, in the order Keras calls them at the end of an epoch.

    `CSVLogger` appends, so a resumed run continues the same file (`prepare_run_dir` removed it
    for a fresh run). `BackupAndRestore` comes first so that it restores the state before the
    others start, and saves an epoch only once the epoch is complete.

    Args:
        paths: The run's files.

    Returns:
        `BackupAndRestore`, `TerminateOnNaN`, `CSVLogger`, `ModelCheckpoint` and, when the
        `tensorboard` package is installed (TensorFlow >= 2.20 no longer installs it),
        `TensorBoard`; without it a warning says how to install it.
    """
    import keras

    callbacks = [
        keras.callbacks.BackupAndRestore(str(paths.backup)),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.CSVLogger(str(paths.history_csv), append=True),
        keras.callbacks.ModelCheckpoint(str(paths.model)),
    ]
    if importlib.util.find_spec("tensorboard") is None:
        warnings.warn(f"TensorBoard logs are not written to {paths.logs}: `pip install tensorboard`.")
    else:
        callbacks.append(keras.callbacks.TensorBoard(str(paths.logs)))
    return callbacks


def read_history_csv(path: str | Path) -> dict[str, list[float]]:
    """Reads a `CSVLogger` file into `{"loss": [...], "val_loss": [...], ...}`, one value per epoch.

    The `epoch` column is dropped: position `i` of every list is epoch `i + 1`. Columns that are
    all "NA" are dropped too (Keras writes `val_` columns even when there is no validation data).

    Args:
        path: A `history.csv` written by `keras.callbacks.CSVLogger`.

    Returns:
        The metrics by name; empty when the file does not exist or has no rows.
    """
    path = Path(path)
    if not path.exists():
        return {}
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    keys = [key for key in (rows[0] if rows else {}) if key != "epoch"]
    keys = [key for key in keys if any(row[key] not in _MISSING for row in rows)]
    return {key: [_to_float(row[key]) for row in rows] for key in keys}


_MISSING = ("", "NA")


def _to_float(text: str) -> float:
    return math.nan if text in _MISSING else float(text)


def write_history_json(history: dict[str, list[float]], path: str | Path) -> Path:
    """Writes a history as JSON; NaN and infinities (a diverged run) become `null`."""
    clean = {key: [v if math.isfinite(v) else None for v in values] for key, values in history.items()}
    Path(path).write_text(json.dumps(clean, indent=2) + "\n")
    return Path(path)
