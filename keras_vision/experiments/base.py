"""The experiment contract: an experiment is a module with `run(config) -> metrics`, declared once.

An `Experiment` declaration (see `keras_vision.experiments.catalog`) names the module that runs
it, its options, its `--quick` preset and its headline metrics, and imports nothing heavy, so
that `python -m keras_vision.run list` and `--help` stay instant. Its options are a frozen
dataclass: `RunConfig` holds the options every experiment shares, a subclass adds its own, each
declared with `option(default, help=..., choices=...)`. The command-line flags, `--help`, the
`--quick` preset and `config.json` all come from that one dataclass.

`run_experiment(config)` imports the module, seeds everything, writes `config.json`, runs it,
writes `metrics.json` and the headline table (`results.md`, `results.csv`):

    {"experiment": "mnist",
     "models": {"<variant>": {"test_accuracy": 0.991, "seconds": 93.2, ...}},
     "data": {"train": 60000, "test": 10000, "source": "..."},
     "config": {...}, "seconds": 120.4, "tables": ["runs/mnist/results.md", ...]}
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keras_vision.errors import UsageError
from keras_vision.experiments.options import RunConfig, writing
from keras_vision.experiments.tables import Metric, format_markdown, result_rows, write_tables
from keras_vision.files import write_json
from keras_vision.registry import Registry


@dataclass(frozen=True)
class Experiment:
    """A declared experiment. Declaring it imports nothing: `module` is imported to run it.

    Attributes:
        name: The name on the command line (`python -m keras_vision.run NAME`).
        module: Dotted name of the module whose `run(config) -> dict` runs it, or
            `"package.module:function"` for another function name.
        summary: One line for `run list`.
        config: Its options: `RunConfig` or a subclass. Defaults to `RunConfig`.
        quick: Option values of the `--quick` preset (a few minutes at most on a 2-core CPU).
        headline: The metrics of its results table, read from each entry of `metrics[section]`.
        section: The key of `metrics.json` holding `{variant: {metric: value}}`, or several keys
            (their rows are named `section/variant`). Defaults to `models`.
        datasets: Names in `keras_vision.data.DATASETS` it reads.
    """

    name: str
    module: str
    summary: str
    config: type[RunConfig] = RunConfig
    quick: Mapping[str, Any] = field(default_factory=dict)
    headline: tuple[Metric, ...] = ()
    section: str | tuple[str, ...] = "models"
    datasets: tuple[str, ...] = ()

    def __post_init__(self):
        unknown = set(self.quick) - {f.name for f in self.config.options()}
        if unknown:
            raise ValueError(f"The quick preset of {self.name!r} sets unknown options {sorted(unknown)}.")

    def make_config(self, *, quick: bool = False, **given) -> RunConfig:
        """The resolved options: values given win over the preset, which wins over the defaults.

        Raises:
            ValueError: for an option this experiment does not have (the message lists its options).
        """
        valid = {f.name for f in self.config.options()}
        unknown = set(given) - valid
        if unknown:
            raise ValueError(
                f"Unknown run settings {sorted(unknown)} for experiment {self.name!r}. "
                f"Its options: {', '.join(sorted(valid))}."
            )
        types = self.config.option_types()
        values = {**(self.quick if quick else {}), **given}
        values = {k: (Path(v) if types[k] is Path and v is not None else v) for k, v in values.items()}
        return self.config(experiment=self.name, quick=quick, **values)

    def defaults(self, *, quick: bool = False) -> dict:
        """Option name -> the value a run gets when the command line does not set it."""
        config = self.make_config(quick=quick)
        return {f.name: getattr(config, f.name) for f in self.config.options()}

    def runner(self) -> Callable[[RunConfig], dict]:
        """Imports `module` and returns its `run` function (or the function named after a colon)."""
        module, _, function = self.module.partition(":")
        return getattr(importlib.import_module(module), function or "run")


EXPERIMENTS: Registry[Experiment] = Registry("experiment")


def run_experiment(config: RunConfig) -> dict:
    """Runs one experiment end to end: `config.json`, the run, `metrics.json` and the results table.

    Under `--strategy multi_worker` every worker runs it. The runner connects the worker to its
    cluster first of all (`connect_to_cluster`): TensorFlow configures the collective operations of
    a `MultiWorkerMirroredStrategy` only before its first operation, and an experiment may run some
    while loading its data. The experiment's own `get_strategy("multi_worker")` then returns that
    strategy. The workers other than the chief (index 0) write into a temporary folder, removed
    when they finish (an experiment that runs another, as `deploy` runs `mnist`, stays in it).

    Returns:
        The metrics dictionary, with `experiment`, `config`, `seconds` and `tables` filled in.
    """
    global _SCRATCH
    if getattr(config, "strategy", "default") != "multi_worker":
        return _run_experiment(config)
    connect_to_cluster()
    if is_chief() or _SCRATCH is not None:  # the chief writes; a nested run of another worker stays in its scratch
        return _run_experiment(config)
    with tempfile.TemporaryDirectory(prefix="keras_vision_worker_") as scratch:
        _SCRATCH = Path(scratch)
        try:
            return _run_experiment(dataclasses.replace(config, out=_SCRATCH))
        finally:
            _SCRATCH = None


#: The temporary output folder of a worker other than the chief, while it runs an experiment.
_SCRATCH: Path | None = None


def connect_to_cluster() -> None:
    """Creates the process's `MultiWorkerMirroredStrategy` (connecting it to the other workers), once.

    Called before the experiment runs any TensorFlow operation ("Collective ops must be configured
    at program startup"). `keras_vision.training.get_strategy("multi_worker")` keeps the strategy
    and returns it to the experiment.

    Raises:
        UsageError: a missing or invalid `TF_CONFIG`, or a worker that did not answer in time.
    """
    from keras_vision.training import get_strategy  # imports TensorFlow: not at `run list` or `--help`

    get_strategy("multi_worker")


def _run_experiment(config: RunConfig) -> dict:
    # Imported here: `training` imports TensorFlow (seconds), and this module serves `run list` and
    # `--help`, which must not wait for it.
    from keras_vision.training.seed import set_seed

    exp = EXPERIMENTS.get(config.experiment)
    run = exp.runner()
    with writing("create the run folder", config.run_dir):
        config.run_dir.mkdir(parents=True, exist_ok=True)
    with run_lock(config.run_dir):
        with writing("write", config.run_dir / "config.json"):
            write_json(config.run_dir / "config.json", config.to_dict())
        set_seed(config.seed)
        start = time.perf_counter()
        metrics = {"experiment": exp.name, **run(config)}
        return _finish(exp, config, metrics, start)


def is_chief() -> bool:
    """False on a worker of a multi-worker run other than worker 0 (per `TF_CONFIG`), else True."""
    from keras_vision.training.cluster import read_tf_config  # through `training`, which imports TensorFlow

    try:
        return read_tf_config().is_chief
    except ValueError:
        return True  # get_strategy reports the missing or invalid TF_CONFIG


@contextlib.contextmanager
def run_lock(run_dir: Path):
    """Holds `run_dir/.lock` for the run: a second run into the same folder stops before it writes.

    The lock is the kernel's (`flock`): it is released when the process ends, however it ends,
    so a killed run never leaves a stale lock behind for `--resume`.

    Raises:
        UsageError: another process is running into `run_dir`, or the lock file cannot be created
            or written (a full disk, a read-only or not writable folder).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    path = run_dir / ".lock"
    with writing("create the run lock", path):
        lock = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(lock, 100, 0).decode(errors="replace").strip() or "another process"
            raise UsageError(
                f"{run_dir} is in use by a run still going ({holder}). Wait for it to finish, "
                f"or give this run another --out."
            ) from None
        with writing("write the run lock", path):  # unbuffered: a full disk fails here, not at close
            os.ftruncate(lock, 0)
            os.pwrite(lock, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        os.close(lock)


def _finish(exp: Experiment, config: RunConfig, metrics: dict, start: float) -> dict:
    """Adds the config, the time and the tables to `metrics`; writes `metrics.json`; prints the table."""
    sections = (exp.section,) if isinstance(exp.section, str) else exp.section
    rows = [
        row
        for name in sections
        for row in result_rows(metrics.get(name, {}), exp.headline, prefix=f"{name}/" if len(sections) > 1 else "")
    ]
    metrics.update(
        config=config.to_dict(),
        seconds=round(time.perf_counter() - start, 2),
        tables=[str(p) for p in write_tables(rows, exp.headline, config.run_dir)],
    )
    write_json(config.run_dir / "metrics.json", metrics)
    print("\n" + format_markdown(rows, exp.headline))
    return metrics
