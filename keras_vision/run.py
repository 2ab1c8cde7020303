"""`python -m keras_vision.run`: list the experiments, check the setup, or run one experiment.

    python -m keras_vision.run list
    python -m keras_vision.run doctor [--data-dir DIR]
    python -m keras_vision.run predict RUN_DIR IMAGE [IMAGE ...]
    python -m keras_vision.run EXPERIMENT [--quick] [--data-dir DIR] [--epochs N] [--OPTION VALUE ...]
    python -m keras_vision.run launch --workers N EXPERIMENT [options]   (multi-worker, on this machine)

Each experiment's flags come from its options dataclass (see `keras_vision.experiments.catalog`);
`python -m keras_vision.run EXPERIMENT --help` lists them with their defaults.

Errors a user can fix are printed as one short paragraph with an exit code (2: data, weights or
arguments; 3: training diverged; 130: interrupted), never as a traceback. Set
`KERAS_VISION_DEBUG=1` to see the traceback anyway, and TensorFlow's start-up messages (hidden otherwise:
see `keras_vision.quiet`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shlex
import signal
import sys
import textwrap
import warnings

from keras_vision.errors import KerasVisionError, KerasVisionWarning
from keras_vision.experiments import EXPERIMENTS, Experiment, run_experiment
from keras_vision.experiments.base import is_chief
from keras_vision.experiments.options import SECTIONS
from keras_vision.predict import add_arguments as add_predict_arguments
from keras_vision.quiet import import_tensorflow_quietly

PROG = "python -m keras_vision.run"


METAVARS = {int: "N", float: "X", str: "TEXT"}


def build_parser() -> argparse.ArgumentParser:
    """One sub-command per declared experiment, its flags from its options, plus `list` and `doctor`."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run keras_vision experiments: real models on real data, with figures and metrics.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{list,doctor,launch,predict,EXPERIMENT}")
    commands.add_parser("list", help="list the experiments, one line each")
    commands.add_parser(
        "launch",
        help="launch --workers N EXPERIMENT ...: the experiment on N local workers (--strategy multi_worker)",
        add_help=False,
    )
    doctor = commands.add_parser("doctor", help="show versions, devices and where each dataset is found")
    doctor.add_argument("--data-dir", help="folder with datasets (also: $KERAS_VISION_DATA)")
    predict = commands.add_parser(
        "predict", help="a run's model on your images: top-5 classes and a Grad-CAM overlay each"
    )
    add_predict_arguments(predict)
    for _, exp in EXPERIMENTS.items():
        _add_experiment_parser(commands, exp)
    return parser


def _add_experiment_parser(commands, exp: Experiment) -> None:
    """`--OPTION` for every field of the experiment's options dataclass, grouped as declared.

    A flag not given is absent from the parsed namespace (`argparse.SUPPRESS`), so that
    `make_config` can tell the preset's value from the user's, `--train-limit none` included;
    `--help` shows the full run's default and the `--quick` one.
    """
    p = commands.add_parser(exp.name, help=exp.summary, description=exp.summary, argument_default=argparse.SUPPRESS)
    groups = {name: p.add_argument_group(name) for name in SECTIONS}
    p.add_argument("--quick", action="store_true", default=False, help="small preset: fewer epochs and a data subset")
    defaults, quick = exp.defaults(), exp.defaults(quick=True)
    for f, kind in zip(exp.config.options(), exp.config.option_types().values()):
        meta = f.metadata
        shown = f"default: {_show(defaults[f.name])}"
        if quick[f.name] != defaults[f.name]:
            shown += f"; --quick: {_show(quick[f.name])}"
        flag = "--" + f.name.replace("_", "-")
        help_text = f"{meta['help']} ({shown})"
        if kind is bool:  # a switch that is on by default also gets --no-FLAG to turn it off
            action = argparse.BooleanOptionalAction if defaults[f.name] else "store_true"
            groups[meta["group"]].add_argument(flag, action=action, help=help_text)
        else:
            metavar = None if meta["choices"] else meta["metavar"] or METAVARS.get(kind, "VALUE")
            groups[meta["group"]].add_argument(
                flag, type=_parse(kind), choices=meta["choices"], metavar=metavar, help=help_text
            )


