"""Benchmark of the autograder: batch throughput with the zygote, with a sandbox per worker, and without, in one run.

    python benchmarks/grading.py --json runs/grading.json [--copies 6] [--jobs 2] [--modules ex01_convolutions]

Grades a batch of N copies of `solutions/` (one assignment, ex01 by default) three times, through the
grader's own `grade_batch`: with bubblewrap workers forked from the zygote (the default,
`keras_vision.grading.sandbox.zygote`), with a bubblewrap sandbox started per worker (`--no-zygote`,
the previous design), and with plain subprocesses (`--sandbox none`). Each run starts its own fork
server (and zygote) inside the timed part, as every grading run does. Reports wall-clock seconds,
submissions per minute and the load average of the machine around each run (the machine may be
shared), and whether all runs gave every copy the same results (score, and the status and points
of every test). Prints the JSON and writes it to --json.

On a shared machine the wall-clock rate says more about the neighbours than about the grader, so
where a cgroup-v1 `cpuacct` hierarchy is writable the benchmark also counts the CPU seconds of its
whole process tree per run (fork server, zygote, runners, sandboxes) and reports
`cpu_bound_submissions_per_minute`: the rate if those CPU seconds had the machine's cores to
themselves (`copies / (cpu_seconds / cpus)`), start-up included; an upper bound for a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reporting import write_report  # noqa: E402 - benchmarks/ is the script's folder

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def make_batch(folder: Path, copies: int) -> Path:
    """`folder/copy_00 .. copy_NN`, each a copy of the repository's solutions."""
    for index in range(copies):
        shutil.copytree(REPO / "solutions", folder / f"copy_{index:02d}", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def outcome(result) -> dict:
    """What must not depend on the sandbox: the score and each test's status and points."""
    return {"score": result.score, "tests": {t.nodeid: (t.status, t.score) for t in result.tests}}


#: The three ways of running student code compared: (name, sandbox, zygote).
VARIANTS = (("bwrap_zygote", "bwrap", True), ("bwrap_per_worker", "bwrap", False), ("none", "none", False))
#: Submissions per minute sandboxed that issue 23 asks for on this 2-core machine.
TARGET_PER_MINUTE = 15


class CpuAccounting:
    """CPU seconds used by this process and all its descendants, from a `cpuacct` cgroup made for it."""

    ROOT = Path("/sys/fs/cgroup/cpuacct")

    def __init__(self):
        self.folder = self.ROOT / f"keras_vision_bench_{os.getpid()}"
        self.folder.mkdir()
        (self.folder / "cgroup.procs").write_text(str(os.getpid()))

    @classmethod
    def create(cls) -> CpuAccounting | None:
        try:
            return cls()
        except OSError:
            return None

    def seconds(self) -> float:
        return int((self.folder / "cpuacct.usage").read_text()) / 1e9

    def close(self) -> None:
        """Moves this process back and removes the group (the descendants are gone by now)."""
        try:
            (self.ROOT / "cgroup.procs").write_text(str(os.getpid()))
            self.folder.rmdir()
        except OSError:
            pass


def timed_batch(folder: Path, *, sandbox: str, zygote: bool, jobs: int, modules: tuple[str, ...]) -> tuple[float, list]:
    """Seconds to grade the batch as `python -m keras_vision.grade` would: the runners' fork server
    (which imports Keras once) and the zygote start inside the timed part, as in every grading run."""
    from keras_vision.grading.running.grader import RUNNERS, GradingOptions, grade_batch
    from keras_vision.grading.targets import graded_tests_dir

    options = GradingOptions(graded_tests_dir(), modules=modules, sandbox=sandbox, zygote=zygote)
    RUNNERS.stop()
    start = time.perf_counter()
    results = grade_batch(folder, options, jobs=jobs)
    return time.perf_counter() - start, results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--copies", type=int, default=6, help="submissions in the batch")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel")
    parser.add_argument("--modules", default="ex01_convolutions", help="comma-separated modules to grade")
    args = parser.parse_args(argv)

    from keras_vision.grading.sandbox.isolation import bwrap_problem

    if bwrap_problem() is not None:
        parser.error(bwrap_problem())
    modules = tuple(m for m in args.modules.split(",") if m)
    runs, outcomes = {}, {}
    accounting = CpuAccounting.create()
    try:
        with tempfile.TemporaryDirectory(prefix="kv_grading_bench_") as tmp:
            folder = make_batch(Path(tmp) / "batch", args.copies)
            for name, sandbox, zygote in VARIANTS:
                load_before = os.getloadavg()[0]
                cpu_before = accounting.seconds() if accounting else None
                seconds, results = timed_batch(folder, sandbox=sandbox, zygote=zygote, jobs=args.jobs, modules=modules)
                cpu = accounting.seconds() - cpu_before if accounting else None
                outcomes[name] = {r.submission: outcome(r) for r in results}
                runs[name] = {
                    "seconds": round(seconds, 1),
                    "submissions_per_minute": round(60 * len(results) / seconds, 2),
                    "mean_seconds_per_submission": round(sum(r.execution_time for r in results) / len(results), 1),
                    "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                    "cpu_seconds": round(cpu, 1) if cpu is not None else None,
                    "cpu_bound_submissions_per_minute": (
                        round(60 * len(results) / (cpu / os.cpu_count()), 2) if cpu else None
                    ),
                    "scores": sorted({r.score for r in results}),
                    "max_score": results[0].max_score if results else 0,
                }
    finally:
        from keras_vision.grading.running.grader import RUNNERS

        RUNNERS.stop()
        if accounting:
            accounting.close()
    identical = all(outcomes[name] == outcomes["none"] for name, _, _ in VARIANTS)
    fastest = runs["bwrap_zygote"]["submissions_per_minute"]
    result = {
        "benchmark": "grading batch throughput",
        "modules": list(modules),
        "copies": args.copies,
        "jobs": args.jobs,
        "cpus": os.cpu_count(),
        **runs,
        "zygote_speedup": round(runs["bwrap_per_worker"]["seconds"] / runs["bwrap_zygote"]["seconds"], 2),
        "identical_results": identical,
        "acceptance": {
            "min_submissions_per_minute_sandboxed": TARGET_PER_MINUTE,
            "met": fastest >= TARGET_PER_MINUTE and identical,
        },
    }
    return write_report(result, args.json)


if __name__ == "__main__":
    main()
