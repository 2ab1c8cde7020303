"""`fit` for real on a tiny model: run folder contents, resume after an interruption, divergence."""

import json

import numpy as np
import pytest

from keras_vision.errors import TrainingDivergedError, UsageError
from keras_vision.training import FitResult, fit, read_history_csv, set_seed

keras = pytest.importorskip("keras")


def tiny_data(n=64, seed=0):
    """A linearly separable 2-class problem: class = (x0 + x1 > 0)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return x, y


def tiny_model(learning_rate=0.05, compile=True):
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2, activation="softmax")]
    )
    if compile:
        model.compile(keras.optimizers.SGD(learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class EpochRecorder(keras.callbacks.Callback):
    """Records the epochs that begin, and the weights and optimizer step when training begins."""

    def __init__(self):
        super().__init__()
        self.epochs, self.start_weights, self.start_step = [], None, None

    def on_train_begin(self, logs=None):
        self.start_weights = [w.copy() for w in self.model.get_weights()]
        self.start_step = int(self.model.optimizer.iterations)

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)


class InterruptAt(keras.callbacks.Callback):
    """Simulates Ctrl-C at the start of epoch `epoch` (0-based), after earlier epochs were saved."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


@pytest.fixture(autouse=True)
def _seed():
    set_seed(0)


def test_fit_writes_history_logs_and_model(tmp_path):
    x, y = tiny_data()
    model = tiny_model()
    result = fit(model, (x, y), validation=tiny_data(32, seed=1), epochs=3, batch_size=16, run_dir=tmp_path, verbose=0)
    assert isinstance(result, FitResult)
    assert result.epochs == 3 and result.seconds > 0
    assert result.seconds_per_epoch == pytest.approx(result.seconds / 3)
    assert set(result.history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    assert all(len(values) == 3 for values in result.history.values())
    assert json.loads((tmp_path / "history.json").read_text()) == result.history
    assert read_history_csv(tmp_path / "history.csv") == result.history
    assert result.history["loss"][-1] < result.history["loss"][0]  # it learns
    assert any((tmp_path / "logs").rglob("events.out.tfevents.*"))
    assert not (tmp_path / "backup").exists()  # removed by BackupAndRestore once finished
    saved = keras.models.load_model(tmp_path / "model.keras")  # the model after the last epoch
    np.testing.assert_allclose(saved.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_fit_accepts_datasets_and_builds_an_unbuilt_model(tmp_path):
    import tensorflow as tf

    x, y = tiny_data()
    train = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    model = keras.Sequential([keras.layers.Dense(2, activation="softmax")])  # no Input: unbuilt
    model.compile("adam", "sparse_categorical_crossentropy")
    result = fit(model, train, validation=train, epochs=2, run_dir=tmp_path, verbose=0)
    assert result.epochs == 2 and "val_loss" in result.history


def test_fit_passes_class_weight(tmp_path):
    x, y = tiny_data()
    recorder = EpochRecorder()
    result = fit(
        tiny_model(),
        (x, y),
        epochs=1,
        batch_size=16,
        run_dir=tmp_path,
        class_weight={0: 1.0, 1: 3.0},
        callbacks=[recorder],
        verbose=0,
    )
    assert recorder.epochs == [0] and result.epochs == 1


def test_interrupted_fit_resumes_from_its_last_finished_epoch(tmp_path):
    x, y = tiny_data()
    with pytest.raises(KeyboardInterrupt):
        fit(tiny_model(), (x, y), epochs=3, batch_size=16, run_dir=tmp_path, callbacks=[InterruptAt(1)], verbose=0)
    assert (tmp_path / "backup").is_dir()
    assert len(read_history_csv(tmp_path / "history.csv")["loss"]) == 1
    after_epoch_1 = keras.models.load_model(tmp_path / "model.keras").get_weights()

    recorder = EpochRecorder()
    result = fit(
        tiny_model(), (x, y), epochs=3, batch_size=16, run_dir=tmp_path, resume=True, callbacks=[recorder], verbose=0
    )

    assert recorder.epochs == [1, 2]  # only epochs 2 and 3 ran
    assert recorder.start_step == 64 // 16  # the optimizer (and a schedule) continue from epoch 1
    for restored, saved in zip(recorder.start_weights, after_epoch_1):
        np.testing.assert_array_equal(restored, saved)
    history = json.loads((tmp_path / "history.json").read_text())
    assert result.epochs == 3 and all(len(values) == 3 for values in history.values())
    assert result.history == history
    assert not (tmp_path / "backup").exists()


def test_resuming_a_backup_of_another_model_says_so_before_training(tmp_path):
    x, y = tiny_data()
    with pytest.raises(KeyboardInterrupt):
        fit(tiny_model(), (x, y), epochs=3, batch_size=16, run_dir=tmp_path, callbacks=[InterruptAt(1)], verbose=0)
    wider = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(2, activation="softmax")]
    )
    wider.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy")
    recorder = EpochRecorder()
    with pytest.raises(UsageError, match=r"backup in .*backup does not fit this model .*without --resume"):
        fit(wider, (x, y), epochs=3, batch_size=16, run_dir=tmp_path, resume=True, callbacks=[recorder], verbose=0)
    assert recorder.epochs == [] and (tmp_path / "backup").is_dir()  # nothing trained, the backup kept


