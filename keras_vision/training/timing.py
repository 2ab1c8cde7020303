"""`TrainingTimer`: the seconds each epoch spends training, without its validation pass.

`FitResult.seconds_per_epoch` is wall time over the whole call: tracing, validation and
checkpoints included. To compare what a data pipeline costs, time only the training phase of each
epoch (from its start to the validation pass, or its end without validation), and take the median
of the epochs after the first (which traces the model).
"""

from __future__ import annotations

import statistics
import time

import keras


class TrainingTimer(keras.callbacks.Callback):
    """Records the training seconds of every epoch in `seconds` (validation left out).

    timer = TrainingTimer()
    model.fit(x, y, validation_data=(x_val, y_val), epochs=5, callbacks=[timer])
    timer.seconds_per_epoch()      # median of epochs 2 to 5
    """

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self._start: float | None = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_test_begin(self, logs=None):
        self._stop()

    def on_epoch_end(self, epoch, logs=None):
        self._stop()

    def _stop(self) -> None:
        if self._start is not None:  # validation runs once per epoch, after training
            self.seconds.append(time.perf_counter() - self._start)
            self._start = None

    def seconds_per_epoch(self) -> float | None:
        """The median training seconds of the epochs after the first (all of them if only one); None before any."""
        if not self.seconds:
            return None
        return statistics.median(self.seconds[1:] or self.seconds)
