"""What an experiment is: a registered function of one frozen `RunConfig` returning its metrics.

An experiment declares a default preset and a `quick` preset (fewer epochs, a data subset) so that
every experiment can be smoke-tested in seconds. `run_experiment` resolves the configuration,
seeds everything, keeps the resolved configuration beside the outputs (`config.json`) and writes
`metrics.json`:

    {"experiment": "mnist",
     "models": {"<variant>": {"test_accuracy": 0.991, "seconds": 93.2, ...}},
     "data": {"train": 60000, "test": 10000, "source": "..."},
     ...}
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from keras_vision.registry import Registry

#: Options an experiment may accept beyond the common ones; the CLI adds them on demand.
OPTIONAL_OPTIONS = ("arch", "weights")


@dataclass(frozen=True)
class Preset:
    """Defaults an experiment runs with unless the command line says otherwise.

    `train_limit` / `test_limit` keep the first N examples of each split (None keeps all).
    """

    epochs: int
    batch_size: int
    train_limit: int | None = None
    test_limit: int | None = None
    arch: str | None = None
    weights: str | None = None


@dataclass(frozen=True)
class RunConfig:
    """The fully resolved settings of one run; saved as `config.json` in the run folder."""

    experiment: str
    epochs: int
    batch_size: int
    out: Path = Path("runs")
    data_dir: Path | None = None
    quick: bool = False
    seed: int = 0
    strategy: str = "default"
    resume: bool = False
    train_limit: int | None = None
    test_limit: int | None = None
    arch: str | None = None
    weights: str | None = None
    verbose: int | str = "auto"

    @property
    def run_dir(self) -> Path:
        """`OUT/EXPERIMENT`: where this run writes everything."""
        return Path(self.out) / self.experiment

    def variant_dir(self, variant: str) -> Path:
        """`OUT/EXPERIMENT/VARIANT`: checkpoints, history and logs of one model variant."""
        return self.run_dir / variant

    def to_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(self).items()}


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: its function, one-line summary, datasets and presets."""

    name: str
    run: Callable[[RunConfig], dict]
    summary: str
    datasets: tuple[str, ...]
    default: Preset
    quick: Preset
    options: tuple[str, ...] = ()

    def config(self, *, quick: bool = False, **overrides) -> RunConfig:
        """Resolves a `RunConfig`: explicit overrides (not None) win over the chosen preset."""
        preset = dataclasses.asdict(self.quick if quick else self.default)
        given = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(given) - {f.name for f in dataclasses.fields(RunConfig)}
        if unknown:
            raise ValueError(f"Unknown run settings {sorted(unknown)} for experiment {self.name!r}.")
        return RunConfig(experiment=self.name, quick=quick, **{**preset, **given})


EXPERIMENTS: Registry[Experiment] = Registry("experiment")


def experiment(
    name: str,
    *,
    summary: str,
    datasets: tuple[str, ...],
    default: Preset,
    quick: Preset,
    options: tuple[str, ...] = (),
) -> Callable[[Callable[[RunConfig], dict]], Callable[[RunConfig], dict]]:
    """Registers the decorated function as experiment `name`.

    Args:
        name: The name used on the command line (`python -m keras_vision.run NAME`).
        summary: One line for `python -m keras_vision.run list`.
        datasets: Names in `keras_vision.data.DATASETS` the experiment reads.
        default: The preset of a full run.
        quick: The preset of `--quick`: a few minutes at most on a 2-core CPU.
        options: Extra command-line options it accepts, from `OPTIONAL_OPTIONS`.
    """
    bad = set(options) - set(OPTIONAL_OPTIONS)
    if bad:
        raise ValueError(f"Unknown experiment options {sorted(bad)}. Valid: {OPTIONAL_OPTIONS}.")

    def register(fn: Callable[[RunConfig], dict]) -> Callable[[RunConfig], dict]:
        EXPERIMENTS.register(
            name,
            Experiment(name, fn, summary, tuple(datasets), default, quick, tuple(options)),
        )
        return fn

    return register


def write_json(path: Path, payload: Mapping) -> Path:
    """Writes `payload` as indented JSON, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=_jsonable) + "\n")
    return path


def _jsonable(value):
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"Cannot write {type(value).__name__} to JSON")


def run_experiment(config: RunConfig) -> dict:
    """Runs one experiment end to end and writes `config.json` and `metrics.json`.

    Returns:
        The metrics dictionary, with `experiment`, `config` and `seconds` filled in.
    """
    from keras_vision.training.seed import set_seed

    exp = EXPERIMENTS.get(config.experiment)
    config.run_dir.mkdir(parents=True, exist_ok=True)
    write_json(config.run_dir / "config.json", config.to_dict())
    set_seed(config.seed)
    start = time.perf_counter()
    metrics = dict(exp.run(config))
    metrics = {
        "experiment": exp.name,
        **metrics,
        "config": config.to_dict(),
        "seconds": round(time.perf_counter() - start, 2),
    }
    write_json(config.run_dir / "metrics.json", metrics)
    return metrics