def test_fit_without_resume_starts_afresh(tmp_path):
    x, y = tiny_data()
    with pytest.raises(KeyboardInterrupt):
        fit(tiny_model(), (x, y), epochs=3, batch_size=16, run_dir=tmp_path, callbacks=[InterruptAt(2)], verbose=0)
    recorder = EpochRecorder()
    result = fit(tiny_model(), (x, y), epochs=2, batch_size=16, run_dir=tmp_path, callbacks=[recorder], verbose=0)
    assert recorder.epochs == [0, 1]
    assert result.epochs == 2 and len(read_history_csv(tmp_path / "history.csv")["loss"]) == 2


def test_resuming_a_finished_run_warns_and_starts_afresh(tmp_path):
    x, y = tiny_data()
    fit(tiny_model(), (x, y), epochs=2, batch_size=16, run_dir=tmp_path, verbose=0)
    recorder = EpochRecorder()
    with pytest.warns(UserWarning, match="Nothing to resume"):
        result = fit(
            tiny_model(),
            (x, y),
            epochs=2,
            batch_size=16,
            run_dir=tmp_path,
            resume=True,
            callbacks=[recorder],
            verbose=0,
        )
    assert recorder.epochs == [0, 1]
    assert result.epochs == 2  # the old history was replaced, not appended to


def _nan_input_linear():
    """A NaN pixel reaches the loss: the loss is NaN in the first batch."""
    x, y = tiny_data()
    x[5, 0] = np.nan
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model, (x, y), "loss became nan in epoch 1"


def _nan_input_behind_relu():
    """A ReLU turns the NaN activation into 0: the loss stays finite, the weights become NaN."""
    x, y = tiny_data()
    x[5, 0] = np.nan
    return tiny_model(), (x, y), "weights .*kernel hold NaN or infinite values"


def _huge_learning_rate():
    x, _ = tiny_data()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(1e12), "mse")
    return model, (x * 1e3, np.ones((len(x), 1), "float32") * 1e3), r"loss became (nan|inf) in epoch 1"


@pytest.mark.parametrize(
    "make,epochs_run",
    [(_nan_input_linear, [0]), (_huge_learning_rate, [0]), (_nan_input_behind_relu, [0, 1])],
    ids=["nan_input", "huge_learning_rate", "nan_input_behind_relu"],
)
def test_divergence_raises_training_diverged_error(tmp_path, make, epochs_run):
    model, train, cause = make()
    recorder = EpochRecorder()
    advice = "Lower the learning rate.*scaled.*no NaN.*one-hot.*integer"
    with pytest.raises(TrainingDivergedError, match=f"{cause}.*{advice}") as error:
        fit(model, train, epochs=len(epochs_run), batch_size=16, run_dir=tmp_path, callbacks=[recorder], verbose=0)
    assert error.value.exit_code == 3
    assert recorder.epochs == epochs_run  # a NaN loss stops training in its first epoch
    assert len(json.loads((tmp_path / "history.json").read_text())["loss"]) == len(epochs_run)


def _uncompiled():
    return tiny_model(compile=False), tiny_data(), {}


def _mismatched_lengths():
    x, y = tiny_data()
    return tiny_model(), (x, y[:-3]), {}


def _batch_size_with_dataset():
    import tensorflow as tf

    return tiny_model(), tf.data.Dataset.from_tensor_slices(tiny_data()).batch(8), {"batch_size": 8}


def _not_a_pair():
    return tiny_model(), tiny_data()[0], {}


def _zero_epochs():
    return tiny_model(), tiny_data(), {"epochs": 0}


@pytest.mark.parametrize(
    "make,match",
    [
        (_uncompiled, r"call model.compile\(optimizer=..."),
        (_mismatched_lengths, r"same first dimension.*x \(64, 4\), y \(61,\)"),
        (_batch_size_with_dataset, r"dataset.batch\(8\)"),
        (_not_a_pair, r"\(x, y\) tuple of arrays, a tf.data.Dataset or a keras.utils.PyDataset .*Received: ndarray"),
        (_zero_epochs, "`epochs` must be a positive integer"),
    ],
)
def test_fit_rejects_bad_arguments_before_training(tmp_path, make, match):
    model, train, overrides = make()
    with pytest.raises(ValueError, match=match):
        fit(model, train, **{"epochs": 1, "run_dir": tmp_path / "run", **overrides}, verbose=0)
    assert not (tmp_path / "run").exists()
