"""Seeded, checkpointed, resumable training.

- `set_seed`: one seed for Python, NumPy and TensorFlow/Keras.
- `step_decay`, `cosine_decay`, `epochs_to_steps`: learning-rate schedules.
- `get_strategy`, `STRATEGIES`, `split_cpu`, `read_tf_config`: distribution strategies by name;
  `training.cluster` checks a multi-worker cluster, `training.distributed` trains on it.
- `fit`, `FitResult`: `model.fit` with a run folder (history, TensorBoard logs, last model,
  backup to resume from, divergence check); `RunPaths`, `read_history_csv` describe that folder.
- `balanced_class_weights`: class weights for imbalanced labels.
- `whole_batches`, `predict_in_whole_batches`: one batch size, so a big model is traced once.
- `TrainingTimer`: the training seconds of each epoch, validation left out (`timing`).

Importing this package imports TensorFlow (`fit`, `batching`, `strategy` need it); the command
line's `list` and `--help` never import it (the catalog keeps the strategy names as plain strings,
checked against `STRATEGIES` by a test).
"""

from keras_vision.training.batching import predict_in_whole_batches, whole_batches
from keras_vision.training.callbacks import RunPaths, read_history_csv
from keras_vision.training.class_weights import balanced_class_weights
from keras_vision.training.fit import FitResult, fit
from keras_vision.training.schedules import cosine_decay, epochs_to_steps, step_decay
from keras_vision.training.seed import set_seed
from keras_vision.training.strategy import STRATEGIES, get_strategy, read_tf_config, split_cpu
from keras_vision.training.timing import TrainingTimer

__all__ = [
    "FitResult",
    "RunPaths",
    "STRATEGIES",
    "TrainingTimer",
    "balanced_class_weights",
    "cosine_decay",
    "epochs_to_steps",
    "fit",
    "get_strategy",
    "read_history_csv",
    "read_tf_config",
    "set_seed",
    "split_cpu",
    "step_decay",
    "predict_in_whole_batches",
    "whole_batches",
]