def _parse(kind: type):
    """The argparse `type=` of an option: `int`, `float`, `str`, `Path`; 'none' is None for numbers."""

    def convert(text: str):
        if kind in (int, float) and text.lower() == "none":
            return None
        return kind(text)

    convert.__name__ = kind.__name__  # argparse names the type in "invalid int value"
    return convert


def _show(value) -> str:
    return "none" if value is None else str(value)


def cmd_list() -> int:
    width = max(map(len, EXPERIMENTS.names()))
    for name, exp in EXPERIMENTS.items():
        print(f"{name:<{width}}  {exp.summary}")
    return 0


def cmd_doctor(data_dir: str | None) -> int:
    """Prints what a run depends on: versions, devices, datasets, downloads."""
    print(f"{PROG} doctor: what a run depends on")
    import_tensorflow_quietly()
    # Imported here, after the quiet import: `list` and `--help` never wait for TensorFlow.
    import keras
    import numpy
    import tensorflow as tf

    from keras_vision.data import DATASETS, locate
    from keras_vision.network import downloads_available

    print(f"python      {platform.python_version()} ({sys.executable})")
    print(f"tensorflow  {tf.__version__}\nkeras       {keras.__version__}\nnumpy       {numpy.__version__}")
    devices = ", ".join(f"{d.device_type}:{d.name.rsplit(':', 1)[-1]}" for d in tf.config.list_physical_devices())
    print(f"devices     {devices}")
    print(f"KERAS_HOME  {os.environ.get('KERAS_HOME', os.path.expanduser('~/.keras'))}")
    online = downloads_available()
    print(f"downloads   {'available' if online else 'NOT available (no network): place data files locally'}")
    print("datasets:")
    for name in DATASETS.names():
        where = locate(name, data_dir)
        print(f"  {name:<14} {where or ('download on first use' if online else 'not found')}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    exp = EXPERIMENTS.get(args.command)
    given = {f.name: getattr(args, f.name) for f in exp.config.options() if hasattr(args, f.name)}
    config = exp.make_config(quick=args.quick, **given)
    print(f"{PROG} {exp.name}: {exp.summary}")
    shown = {k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick")}
    print(
        textwrap.fill(
            " ".join(f"{k}={v}" for k, v in shown.items()), width=100, initial_indent="  ", subsequent_indent="  "
        )
        + f"\n  -> {config.run_dir}/"
    )
    import_tensorflow_quietly()
    run_experiment(config)
    if getattr(config, "strategy", "default") == "multi_worker" and not is_chief():
        print("\nThis worker's results were temporary: the chief (worker 0) wrote the run's.")
    else:
        print(f"\nMetrics, figures and models: {config.run_dir}/ (metrics.json, results.md)")
    return 0


@contextlib.contextmanager
def one_line_warnings():
    """Within it, the package's own warnings print as `warning: <message>` (no source line, no class)."""
    original = warnings.formatwarning

    def format_warning(message, category, filename, lineno, line=None):
        if issubclass(category, KerasVisionWarning):
            return f"warning: {message}\n"
        return original(message, category, filename, lineno, line)

    warnings.formatwarning = format_warning
    try:
        yield
    finally:
        warnings.formatwarning = original


def main(argv: list[str] | None = None) -> int:
    with one_line_warnings():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    if argv is None:  # the program itself: a SIGTERM (e.g. from `launch`) unwinds, so temporary folders go
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    raw = sys.argv[1:] if argv is None else list(argv)
    if raw[:1] == ["launch"]:  # its options are the experiment's: parsed by keras_vision.launch
        from keras_vision import launch

        try:
            return launch.main(raw[1:])
        except KerasVisionError as error:
            print(f"error: {error}", file=sys.stderr)
            return error.exit_code
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            return cmd_list()
        if args.command == "doctor":
            return cmd_doctor(args.data_dir)
        if args.command == "predict":
            from keras_vision.predict import cmd_predict

            return cmd_predict(args)
        return cmd_run(args)
    except KeyboardInterrupt:
        again = shlex.join([*PROG.split(), *(argv if argv is not None else sys.argv[1:])])
        resume = again if "--resume" in again else f"{again} --resume"
        print(f"\nInterrupted. Finished epochs are kept; continue with:\n  {resume}", file=sys.stderr)
        return 130
    except KerasVisionError as error:
        if os.environ.get("KERAS_VISION_DEBUG"):
            raise
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
