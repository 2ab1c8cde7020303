"""`TrainingTimer` times the training phase of each epoch, without the validation pass."""

import time

import keras
import numpy as np
import pytest

from keras_vision.training import TrainingTimer


class SlowValidation(keras.callbacks.Callback):
    """Makes every validation pass last at least `seconds`."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_test_end(self, logs=None):
        time.sleep(self.seconds)


def test_validation_is_left_out_and_the_first_epoch_dropped():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = np.zeros((8, 4), "float32"), np.zeros(8, "int64")
    timer = TrainingTimer()
    wall = time.perf_counter()
    model.fit(x, y, validation_data=(x, y), epochs=3, verbose=0, callbacks=[timer, SlowValidation(0.3)])
    wall = time.perf_counter() - wall
    assert len(timer.seconds) == 3
    assert sum(timer.seconds) < wall - 0.9  # the three sleeps of 0.3 s happened outside the timed spans
    assert timer.seconds_per_epoch() == pytest.approx(float(np.median(timer.seconds[1:])))


def test_no_epoch_no_time():
    assert TrainingTimer().seconds_per_epoch() is None
