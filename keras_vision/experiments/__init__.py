"""The registered experiments of `python -m keras_vision.run`.

Each topic adds its experiments in a module of this package and one line in `_MODULES`; modules
import TensorFlow inside their functions so that `list` and `--help` stay fast.
"""

import importlib

from keras_vision.experiments.base import (
    EXPERIMENTS,
    Experiment,
    Preset,
    RunConfig,
    experiment,
    run_experiment,
)

_MODULES = ("mnist", "mnist_densenet", "cifar100", "folder")

for _module in _MODULES:
    importlib.import_module(f"{__name__}.{_module}")

__all__ = ["EXPERIMENTS", "Experiment", "Preset", "RunConfig", "experiment", "run_experiment"]
