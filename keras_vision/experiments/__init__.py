"""The experiments of `python -m keras_vision.run`: declared in `catalog`, run from their modules.

- `base`: the contract (`RunConfig` and `option`, `Experiment`, `EXPERIMENTS`, `run_experiment`).
- `tables`: headline metrics (`Metric`) and the one results-table writer.
- `catalog`: every experiment's declaration; importing it imports no TensorFlow.
- `mnist`, `mnist_densenet`, `cifar100`, `folder`, ...: `run(config) -> metrics`, one module each.
"""

from keras_vision.experiments import catalog  # noqa: F401  (registers the experiments)
from keras_vision.experiments.base import (
    EXPERIMENTS,
    Experiment,
    RunConfig,
    inherit,
    option,
    run_experiment,
)
from keras_vision.experiments.tables import Metric

__all__ = ["EXPERIMENTS", "Experiment", "Metric", "RunConfig", "inherit", "option", "run_experiment"]
