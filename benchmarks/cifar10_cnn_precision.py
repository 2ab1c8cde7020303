"""Benchmark: the CIFAR-10 CNN's training speed in float32 and in mixed bfloat16, side by side.

    python benchmarks/cifar10_cnn_precision.py --json runs/cifar10_cnn_precision.json [--steps 20]

`keras_vision.experiments.scratch.CIFAR10_RECIPES["cnn"]` builds its model under Keras' `"mixed_bfloat16"`
dtype policy (bfloat16 computations, float32 weights). This measures, for each policy, the
wall-clock and CPU seconds of `--steps` training steps of `build_cifar10_cnn` (batch 128, SGD,
categorical cross-entropy) after one warm-up call, alternating the two policies `--repeats` times,
and reports the median time per step, the projected seconds per CIFAR-10 epoch (45,000 images) and
the speed-up. CPU seconds matter on a shared machine, where wall time depends on the other jobs.
Inputs are random: the speed of these layers does not depend on the pixel values.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

POLICIES = ("float32", "mixed_bfloat16")
BATCH = 128
EPOCH_IMAGES = 45_000  # the training split of the CIFAR-10 run (50,000 minus 10 % validation)


def time_policy(policy: str, steps: int) -> tuple[float, float]:
    """`(wall seconds, CPU seconds)` per training step of the CIFAR-10 CNN under `policy`."""
    import keras

    from keras_vision.models import build_cifar10_cnn, dtype_policy

    keras.utils.set_random_seed(0)
    with dtype_policy(policy):
        model = build_cifar10_cnn(weight_decay=5e-4)
    model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9), loss="categorical_crossentropy")
    x = np.random.default_rng(0).uniform(0, 1, (BATCH * steps, 32, 32, 3)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[np.arange(len(x)) % 10]
    model.fit(x[: 2 * BATCH], y[: 2 * BATCH], batch_size=BATCH, epochs=1, verbose=0)  # trace once
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--steps", type=int, default=20, help="training steps timed per measurement")
    parser.add_argument("--repeats", type=int, default=2, help="measurements per policy (alternating)")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.repeats < 1:
        parser.error(f"--steps and --repeats must be positive. Received: {args.steps}, {args.repeats}.")
    samples = {policy: [] for policy in POLICIES}
    for _ in range(args.repeats):
        for policy in POLICIES:
            samples[policy].append(time_policy(policy, args.steps))
    result = {
        "batch_size": BATCH,
        "steps": args.steps,
        "repeats": args.repeats,
        "cpu_count": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
    }
    for policy, runs in samples.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        result[policy] = {
            "seconds_per_step": wall,
            "cpu_seconds_per_step": cpu,
            "projected_seconds_per_epoch": wall * EPOCH_IMAGES / BATCH,
            "projected_cpu_seconds_per_epoch": cpu * EPOCH_IMAGES / BATCH,
        }
    result["speedup_wall"] = result["float32"]["seconds_per_step"] / result["mixed_bfloat16"]["seconds_per_step"]
    result["speedup_cpu"] = result["float32"]["cpu_seconds_per_step"] / result["mixed_bfloat16"]["cpu_seconds_per_step"]
    text = json.dumps(result, indent=2)
    print(text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
