"""Finding what a run left behind: its trained `.keras` model and its configuration.

A run folder (`runs/mnist/`) holds one folder per model variant, each with `final.keras` (the
model at the end) and `model.keras` (the last checkpoint), and `config.json` with the options of
the run. Plain Python: no TensorFlow.
"""

from __future__ import annotations

import json
from pathlib import Path

from keras_vision.errors import UsageError

#: Model files of a variant folder, best first.
MODEL_FILES = ("final.keras", "model.keras")


def find_model_file(run: str | Path, *, variant: str | None = None) -> Path:
    """The trained model of a run folder, or the `.keras` file given itself.

    Args:
        run: A run folder (`runs/mnist`), a variant folder (`runs/mnist/classic_cnn`) or a `.keras` file.
        variant: The variant folder to take when the run has several. Defaults to the only one.

    Returns:
        The path of the `.keras` file.

    Raises:
        UsageError: if `run` does not exist, holds no model, or holds several and `variant` is not given.
    """
    run = Path(run)
    if run.is_file():
        if run.suffix != ".keras":
            raise UsageError(f"{run} is not a Keras model file (.keras) nor a run folder. Pass a run folder.")
        return run
    if not run.is_dir():
        raise UsageError(f"No run folder at {run}. Train one first, e.g. python -m keras_vision.run mnist.")
    models = {}
    for folder in [run, *sorted(p for p in run.iterdir() if p.is_dir())]:
        found = next((folder / name for name in MODEL_FILES if (folder / name).is_file()), None)
        if found is not None:
            models[folder.name] = found
    if variant is not None:
        if variant not in models:
            raise UsageError(
                f"Run {run} has no model of variant {variant!r}. Its models: {', '.join(models) or 'none'}."
            )
        return models[variant]
    if not models:
        raise UsageError(
            f"{run} holds no trained model (no {' or '.join(MODEL_FILES)} in it or its variant folders). "
            "Pass the folder of a finished run, e.g. runs/mnist."
        )
    if len(models) > 1:
        raise UsageError(f"Run {run} holds several models: {', '.join(models)}. Pass one folder, e.g. {run}/NAME.")
    return next(iter(models.values()))


def read_run_config(model_file: str | Path) -> dict:
    """The `config.json` of the run that trained `model_file` (searched upwards), or `{}`."""
    for folder in Path(model_file).resolve().parents[:3]:
        config = folder / "config.json"
        if config.is_file():
            try:
                return json.loads(config.read_text())
            except (OSError, ValueError):
                return {}
    return {}
