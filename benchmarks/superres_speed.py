"""Benchmark: milliseconds per image of SRCNN (bicubic first) against ESPCN and FSRCNN (learned upsampling inside).

    python benchmarks/superres_speed.py --json runs/superres_speed.json [--size 512] [--scale 2] [--repeats 7]

The `superres` experiment times each trained network once over the evaluation images, at the moment
its turn comes; on a shared machine other programs may be busy then and not at another model's turn.
Here the three networks (untrained: the weights do not change the work) are timed round-robin, one
call of each per round, on the same `--size` x `--size` HR image (SRCNN reads its bicubic upscale,
ESPCN and FSRCNN the `--size / --scale` LR image), so every model sees the same disturbances. Reported
per network: `median` and `best` milliseconds per call (the best is the least disturbed,
`timeit`'s convention), its parameters, and the multiply-accumulates per HR pixel (from the layer
shapes); then SRCNN's median over each network's. Prints the JSON and writes it to --json.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from reporting import write_report  # noqa: E402  (benchmarks/ is the script folder)

NETWORKS = ("srcnn", "espcn", "fsrcnn")


def macs_per_hr_pixel(model, *, hr_side: int) -> float:
    """Multiply-accumulates of the model's convolutions per output (HR) pixel, from the layer shapes."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            kernel = layer.kernel.shape  # (kh, kw, in, out) or (kh, kw, out, in) for a transposed one
            positions = layer.input.shape[1] * layer.input.shape[2]  # a transposed kernel runs per INPUT pixel
            total += positions * int(np.prod(kernel))
    return total / hr_side**2


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--size", type=int, default=512, help="side of the HR image")
    parser.add_argument("--scale", type=int, default=2, help="super-resolution factor")
    parser.add_argument("--repeats", type=int, default=7, help="rounds of one call per network")
    args = parser.parse_args(argv)
    if args.size % args.scale or args.repeats < 1:
        parser.error(f"--size must be a multiple of --scale and --repeats at least 1. Received: {vars(args)}.")
    import keras
    import tensorflow as tf

    from keras_vision.superres import build_espcn, build_fsrcnn, build_srcnn

    keras.utils.set_random_seed(0)
    hr, lr = args.size, args.size // args.scale
    builders = {  # fixed input sizes, so that every layer's input shape (and its work) is known
        "srcnn": lambda: build_srcnn((hr, hr, 3), residual=True),
        "espcn": lambda: build_espcn((lr, lr, 3), scale=args.scale, residual=True),
        "fsrcnn": lambda: build_fsrcnn((lr, lr, 3), scale=args.scale, residual=True),
    }
    models, times = {}, {name: [] for name in NETWORKS}
    for name in NETWORKS:
        model = builders[name]()
        models[name] = (model, np.random.rand(1, *model.input_shape[1:]).astype(np.float32))
        model(models[name][1])  # warm-up: the first call builds and allocates
    load_before = list(os.getloadavg())
    for _ in range(args.repeats):
        for name, (model, x) in models.items():
            start = time.perf_counter()
            np.asarray(model(x, training=False))
            times[name].append(1000 * (time.perf_counter() - start))
    networks = {
        name: {
            "input": list(x.shape[1:3]),
            "params": model.count_params(),
            "macs_per_hr_pixel": round(macs_per_hr_pixel(model, hr_side=hr)),
            "median_ms": round(statistics.median(times[name]), 1),
            "best_ms": round(min(times[name]), 1),
        }
        for name, (model, x) in models.items()
    }
    srcnn = networks["srcnn"]["median_ms"]
    report = {
        "hr_size": [hr, hr],
        "scale": args.scale,
        "repeats": args.repeats,
        "load_average_before": load_before,
        "networks": networks,
        "srcnn_median_over": {name: round(srcnn / entry["median_ms"], 2) for name, entry in networks.items()},
        "machine": {
            "cpus": os.cpu_count(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "python": platform.python_version(),
        },
    }
    return write_report(report, args.json)


if __name__ == "__main__":
    main()
