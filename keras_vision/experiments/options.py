"""Run options: one frozen dataclass per experiment, assembled from option groups.

An experiment offers only the options its `run` reads. The groups below bundle the options that go
together; an experiment's config class inherits the groups it uses and adds its own fields:

    @dataclass(frozen=True)
    class MnistConfig(ClassifierOptions, DistributionOptions, TrainingOptions, DataOptions):
        epochs: int = inherit("epochs", 3)

- `RunConfig`: what every run has: `--out` and `--seed`, both read by the runner
  (`run_experiment` seeds everything and writes into `OUT/EXPERIMENT/`).
- `DataOptions`: `--data-dir`, `--train-limit`, `--test-limit`.
- `TrainingOptions`: `--epochs`, `--batch-size`, `--resume`, `--verbose`.
- `DistributionOptions`: `--strategy`.
- `ClassifierOptions`: `--validation-split`, `--learning-rate`.
- `TransferOptions`: `--arch`, `--weights`.

A single option of a group is taken with `inherit(name, default)` (for example an experiment that
reads `--batch-size` but trains nothing). `tests/unit/test_experiment_options.py` runs every
experiment's `--quick` preset and fails for a declared option that its run never reads. Plain
Python: importing this module imports no TensorFlow.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keras_vision.errors import KerasVisionError, UsageError

#: Names of `keras_vision.training.STRATEGIES` (kept here so the CLI needs no TensorFlow; a test
#: checks that the two agree).
STRATEGY_NAMES = ("default", "mirrored", "multi_worker")
#: `--verbose`: Keras' progress output. `auto` is a progress bar on a terminal and one line per
#: epoch otherwise (a log file or CI gets no carriage-return updates).
VERBOSITY = ("auto", "bar", "epoch", "silent")
#: The `--help` sections, in order.
SECTIONS = ("data", "training", "augmentation", "distribution", "experiment", "output")
#: `--flip` values (`keras_vision.augment.layers.FLIP_MODES`, kept here so the CLI needs no TensorFlow).
FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical", "none")
#: Options the runner reads for every experiment (so a run need not).
RUNNER_OPTIONS = ("out", "seed")


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
        group: The `--help` section, one of `SECTIONS`. Defaults to `"experiment"`.
    """
    if group not in SECTIONS:
        raise ValueError(f"Unknown option group {group!r}. Valid groups: {', '.join(SECTIONS)}.")
    meta = {"help": help, "choices": choices, "minimum": minimum, "metavar": metavar, "group": group}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class RunConfig:
    """The options of every run; an experiment's config adds option groups and its own fields.

    Saved as `config.json` in the run folder, so every figure can be reproduced.
    """

    experiment: str = field(default="", metadata={"cli": False})
    seed: int = option(0, help="seed of Python, NumPy and TensorFlow", minimum=0, metavar="N", group="experiment")
    out: Path = option(Path("runs"), help="results go to OUT/EXPERIMENT/", metavar="DIR", group="output")
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
        with writing("use", self.run_dir):  # e.g. a name too long for the file system
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


@dataclass(frozen=True)
class DataOptions(RunConfig):
    """Where the data is, and how much of it a run uses."""

    data_dir: Path | None = option(
        None, help="folder with the datasets (also: $KERAS_VISION_DATA)", metavar="DIR", group="data"
    )
    train_limit: int | None = option(
        None, help="keep only the first N training examples", minimum=1, metavar="N", group="data"
    )
    test_limit: int | None = option(
        None, help="keep only the first N test examples", minimum=1, metavar="N", group="data"
    )


@dataclass(frozen=True)
class TrainingOptions(RunConfig):
    """How long and in what steps a model trains, and whether an interrupted run continues."""

    epochs: int = option(1, help="epochs", minimum=1, metavar="N", group="training")
    batch_size: int = option(
        64, help="batch size (per worker with --strategy multi_worker)", minimum=1, metavar="N", group="training"
    )
    resume: bool = option(False, help="continue an interrupted run from its last finished epoch", group="training")
    verbose: str = option(
        "auto", help="progress: a bar on a terminal, one line per epoch in a log", choices=VERBOSITY, group="output"
    )


@dataclass(frozen=True)
class DistributionOptions(RunConfig):
    """Which `tf.distribute` strategy trains the models (see `keras_vision.training.get_strategy`)."""

    strategy: str = option(
        "default",
        help="tf.distribute strategy: default (one device), mirrored (this machine's devices), multi_worker "
        "(one process per machine: TF_CONFIG, or `run launch --workers N`); under multi_worker --batch-size is "
        "per worker, so the global batch is N x it, and the learning rate is not scaled (N workers train like "
        "one process with N times the batch)",
        choices=STRATEGY_NAMES,
        group="distribution",
    )


@dataclass(frozen=True)
class ClassifierOptions(RunConfig):
    """A classifier trained on a split of the training set with a cosine learning rate."""

    validation_split: float = option(
        0.1, help="share of the training set held out for validation (its last examples)", minimum=0.001, group="data"
    )
    learning_rate: float = option(1e-3, help="peak learning rate (cosine decay to 0)", minimum=1e-12, group="training")


@dataclass(frozen=True)
class TransferOptions(RunConfig):
    """Which ImageNet network is the base of a transfer model, with which weights."""

    arch: str = option("mobilenetv2", help="architecture NAME[:KEY=VALUE...], e.g. mobilenet:alpha=0.25")
    weights: str = option("imagenet", help="'imagenet', 'none' (random) or a weights file (.h5)")


#: Every option group, for `inherit`.
GROUPS = (RunConfig, DataOptions, TrainingOptions, DistributionOptions, ClassifierOptions, TransferOptions)


def inherit(name: str, default: Any) -> Any:
    """An option of one of the `GROUPS`, with a new default, keeping its help and choices.

    Example: `epochs: int = inherit("epochs", 3)` in a config class that has `TrainingOptions`, or
    `batch_size: int = inherit("batch_size", 128)` in one that takes only that option of the group.
    """
    for group in GROUPS:
        declared = {f.name: f for f in dataclasses.fields(group)}
        if name in declared:
            return field(default=default, metadata=declared[name].metadata)
    raise ValueError(f"No option group declares {name!r}; declare it with `option(...)`.")


@contextlib.contextmanager
def writing(action: str, path: Path):
    """Turns an `OSError` of the block into the one-line `UsageError` "Cannot {action} {path}: {fix}"."""
    try:
        yield
    except OSError as error:
        raise cannot_write(action, path, error) from None


def cannot_write(action: str, path: Path, error: OSError) -> UsageError:
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


@contextlib.contextmanager
def reading(flag: str, path: Path | None):
    """Turns a missing or empty input folder met in the block into the one-line `UsageError` "{flag} {path}: ..."."""
    try:
        yield
    except UsageError:
        raise
    except (FileNotFoundError, NotADirectoryError, ValueError) as error:
        if isinstance(error, KerasVisionError):  # already says what to do (e.g. a corrupt file)
            raise
        raise UsageError(f"{flag} {path}: {str(error).rstrip('.')}. Give a folder of images.") from None
