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
import errno
import importlib
import os
import tempfile
import time
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keras_vision.errors import UsageError
from keras_vision.experiments.tables import Metric, format_markdown, result_rows, write_tables
from keras_vision.files import write_json
from keras_vision.registry import Registry

#: Names of `keras_vision.training.STRATEGIES` (kept here so the CLI needs no TensorFlow; a test
#: checks that the two agree).
STRATEGY_NAMES = ("default", "mirrored", "multi_worker")
#: Experiments tried with `--strategy multi_worker` (two workers, real data); the others refuse it.
MULTI_WORKER_EXPERIMENTS = ("mnist", "gan")
#: `--verbose`: Keras' progress output. `auto` is a progress bar on a terminal and one line per
#: epoch otherwise (a log file or CI gets no carriage-return updates).
VERBOSITY = ("auto", "bar", "epoch", "silent")


def option(
    default: Any,
    *,
    help: str,
    choices: tuple | None = None,
    minimum: float | None = None,
    metavar: str | None = None,
    group: str = "experiment",
) -> Any:
    """Declares one run option as a dataclass field: its default, help text and valid choices.

    Args:
        default: The value of a full run (the `--quick` preset may override it).
        help: One line for `--help`.
        choices: The valid values, if they are a closed set.
        minimum: The smallest valid value of a number (None, meaning "not set", is always allowed).
        metavar: The placeholder shown in `--help` (`N`, `DIR`).
        group: The `--help` section: `data`, `training`, `output` or `experiment`.
    """
    meta = {"help": help, "choices": choices, "minimum": minimum, "metavar": metavar, "group": group}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class RunConfig:
    """The options every experiment takes; an experiment's own options subclass it.

    Saved as `config.json` in the run folder, so every figure can be reproduced.
    """

    experiment: str = field(default="", metadata={"cli": False})
    data_dir: Path | None = option(
        None, help="folder with the datasets (also: $KERAS_VISION_DATA)", metavar="DIR", group="data"
    )
    train_limit: int | None = option(
        None, help="keep only the first N training examples", minimum=1, metavar="N", group="data"
    )
    test_limit: int | None = option(
        None, help="keep only the first N test examples", minimum=1, metavar="N", group="data"
    )
    epochs: int = option(1, help="epochs", minimum=1, metavar="N", group="training")
    batch_size: int = option(64, help="batch size", minimum=1, metavar="N", group="training")
    seed: int = option(0, help="seed of Python, NumPy and TensorFlow", minimum=0, metavar="N", group="training")
    strategy: str = option(
        "default",
        help="tf.distribute strategy. multi_worker: one process per machine (TF_CONFIG, or `run launch --workers N`); "
        "--batch-size is per worker, so the global batch is N x it, and the learning rate is not scaled "
        "(N workers train like one process with N times the batch)",
        choices=STRATEGY_NAMES,
        group="training",
    )
    out: Path = option(Path("runs"), help="results go to OUT/EXPERIMENT/", metavar="DIR", group="output")
    resume: bool = option(False, help="continue an interrupted run from its last finished epoch", group="output")
    verbose: str = option(
        "auto", help="progress: a bar on a terminal, one line per epoch in a log", choices=VERBOSITY, group="output"
    )
    quick: bool = field(default=False, metadata={"cli": False})

    def __post_init__(self):
        """Checks every option against its declared choices and minimum, naming the flag."""
        for f in self.options():
            value, meta = getattr(self, f.name), f.metadata
            flag = "--" + f.name.replace("_", "-")
            if meta.get("choices") and value not in meta["choices"]:
                raise UsageError(f"{flag} must be one of {', '.join(map(str, meta['choices']))}. Received: {value!r}.")
            if meta.get("minimum") is not None and value is not None and value < meta["minimum"]:
                raise UsageError(f"{flag} must be at least {meta['minimum']}. Received: {value!r}.")
        if self.strategy == "multi_worker" and self.experiment not in MULTI_WORKER_EXPERIMENTS:
            raise UsageError(
                f"--strategy multi_worker is available for {', '.join(MULTI_WORKER_EXPERIMENTS)}; "
                f"{self.experiment} has not been tried on several workers yet: use --strategy mirrored or default."
            )
        with _writing("use", self.run_dir):  # e.g. a name too long for the file system
            blocking = next((p for p in (self.run_dir, *self.run_dir.parents) if p.exists()), None)
        if blocking is not None and not blocking.is_dir():
            raise UsageError(
                f"--out must be a folder, but {blocking} is a file. "
                f"Choose another --out (e.g. --out runs) or move the file. Received: --out {self.out}."
            )

    @property
    def run_dir(self) -> Path:
        """`OUT/EXPERIMENT`: where this run writes everything."""
        return Path(self.out) / self.experiment

    def variant_dir(self, variant: str) -> Path:
        """`OUT/EXPERIMENT/VARIANT`: checkpoints, history and logs of one model variant."""
        return self.run_dir / variant

    def to_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def options(cls) -> list[dataclasses.Field]:
        """The fields the command line sets, in declaration order."""
        return [f for f in dataclasses.fields(cls) if f.metadata.get("cli", True)]

    @classmethod
    def option_types(cls) -> dict[str, type]:
        """Field name -> the type a command-line string converts to (`int | None` -> `int`)."""
        hints = typing.get_type_hints(cls)
        types = {}
        for f in cls.options():
            args = [a for a in typing.get_args(hints[f.name]) if a is not type(None)]
            types[f.name] = args[0] if args else hints[f.name]
        return types


