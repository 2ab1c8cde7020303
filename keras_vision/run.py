"""`python -m keras_vision.run`: list the experiments, check the setup, or run one experiment.

    python -m keras_vision.run list
    python -m keras_vision.run doctor [--data-dir DIR]
    python -m keras_vision.run EXPERIMENT [--data-dir DIR] [--out DIR] [--epochs N] [--batch-size N]
                                          [--quick] [--seed N] [--strategy NAME] [--resume]

Errors a user can fix are printed as one short paragraph with an exit code (2: data, weights or
arguments; 3: training diverged; 130: interrupted), never as a traceback. Set
`KERAS_VISION_DEBUG=1` to see the traceback anyway.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys

from keras_vision.errors import KerasVisionError
from keras_vision.experiments import EXPERIMENTS, Experiment, run_experiment
from keras_vision.training import STRATEGIES

PROG = "python -m keras_vision.run"


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows defaults, except for options whose default comes from the experiment's preset."""

    def _get_help_string(self, action):
        return action.help if action.default in (None, False) else super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    """One sub-command per registered experiment, plus `list` and `doctor`."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run keras_vision experiments: real models on real data, with figures and metrics.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{list,doctor,EXPERIMENT}")
    commands.add_parser("list", help="list the experiments, one line each")
    doctor = commands.add_parser("doctor", help="show versions, devices and where each dataset is found")
    doctor.add_argument("--data-dir", help="folder with datasets (also: $KERAS_VISION_DATA)")
    for name, exp in EXPERIMENTS.items():
        _add_experiment_parser(commands, exp)
    return parser


def _add_experiment_parser(commands, exp: Experiment) -> None:
    p = commands.add_parser(
        exp.name,
        help=exp.summary,
        description=exp.summary,
        formatter_class=_HelpFormatter,
    )
    data = p.add_argument_group("data")
    data.add_argument("--data-dir", metavar="DIR", help="folder with the datasets (also: $KERAS_VISION_DATA)")
    train = p.add_argument_group("training")
    train.add_argument("--epochs", type=int, metavar="N", help=f"epochs (preset: {exp.default.epochs}, quick: {exp.quick.epochs})")
    train.add_argument("--batch-size", type=int, metavar="N", help=f"batch size (preset: {exp.default.batch_size})")
    train.add_argument("--quick", action="store_true", help="small preset: fewer epochs and a data subset")
    train.add_argument("--seed", type=int, default=0, metavar="N", help="seed of Python, NumPy and TensorFlow")
    train.add_argument("--strategy", choices=STRATEGIES.names(), default="default", help="tf.distribute strategy")
    if exp.options:
        model = p.add_argument_group("model")
        if "arch" in exp.options:
            model.add_argument("--arch", help=f"architecture (preset: {exp.default.arch})")
        if "weights" in exp.options:
            model.add_argument(
                "--weights", help=f"'imagenet', 'none' or a weights file (preset: {exp.default.weights})"
            )
    out = p.add_argument_group("output")
    out.add_argument("--out", default="runs", metavar="DIR", help="results go to OUT/EXPERIMENT/")
    out.add_argument("--resume", action="store_true", help="continue an interrupted run from its last finished epoch")


def cmd_list() -> int:
    width = max(map(len, EXPERIMENTS.names()))
    for name, exp in EXPERIMENTS.items():
        print(f"{name:<{width}}  {exp.summary}")
    return 0


def cmd_doctor(data_dir: str | None) -> int:
    """Prints what a run depends on: versions, devices, datasets, downloads."""
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
    config = exp.config(
        quick=args.quick,
        data_dir=args.data_dir,
        out=args.out,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        strategy=args.strategy,
        resume=args.resume,
        arch=getattr(args, "arch", None),
        weights=getattr(args, "weights", None),
    )
    print(f"{PROG} {exp.name}: {exp.summary}")
    print(f"  epochs={config.epochs} batch_size={config.batch_size} seed={config.seed} -> {config.run_dir}/")
    metrics = run_experiment(config)
    print(f"\n{'model':<24} {'test accuracy':>13} {'seconds':>9}")
    for variant, numbers in metrics.get("models", {}).items():
        print(f"{variant:<24} {numbers['test_accuracy']:>13.4f} {numbers['seconds']:>9.1f}")
    print(f"\nMetrics, figures and models: {config.run_dir}/ (metrics.json)")
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            return cmd_list()
        if args.command == "doctor":
            return cmd_doctor(args.data_dir)
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
