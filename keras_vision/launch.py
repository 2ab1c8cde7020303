"""`python -m keras_vision.run launch --workers N EXPERIMENT [options]`: a multi-worker run on one machine.

Starts N processes of `python -m keras_vision.run EXPERIMENT [options] --strategy multi_worker`,
each with a `TF_CONFIG` naming N free ports on 127.0.0.1 and its own index, the way N machines
would run it. Their output is printed line by line, prefixed with `[worker i]`. Ctrl-C is passed
on to every worker (the chief then prints how to `--resume`); when a worker fails, the others are
stopped after a grace period (they would wait for it). The launcher exits with the chief's code,
or with the failed worker's when the chief had to be stopped because of it.

On several machines, run the experiment itself on each with `--strategy multi_worker` and
`TF_CONFIG` (see the README). Plain Python: no TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from keras_vision.errors import UsageError

#: Seconds the other workers get to stop by themselves after one failed, before SIGTERM.
GRACE_SECONDS = 20.0


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct ports free on `host` now (the kernel's choice), for the workers to listen on."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((host, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tf_configs(ports: list[int], host: str = "127.0.0.1") -> list[str]:
    """The `TF_CONFIG` of each worker of a cluster on `host`, worker `i` listening on `ports[i]`."""
    workers = [f"{host}:{port}" for port in ports]
    return [
        json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": i}}) for i in range(len(ports))
    ]


def worker_command(argv: list[str]) -> list[str]:
    """The command each worker runs: the experiment's arguments with `--strategy multi_worker`.

    Raises:
        UsageError: if `argv` names another strategy.
    """
    argv = list(argv)
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--strategy=") else None
        if arg == "--strategy" and i + 1 < len(argv):
            value = argv[i + 1]
        if value is not None and value != "multi_worker":
            raise UsageError(
                f"launch runs every worker with --strategy multi_worker; drop --strategy {value} from the command."
            )
    if not any(arg == "--strategy" or arg.startswith("--strategy=") for arg in argv):
        argv += ["--strategy", "multi_worker"]
    return [sys.executable, "-m", "keras_vision.run", *argv]


def distributable() -> list[str]:
    """The experiments whose `--strategy` offers multi_worker (those that train a model), which `launch` can run."""
    from keras_vision.experiments import EXPERIMENTS  # the declarations: no TensorFlow

    return [
        name
        for name, exp in EXPERIMENTS.items()
        if any(
            f.name == "strategy" and "multi_worker" in (f.metadata.get("choices") or ()) for f in exp.config.options()
        )
    ]


def check_distributable(experiment: str) -> None:
    """Raises `UsageError` for a declared experiment that trains nothing (an unknown one is left to its parser)."""
    from keras_vision.experiments import EXPERIMENTS

    names = distributable()
    if experiment in EXPERIMENTS.names() and experiment not in names:
        raise UsageError(
            f"{experiment} cannot train on several workers (it trains no model, or its --strategy offers no "
            "multi_worker): run it without launch. "
            f"launch runs {', '.join(names)}."
        )


def launch(workers: int, argv: list[str], *, stream=None) -> int:
    """Runs `argv` (an experiment and its options) on `workers` local processes; returns the exit code.

    Args:
        workers: Number of worker processes, at least 1.
        argv: `EXPERIMENT [options]`, as after `python -m keras_vision.run`.
        stream: Where the prefixed lines go. Defaults to `sys.stdout`.

    Returns:
        The chief's exit code, or the first failed worker's if the chief was stopped because of it.
    """
    if workers < 1:
        raise UsageError(f"--workers must be at least 1. Received: {workers}.")
    if not argv or argv[0].startswith("-"):
        raise UsageError("launch needs an experiment: python -m keras_vision.run launch --workers 2 mnist [options].")
    check_distributable(argv[0])
    command = worker_command(argv)
    configs = tf_configs(free_ports(workers))
    stream = stream or sys.stdout
    print(f"launch: {workers} workers on 127.0.0.1: {' '.join(command[1:])}", file=stream, flush=True)
    return run_workers([command] * workers, [{"TF_CONFIG": config} for config in configs], stream=stream)


def run_workers(commands: list[list[str]], environments: list[dict], *, stream=None) -> int:
    """Runs one process per command (worker `i` with `environments[i]` added), relaying their output.

    Returns:
        The exit code of worker 0 (the chief), or of the first worker that failed if the chief
        had to be stopped because of it; a worker killed by signal s counts as 128 + s.
    """
    stream = stream or sys.stdout
    processes: list[subprocess.Popen] = []
    readers: list[threading.Thread] = []
    printer = threading.Lock()
    try:  # a Ctrl-C from the first worker's start on reaches every worker started
        for i, (command, environment) in enumerate(zip(commands, environments)):
            processes.append(
                subprocess.Popen(
                    command,
                    env={**os.environ, **environment, "PYTHONUNBUFFERED": "1"},
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # the launcher alone decides what each worker receives
                )
            )
            relay = (i, processes[-1].stdout, stream, printer)
            readers.append(threading.Thread(target=_relay, args=relay, daemon=True))
            readers[-1].start()
        codes = _wait(processes, stream)
    except KeyboardInterrupt:
        for process in processes:
            _signal(process, signal.SIGINT)
        try:
            codes = _wait(processes, stream, interrupted=True)
        except KeyboardInterrupt:  # a second Ctrl-C: stop now
            for process in processes:
                _signal(process, signal.SIGKILL)
            codes = [process.wait() for process in processes]
            print("launch: stopped.", file=stream, flush=True)
            return 130
        if len(processes) < len(commands):  # interrupted before every worker started
            return 130
    for reader in readers:
        reader.join(timeout=5)
    failed = next((i for i, code in enumerate(codes) if code != 0 and not _stopped_by_us(code)), None)
    code = codes[failed] if _stopped_by_us(codes[0]) and failed is not None else codes[0]
    return code if code >= 0 else 128 - code  # killed by signal s: 128 + s, as a shell reports it


def _relay(index: int, pipe, stream, lock: threading.Lock) -> None:
    """Copies a worker's output to `stream`, each line prefixed with `[worker i]`."""
    for raw in iter(pipe.readline, b""):
        line = raw.decode(errors="replace").rstrip("\n")
        for part in line.split("\r"):  # a progress bar's updates, one per line
            if part.strip():
                with lock:
                    print(f"[worker {index}] {part}", file=stream, flush=True)
    pipe.close()


