"""One results table for every experiment: its headline metrics, one row per variant.

An experiment declares its headline metrics (`Metric`: the key in each variant's numbers, a column
title, a format); `run_experiment` prints the table and saves it as `results.md` and `results.csv`
beside `metrics.json`. Plain Python: no TensorFlow.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from keras_vision.files import atomic_path, write_text


@dataclass(frozen=True)
class Metric:
    """A headline metric: `key` in a variant's numbers, its column `title` and display `format`."""

    key: str
    title: str
    format: str = "{:.4f}"

    def show(self, value) -> str:
        if value is None:
            return "-"
        try:
            return self.format.format(value)
        except (TypeError, ValueError):
            return str(value)


ACCURACY = Metric("test_accuracy", "test accuracy", "{:.2%}")
VAL_ACCURACY = Metric("val_accuracy", "val accuracy", "{:.2%}")
TOP5_ACCURACY = Metric("top5_accuracy", "top-5 accuracy", "{:.2%}")
TRAINABLE_PARAMS = Metric("trainable_params", "trainable params", "{:,}")
PARAMS = Metric("params", "params", "{:,}")
SECONDS_PER_EPOCH = Metric("seconds_per_epoch", "s/epoch", "{:.1f}")
SECONDS = Metric("seconds", "seconds", "{:.1f}")
EPOCHS = Metric("epochs", "epochs", "{}")
PSNR_GAIN = Metric("psnr_gain", "PSNR gain (dB)", "{:+.2f}")
SSIM_GAIN = Metric("ssim_gain", "SSIM gain", "{:+.4f}")
PSNR = Metric("psnr", "PSNR (dB)", "{:.2f}")
SSIM = Metric("ssim", "SSIM", "{:.4f}")
MEAN_BRIGHTNESS = Metric("mean_brightness", "brightness", "{:.3f}")
RMS_CONTRAST = Metric("rms_contrast", "RMS contrast", "{:.3f}")
ENTROPY = Metric("entropy", "entropy (bits)", "{:.2f}")
CLIPPED = Metric("clipped", "clipped", "{:.2%}")
SHARPNESS = Metric("sharpness", "sharpness", "{:.0f}")


def result_rows(variants: Mapping[str, Mapping], headline: Sequence[Metric], *, prefix: str = "") -> list[dict]:
    """One row per variant: `{"variant": prefix + name, <metric key>: value, ...}` (None where missing)."""
    return [
        {"variant": prefix + name, **{m.key: numbers.get(m.key) for m in headline}}
        for name, numbers in variants.items()
        if isinstance(numbers, Mapping)
    ]


def format_markdown(rows: Sequence[Mapping], headline: Sequence[Metric]) -> str:
    """The rows as a GitHub markdown table, each value in its metric's format."""
    header = "| variant | " + " | ".join(m.title for m in headline) + " |"
    rule = "|---|" + "".join("---:|" for _ in headline)
    lines = ["| " + " | ".join([str(row["variant"]), *(m.show(row[m.key]) for m in headline)]) + " |" for row in rows]
    return "\n".join([header, rule, *lines])


def write_tables(rows: Sequence[Mapping], headline: Sequence[Metric], folder: str | Path) -> list[Path]:
    """Writes `results.md` and `results.csv` (raw values) into `folder`, each atomically; returns their paths."""
    folder = Path(folder)
    markdown = write_text(folder / "results.md", format_markdown(rows, headline) + "\n")
    comma = folder / "results.csv"
    with atomic_path(comma) as partial, partial.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["variant", *(m.key for m in headline)])
        writer.writeheader()
        writer.writerows(rows)
    return [markdown, comma]
