"""The experiments of `python -m keras_vision.run`: declared in `catalog`, run from their modules.

- `options`: run options (`RunConfig`, the option groups, `option`, `inherit`).
- `base`: the contract (`Experiment`, `EXPERIMENTS`, `run_experiment`, the run lock).
- `tables`: headline metrics (`Metric`) and the one results-table writer.
- `catalog`: every experiment's declaration; importing it imports no TensorFlow.
- `mnist`, `mnist_densenet`, `cifar100`, `folder`, ...: `run(config) -> metrics`, one module each.
"""

from keras_vision.experiments import catalog  # noqa: F401  (registers the experiments)
from keras_vision.experiments.base import EXPERIMENTS, Experiment, run_experiment
from keras_vision.experiments.options import (
    ClassifierOptions,
    DataOptions,
    DistributionOptions,
    RunConfig,
    TrainingOptions,
    TransferOptions,
    inherit,
    option,
)
from keras_vision.experiments.tables import Metric

__all__ = [
    "EXPERIMENTS",
    "ClassifierOptions",
    "DataOptions",
    "DistributionOptions",
    "Experiment",
    "Metric",
    "RunConfig",
    "TrainingOptions",
    "TransferOptions",
    "inherit",
    "option",
    "run_experiment",
]
