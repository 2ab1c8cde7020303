"""Benchmark of the sandbox's memory limit: a worker whose children allocate 8 GB in total.

    python benchmarks/sandbox_memory.py --json runs/sandbox_memory.json [--limit-mb 3072]

A student function forks 8 children that each fill 1 GB (NumPy, every page written) while a thread
samples the machine's `MemAvailable` (/proc/meminfo) every 5 ms. The worker runs in the bwrap
sandbox with `memory_mb=limit`, twice: with the cgroup limit (where the machine lets the grader
create cgroups) and with the fallback that sums the sandbox's processes and tmpfs from /proc. For
each it reports the largest fall of available memory, as a fraction of the limit (acceptance: at
most 1.10), the sandbox's own peak (the cgroup's charge, or the /proc sum, sampled every 5 ms), the grader's
message, and the seconds until the sandbox was gone. Other
processes on a shared machine move `MemAvailable` too (the baseline is the median of the second
before the call), so the sandbox's own peak is the cleaner number there.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reporting import write_report  # noqa: E402 - benchmarks/ is the script's folder

HOG = """
import os, time
import numpy as np

def hog(children, gigabytes_each):
    for _ in range(children):
        if os.fork() == 0:
            block = np.ones(int(gigabytes_each * 2**30), np.uint8)
            time.sleep(120)
            os._exit(int(block[0]))
    time.sleep(120)
"""


def available_mb() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no MemAvailable in /proc/meminfo")


class Sampler(threading.Thread):
    """Samples MemAvailable, and the sandbox's own total (`measure_sandbox()`), until stopped."""

    def __init__(self, measure_sandbox, period: float = 0.005):
        super().__init__(daemon=True)
        self.period, self.samples, self._stop_event = period, [], threading.Event()
        self.measure_sandbox, self.sandbox_peak_mb = measure_sandbox, 0.0

    def run(self):
        while not self._stop_event.is_set():
            self.samples.append((time.monotonic(), available_mb()))
            try:
                self.sandbox_peak_mb = max(self.sandbox_peak_mb, self.measure_sandbox())
            except Exception:  # noqa: BLE001 - the sandbox is gone
                pass
            time.sleep(self.period)

    def stop(self):
        self._stop_event.set()
        self.join()


def measure(limit_mb: int, *, use_cgroup: bool, children: int, gigabytes_each: float) -> dict:
    from keras_vision.grading.sandbox import resources
    from keras_vision.grading.sandbox.isolation import BwrapSandbox
    from keras_vision.grading.sandbox.remote import Limits, SubmissionError, Worker

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ex99_hog.py"
        path.write_text(HOG)
        patch = (
            mock.patch.object(resources.ControlGroup, "create", return_value=None)
            if not use_cgroup
            else mock.MagicMock()
        )
        with patch:
            worker = Worker("ex99_hog", path, limits=Limits(timeout=120, memory_mb=limit_mb), sandbox=BwrapSandbox())
            worker.start()
            cgroup = worker._confined.group is not None
            confined = worker._confined
            sampler = Sampler(confined.memory_mb)
            sampler.start()
            time.sleep(1.0)
            start = time.monotonic()
            message = "not stopped"
            try:
                worker.call("hog", (children, gigabytes_each))
            except SubmissionError as error:
                message = str(error)
            stopped = time.monotonic() - start
            worker.close()
            time.sleep(0.5)
            sampler.stop()
    baseline = statistics.median(mb for t, mb in sampler.samples if t < start)
    lowest = min(mb for t, mb in sampler.samples if t >= start)
    fall = baseline - lowest
    return {
        "cgroup": cgroup,
        "limit_mb": limit_mb,
        "allocated_mb": children * gigabytes_each * 1024,
        "baseline_available_mb": round(baseline),
        "lowest_available_mb": round(lowest),
        "largest_fall_mb": round(fall),
        "fall_over_limit": round(fall / limit_mb, 3),
        "sandbox_peak_mb": round(sampler.sandbox_peak_mb),
        "sandbox_peak_over_limit": round(sampler.sandbox_peak_mb / limit_mb, 3),
        "seconds_until_stopped": round(stopped, 2),
        "message": message.splitlines()[0][:200],
        "within_limit_plus_10_percent": fall <= 1.10 * limit_mb,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--limit-mb", type=int, default=3072, help="the worker's memory limit")
    parser.add_argument("--children", type=int, default=8)
    parser.add_argument("--gigabytes-each", type=float, default=1.0)
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    runs = [
        measure(args.limit_mb, use_cgroup=flag, children=args.children, gigabytes_each=args.gigabytes_each)
        for flag in (True, False)
    ]
    result = {"benchmark": "sandbox memory limit, children allocating in total", "runs": runs}
    return write_report(result, args.json)


if __name__ == "__main__":
    main()
