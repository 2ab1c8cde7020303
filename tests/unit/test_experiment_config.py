"""The experiment contract: presets, overrides, registration and what a run writes."""

import json

import pytest

from keras_vision.experiments import EXPERIMENTS
from keras_vision.experiments.base import Experiment, Preset, RunConfig, experiment, run_experiment
from keras_vision.registry import Registry


@pytest.fixture
def toy(monkeypatch):
    """A registered experiment that records the config it ran with."""
    registry = Registry("experiment")
    monkeypatch.setattr("keras_vision.experiments.base.EXPERIMENTS", registry)
    seen = []

    @experiment("toy", summary="toy", datasets=(), default=Preset(epochs=5, batch_size=32),
                quick=Preset(epochs=1, batch_size=8, train_limit=100))
    def toy_run(config):
        seen.append(config)
        return {"models": {"m": {"test_accuracy": 0.5, "seconds": 1.0}}, "data": {"train": 3}}

    return registry.get("toy"), seen


def test_presets_and_overrides(toy):
    exp, _ = toy
    assert exp.config().epochs == 5 and exp.config().train_limit is None
    quick = exp.config(quick=True)
    assert (quick.epochs, quick.batch_size, quick.train_limit, quick.quick) == (1, 8, 100, True)
    assert exp.config(quick=True, epochs=3, batch_size=None).epochs == 3  # None means "not given"


def test_unknown_setting_is_refused(toy):
    with pytest.raises(ValueError, match="Unknown run settings"):
        toy[0].config(learning_rate=0.1)


def test_run_writes_config_and_metrics(toy, tmp_path):
    exp, seen = toy
    metrics = run_experiment(exp.config(quick=True, out=tmp_path, seed=3))
    written = json.loads((tmp_path / "toy" / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))
    assert written["experiment"] == "toy" and written["models"]["m"]["test_accuracy"] == 0.5
    assert written["config"]["seed"] == 3 and written["config"]["out"] == str(tmp_path)
    assert json.loads((tmp_path / "toy" / "config.json").read_text())["epochs"] == 1
    assert seen[0].run_dir == tmp_path / "toy"


def test_unknown_option_is_refused():
    with pytest.raises(ValueError, match="Unknown experiment options"):
        experiment("x", summary="", datasets=(), default=Preset(1, 1), quick=Preset(1, 1), options=("lr",))


def test_every_experiment_is_complete():
    from keras_vision.data import DATASETS

    for name, exp in EXPERIMENTS.items():
        assert isinstance(exp, Experiment) and exp.summary, name
        assert all(dataset in DATASETS for dataset in exp.datasets), (name, exp.datasets)
        assert exp.quick.epochs <= exp.default.epochs, name
        assert isinstance(exp.config(quick=True), RunConfig)
