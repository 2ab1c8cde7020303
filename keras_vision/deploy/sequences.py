"""Sequences of handwritten digits, built from single MNIST digits: what the robot's camera sees.

Each sequence is a row of 4-8 digits written by different hands (MNIST test digits), with the
difficulties of real handwriting: random gaps, some neighbours touching (their strokes overlap, so
one connected blob holds two digits), one slant for the whole line (each digit sheared by the same
angle, plus a little of its own), small vertical jitter, and sensor noise. The labels are the
digit strings, so a reader's output is checked exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class SequenceStyle:
    """How messy the built sequences are.

    Attributes:
        gap: Range `(low, high)` of the blank columns between neighbours, in pixels.
        touch_probability: Chance that a pair of neighbours touches (overlaps by `overlap` pixels).
        overlap: Range of the overlap of a touching pair, in pixels.
        slant: Largest shear of a line (x shift per pixel of height, both signs); 0.3 is about 17 degrees.
        digit_slant: Extra shear of each digit around the line's.
        jitter: Largest vertical shift of a digit, in pixels.
        noise: Standard deviation of the Gaussian noise, in grey levels (0-255).
        margin: Blank pixels around the line.
    """

    gap: tuple[int, int] = (2, 10)
    touch_probability: float = 0.25
    overlap: tuple[int, int] = (1, 4)
    slant: float = 0.3
    digit_slant: float = 0.05
    jitter: int = 3
    noise: float = 12.0
    margin: int = 6


def build_sequences(
    images, labels, *, count: int, length: int | tuple[int, int], seed: int = 0, style: SequenceStyle | None = None
) -> tuple[list[np.ndarray], list[str]]:
    """Builds `count` lines of handwritten digits from single digit images.

    Args:
        images: Digit images `(N, 28, 28)` uint8, white on black (MNIST).
        labels: Their class ids `(N,)`.
        count: How many sequences.
        length: Digits per sequence, or a range `(low, high)` drawn uniformly (inclusive).
        seed: Seed of every random choice. Defaults to `0`.
        style: Gaps, touching, slant, jitter and noise. Defaults to `SequenceStyle()`.

    Returns:
        `(lines, texts)`: uint8 images `(H, W)` of varying width, and the digit strings.

    Raises:
        ValueError: for lengths below 1, or images that are not `(N, H, W)`.
    """
    images, labels = np.asarray(images), np.asarray(labels).reshape(-1)
    low, high = (length, length) if isinstance(length, int) else length
    if low < 1 or high < low:
        raise ValueError(f"`length` must be >= 1 (or a range low <= high). Received: {length!r}.")
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(f"`images` must be (N, H, W) with one label each. Received: {images.shape}, {labels.shape}.")
    rng, style = np.random.default_rng(seed), style or SequenceStyle()
    lines, texts = [], []
    for _ in range(count):
        chosen = rng.choice(len(images), size=int(rng.integers(low, high + 1)), replace=False)
        lines.append(compose_line([images[i] for i in chosen], rng, style))
        texts.append("".join(str(int(labels[i])) for i in chosen))
    return lines, texts


def compose_line(digits: list[np.ndarray], rng: np.random.Generator, style: SequenceStyle) -> np.ndarray:
    """Places slanted digit crops left to right on one noisy canvas (overlaps keep the brighter pixel)."""
    return compose_line_layers(digits, rng, style)[0]


def compose_line_layers(
    digits: list[np.ndarray], rng: np.random.Generator, style: SequenceStyle
) -> tuple[np.ndarray, np.ndarray]:
    """`compose_line`, and where each digit's ink went: what a reader's training crops are labelled by.

    Returns:
        `(line, layers)`: the uint8 line `(H, W)`, and float32 `(len(digits), H, W)` with each
        digit alone (no noise) where it was placed. The random draws are those of `compose_line`,
        so the same seed gives the same line.
    """
    slant = rng.uniform(-style.slant, style.slant)
    crops = [shear(tight_crop(d), slant + rng.uniform(-style.digit_slant, style.digit_slant)) for d in digits]
    height = max(c.shape[0] for c in crops) + 2 * (style.margin + style.jitter)
    steps = [
        -int(rng.integers(style.overlap[0], style.overlap[1] + 1))
        if rng.random() < style.touch_probability
        else int(rng.integers(style.gap[0], style.gap[1] + 1))
        for _ in crops[1:]
    ]
    width = sum(c.shape[1] for c in crops) + sum(steps) + 2 * style.margin
    layers = np.zeros((len(crops), height, max(width, 1)), np.float32)
    x = style.margin
    for k, crop in enumerate(crops):
        y = style.margin + style.jitter + int(rng.integers(-style.jitter, style.jitter + 1))
        layers[k, y : y + crop.shape[0], x : x + crop.shape[1]] = crop
        x += crop.shape[1] + (steps[k] if k < len(steps) else 0)
    canvas = layers.max(axis=0)
    canvas += rng.normal(0.0, style.noise, canvas.shape)  # in float32, as the lines were always built
    return np.clip(np.round(canvas), 0, 255).astype(np.uint8), layers


def tight_crop(digit: np.ndarray) -> np.ndarray:
    """The digit's bounding box of non-zero pixels (the whole image when it is blank)."""
    rows, cols = np.nonzero(digit)
    if len(rows) == 0:
        return digit.astype(np.float32)
    return digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(np.float32)


def shear(image: np.ndarray, slant: float) -> np.ndarray:
    """Shears `image` horizontally by `slant` (x shift per pixel up), widening it to keep every pixel."""
    height, width = image.shape
    extra = int(np.ceil(abs(slant) * height))
    # x' = x + slant * (height - 1 - y): the bottom row stays, upper rows move right for slant > 0.
    offset = 0.0 if slant >= 0 else extra
    matrix = np.float32([[1, -slant, slant * (height - 1) + offset], [0, 1, 0]])
    return cv2.warpAffine(image, matrix, (width + extra, height), flags=cv2.INTER_LINEAR, borderValue=0)