def inherit(name: str, default: Any, *, base: type | None = None) -> Any:
    """A subclass's new default for an option of `base` (`RunConfig`), keeping its help and choices.

    Example: `epochs: int = inherit("epochs", 3)` in the body of a `RunConfig` subclass.
    """
    declared = {f.name: f for f in dataclasses.fields(base or RunConfig)}[name]
    return field(default=default, metadata=declared.metadata)


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

    Under `--strategy multi_worker` every worker runs it; the workers other than the chief (index 0)
    write into a temporary folder, removed when they finish.

    Returns:
        The metrics dictionary, with `experiment`, `config`, `seconds` and `tables` filled in.
    """
    if config.strategy == "multi_worker" and not is_chief():  # the chief alone writes the results
        with tempfile.TemporaryDirectory(prefix="keras_vision_worker_") as scratch:
            return _run_experiment(dataclasses.replace(config, out=Path(scratch)))
    return _run_experiment(config)


def _run_experiment(config: RunConfig) -> dict:
    from keras_vision.training.seed import set_seed

    exp = EXPERIMENTS.get(config.experiment)
    run = exp.runner()
    with _writing("create the run folder", config.run_dir):
        config.run_dir.mkdir(parents=True, exist_ok=True)
    with run_lock(config.run_dir):
        with _writing("write", config.run_dir / "config.json"):
            write_json(config.run_dir / "config.json", config.to_dict())
        set_seed(config.seed)
        start = time.perf_counter()
        metrics = {"experiment": exp.name, **run(config)}
        return _finish(exp, config, metrics, start)


def is_chief() -> bool:
    """False on a worker of a multi-worker run other than worker 0 (per `TF_CONFIG`), else True."""
    from keras_vision.training.cluster import read_tf_config

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
    with _writing("create the run lock", path):
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
        with _writing("write the run lock", path):  # unbuffered: a full disk fails here, not at close
            os.ftruncate(lock, 0)
            os.pwrite(lock, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        os.close(lock)


@contextlib.contextmanager
def _writing(action: str, path: Path):
    """Turns an `OSError` of the block into the one-line `UsageError` "Cannot {action} {path}: {fix}"."""
    try:
        yield
    except OSError as error:
        raise _cannot_write(action, path, error) from None


def _cannot_write(action: str, path: Path, error: OSError) -> UsageError:
    """The one-line usage error for an `OSError` met while creating or writing `path`, with a fix."""
    folder = Path(error.filename).parent if error.filename else path.parent
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "the disk (or your quota) is full: free some space there, or choose another --out"
    elif error.errno == errno.EROFS:
        fix = "the file system is read-only: choose another --out on a writable disk"
    elif error.errno in (errno.EACCES, errno.EPERM):
        fix = f"permission denied: make {folder} writable, or choose another --out"
    else:
        fix = f"{error.strerror or error}: choose another --out, or check that disk and its free space"
    return UsageError(f"Cannot {action} {path}: {fix}.")


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
