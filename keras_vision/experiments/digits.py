"""`digits`: the robot reads a number. Lines of handwritten MNIST test digits, read back digit by digit.

Each line holds `--length` digits from different writers (MNIST *test* digits, never seen in
training), with random gaps, touching neighbours, a slant and noise (`build_sequences`). The
reader (`read_digits`) segments the line and classifies each digit with the `mnist` model and with
its full-integer int8 LiteRT export, the file the robot would run.

    python -m keras_vision.run digits --data-dir ../shared/data --length 5

Scores, per reader: `sequence_accuracy` (the whole line right) and `digit_accuracy` (one minus the
edit distance between reading and truth, over the digits: a missed, extra or wrong digit each
costs one). `metrics.json` also holds the first reader's two numbers at the top level.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from keras_vision.data import locate
from keras_vision.deploy import LiteModel, build_sequences, export_litert, read_digits, representative_dataset
from keras_vision.errors import UsageError
from keras_vision.evaluation import plot_image_grid
from keras_vision.experiments.catalog import DigitsConfig
from keras_vision.experiments.deploy import load_images_for, trained_model_file

READERS = ("keras", "int8")


def run(config: DigitsConfig) -> dict:
    names = [n.strip() for n in config.readers.split(",") if n.strip()]
    unknown = sorted(set(names) - set(READERS))
    if unknown or not names:
        raise UsageError(
            f"--readers must be comma-separated names from {', '.join(READERS)}. Received: {config.readers!r}."
        )
    model_file = trained_model_file(config)
    model = keras.models.load_model(model_file)
    dataset, (x_train, _), (x_test, y_test) = load_images_for(model, model_file, config)
    digits = np.round(x_test[..., 0] * 255).astype(np.uint8)
    lines, truths = build_sequences(digits, y_test, count=config.sequences, length=config.length, seed=config.seed)

    readers, readings = {}, {}
    for name in names:
        classifier = model if name == "keras" else _int8_model(model, x_train, config)
        start = time.perf_counter()
        texts = [read_digits(line, classifier).text for line in lines]
        seconds = time.perf_counter() - start
        readers[name] = {**score_readings(texts, truths), "ms_per_sequence": round(1000 * seconds / len(lines), 2)}
        readings[name] = texts
    first = names[0]
    figure = plot_readings(lines, truths, readings[first], config.run_dir / "sequences.png", rows=config.figure_rows)
    return {
        "readers": readers,
        "digit_accuracy": readers[first]["digit_accuracy"],
        "sequence_accuracy": readers[first]["sequence_accuracy"],
        "length": config.length,
        "sequences": len(lines),
        "examples": [{"truth": t, **{n: readings[n][i] for n in names}} for i, t in enumerate(truths[:20])],
        "model": str(model_file),
        "data": {"source": locate(dataset, config.data_dir), "test_digits": len(x_test)},
        "figures": [str(figure)],
    }


def _int8_model(model, x_train, config: DigitsConfig) -> LiteModel:
    path = export_litert(
        model,
        config.run_dir / "int8.tflite",
        quantization="int8",
        calibration=representative_dataset(x_train, count=config.calibration_images, seed=config.seed),
    )
    return LiteModel(path, num_threads=1, backend=config.backend)


def score_readings(readings: list[str], truths: list[str]) -> dict:
    """`sequence_accuracy` (exact lines) and `digit_accuracy` (1 - total edit distance / total digits)."""
    errors = sum(edit_distance(r, t) for r, t in zip(readings, truths))
    total = sum(len(t) for t in truths)
    return {
        "sequence_accuracy": float(np.mean([r == t for r, t in zip(readings, truths)])),
        "digit_accuracy": max(0.0, 1.0 - errors / max(total, 1)),
        "digit_errors": errors,
        "digits": total,
    }


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest insertions, deletions and substitutions turning `a` into `b`."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def plot_readings(lines, truths, readings, path, *, rows: int):
    """The first `rows` lines, each titled with its truth and the reading (a cross marks a mistake)."""
    count = min(rows, len(lines))
    width = max(line.shape[1] for line in lines[:count])
    padded = [np.pad(line, ((0, 0), (0, width - line.shape[1]))) for line in lines[:count]]
    titles = [f"truth {t}  read {r}  {'ok' if r == t else 'X'}" for t, r in zip(truths[:count], readings[:count])]
    return plot_image_grid(padded, path, titles=titles, cols=1)