def _wait(processes: list[subprocess.Popen], stream, *, interrupted: bool = False) -> list[int]:
    """Waits for every worker; once one fails (or after Ctrl-C) the rest get `GRACE_SECONDS`, then SIGTERM."""
    deadline = time.monotonic() + GRACE_SECONDS if interrupted else None
    while True:
        codes = [p.poll() for p in processes]
        if all(code is not None for code in codes):
            return codes
        failed = [i for i, code in enumerate(codes) if code not in (None, 0)]
        if failed and deadline is None:
            print(
                f"launch: worker {failed[0]} exited with code {codes[failed[0]]}; stopping the others "
                f"(in {GRACE_SECONDS:.0f} s if they do not stop by themselves).",
                file=stream,
                flush=True,
            )
            deadline = time.monotonic() + GRACE_SECONDS
        if deadline is not None and time.monotonic() > deadline:
            for process in processes:
                _signal(process, signal.SIGTERM)
            deadline = time.monotonic() + 3600  # SIGTERM ends a worker waiting in a collective
        time.sleep(0.2)


def _signal(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass


def _stopped_by_us(code: int | None) -> bool:
    return code in (-signal.SIGTERM, -signal.SIGINT, 128 + signal.SIGTERM, 130)


def main(argv: list[str]) -> int:
    """The `launch` sub-command: `--workers N` then the experiment and its options."""
    parser = argparse.ArgumentParser(
        prog="python -m keras_vision.run launch",
        description="Run an experiment with --strategy multi_worker on N local worker processes "
        "(TF_CONFIG with free ports on 127.0.0.1); their output is prefixed with [worker i].",
    )
    parser.add_argument("--workers", type=int, default=2, metavar="N", help="worker processes (default: 2)")
    parser.add_argument("experiment", help="the experiment, e.g. mnist; its options follow")
    known, rest = parser.parse_known_args(argv)
    return launch(known.workers, [known.experiment, *rest])
