"""Benchmark of keras_vision.enhance on one 12-megapixel colour photograph (4000x3000): each method in <= 1 s.

    python benchmarks/lowlight.py --json runs/lowlight_bench.json [--data-dir ../shared/data]

1. methods: wall-clock seconds (median and best of --repeats calls) and CPU seconds of every
   method of the `lowlight` study (`max_pool_brighten` filter on the luma / on each channel /
   binning, `clahe`, `gamma_correct`) on the photograph as uint8 and as float32, and whether the
   best call is within the 1-second budget.
2. max_filter: ways to compute the same stride-1 3x3 max pooling (checked equal): `cv2.dilate`
   with a 3x3 rectangle (the library's `max_filter`), TensorFlow's `tf.nn.max_pool2d`, and the
   NumPy sliding-window `keras_vision.convolution.max_pool2d`.
3. binning: ways to compute the 3x3 block maxima (checked equal): `cv2.dilate` read at every
   third pixel (the library's `block_max`), reshape into blocks and two `max` reductions, and
   reshape and one `max` over both block axes.

The photograph: the first real low-light photograph of `lowlight/LIME` under --data-dir, resized
(bicubic) to 4000x3000, or, without the data, the embedded `astronaut` photograph darkened and
resized the same way. Prints the JSON and writes it to --json.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from reporting import default_data_dir, write_report  # noqa: E402  (benchmarks/ is the script folder)

SIZE = (3000, 4000)  # height, width: 12 megapixels
BUDGET_SECONDS = 1.0


def twelve_megapixel_photo(data_dir: Path) -> tuple[np.ndarray, str]:
    """A real photograph resized to 4000x3000 RGB uint8, and where it came from."""
    from keras_vision.data import load_images, load_sample_image, resize_images
    from keras_vision.enhance import darken
    from keras_vision.experiments.catalog import LowlightConfig

    folder = data_dir / "lowlight" / "LIME"
    if folder.is_dir():
        photos = load_images(folder)
        photo, source = photos.images[0], f"{folder / photos.names[0]}"
    else:
        darkening = {"gamma": LowlightConfig.darken_gamma, "scale": LowlightConfig.darken_scale}
        photo = darken(load_sample_image("astronaut"), **darkening, noise=LowlightConfig.darken_noise)
        source = "skimage astronaut, darkened as the lowlight experiment does"
    return resize_images(photo[None], SIZE, interpolation="bicubic")[0], source


def seconds(function: Callable[[], object], repeats: int, warm_up: bool = True) -> tuple[dict, object]:
    """Times `repeats` calls (after one untimed call if `warm_up`); returns the timings and a result.

    The timings: `median` and `best` wall-clock seconds per call, and `cpu`, the mean CPU seconds
    of this process per call (all threads: above the wall time when OpenCV's threads run in
    parallel, below it when other programs hold the cores). On a shared machine the best call is
    the least disturbed one (the convention of `timeit`).
    """
    result = function() if warm_up else None
    times, cpu = [], time.process_time()
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    cpu = (time.process_time() - cpu) / repeats
    return {"median": round(statistics.median(times), 4), "best": round(min(times), 4), "cpu": round(cpu, 4)}, result


def method_timings(photo: np.ndarray, repeats: int) -> dict:
    from keras_vision.enhance import clahe, gamma_correct, max_pool_brighten

    methods = {
        "maxpool (filter, luma, k=3)": lambda x: max_pool_brighten(x, pool_size=3),
        "maxpool_each (filter, R/G/B, k=3)": lambda x: max_pool_brighten(x, pool_size=3, channels="each"),
        "maxpool_binning (blocks, luma, k=3)": lambda x: max_pool_brighten(x, pool_size=3, mode="binning"),
        "maxpool (filter, luma, k=9)": lambda x: max_pool_brighten(x, pool_size=9),
        "clahe (clip 2, 8x8 tiles)": lambda x: clahe(x, clip_limit=2.0, tile_grid=8),
        "gamma (0.5)": lambda x: gamma_correct(x, 0.5),
    }
    results = {}
    for dtype, image in (("uint8", photo), ("float32", photo.astype(np.float32) / 255.0)):
        for name, method in methods.items():
            timing, _ = seconds(lambda method=method, image=image: method(image), repeats)
            results[f"{name} {dtype}"] = {**timing, "within_budget": timing["best"] <= BUDGET_SECONDS}
    return results


def max_filter_alternatives(photo: np.ndarray, repeats: int) -> dict:
    import tensorflow as tf

    from keras_vision.convolution import max_pool2d
    from keras_vision.enhance import max_filter

    image = photo.astype(np.float32)
    ways = {
        "cv2.dilate (max_filter)": lambda: max_filter(image, 3),
        "tf.nn.max_pool2d": lambda: tf.nn.max_pool2d(image[None], 3, 1, "SAME").numpy()[0],
        "numpy sliding window (convolution.max_pool2d)": lambda: max_pool2d(image, 3, stride=1, padding="same"),
    }
    return _compare(ways, repeats, slow_repeats=1)


def binning_alternatives(photo: np.ndarray, repeats: int) -> dict:
    from keras_vision.enhance import block_max

    image = photo[: SIZE[0] // 3 * 3, : SIZE[1] // 3 * 3]
    rows, cols = image.shape[0] // 3, image.shape[1] // 3
    ways = {
        "cv2.dilate + every third pixel (block_max)": lambda: block_max(image, 3),
        "reshape + two max": lambda: image.reshape(rows, 3, cols, 3, 3).max(axis=1).max(axis=2),
        "reshape + one max over (1, 3)": lambda: image.reshape(rows, 3, cols, 3, 3).max(axis=(1, 3)),
    }
    return _compare(ways, repeats, slow_repeats=repeats)


def _compare(ways: dict[str, Callable[[], np.ndarray]], repeats: int, slow_repeats: int) -> dict:
    """Times every way (the others `slow_repeats` times, without warm-up) and checks they agree."""
    timings, reference = {}, None
    for index, (name, way) in enumerate(ways.items()):
        timing, result = seconds(way, repeats) if index == 0 else seconds(way, slow_repeats, warm_up=False)
        reference = np.asarray(result) if reference is None else reference
        if not np.array_equal(np.asarray(result), reference):
            raise AssertionError(f"{name} does not compute the same result as {next(iter(ways))}.")
        timings[name] = timing["best"]
    first = next(iter(timings.values()))
    return {"best_seconds": timings, "slowdown_vs_first": {k: round(v / first, 1) for k, v in timings.items()}}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--data-dir", type=Path, default=default_data_dir(), help="the shared data folder")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per method (the median is kept)")
    args = parser.parse_args(argv)
    import cv2

    photo, source = twelve_megapixel_photo(args.data_dir)
    report = {
        "load_average_before": list(os.getloadavg()),
        "image": {"shape": list(photo.shape), "megapixels": photo.shape[0] * photo.shape[1] / 1e6, "source": source},
        "budget_seconds": BUDGET_SECONDS,
        "methods": method_timings(photo, args.repeats),
        "max_filter": max_filter_alternatives(photo, args.repeats),
        "binning": binning_alternatives(photo, args.repeats),
        "machine": {
            "cpus": os.cpu_count(),
            "opencv_threads": cv2.getNumThreads(),
            "numpy": np.__version__,
            "opencv": cv2.__version__,
            "python": platform.python_version(),
        },
    }
    report["all_within_budget"] = all(entry["within_budget"] for entry in report["methods"].values())
    return write_report(report, args.json)


if __name__ == "__main__":
    main()
