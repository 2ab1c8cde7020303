"""The digit reader on synthetic lines: segmentation and MNIST centring checked without a trained model."""

import numpy as np
import pytest
from scipy import ndimage

from keras_vision.deploy import ReaderSettings, SequenceStyle, build_sequences, center_digit, read_digits
from keras_vision.deploy.reader import ink_image
from keras_vision.experiments.digits import edit_distance, score_readings


def glyph(k: int) -> np.ndarray:
    """Digit k as a 28x28 MNIST-like image: a 20-pixel tall bar of width 2 + 2k (wider for larger k)."""
    image = np.zeros((28, 28), np.uint8)
    width = 2 + 2 * k
    image[4:24, 14 - width // 2 : 14 - width // 2 + width] = 255
    return image


class WidthOracle:
    """A 'classifier' that knows the glyphs: the class is the bar width read from the centred crop."""

    def predict(self, x, verbose=0):
        ink = np.where(x[..., 0] > 0.2, x[..., 0], 0.0)  # resizing by area keeps the ink of a row or column
        ratio = ink.sum(axis=2).max(axis=1) / np.maximum(ink.sum(axis=1).max(axis=1), 1e-6)
        # glyph k has width / height = (2 + 2k) / 20
        k = np.clip(np.round((ratio * 20 - 2) / 2), 0, 9).astype(int)
        probs = np.full((len(x), 10), 0.01, np.float32)
        probs[np.arange(len(x)), k] = 0.91
        return probs


CLEAN = SequenceStyle(gap=(4, 8), touch_probability=0.0, slant=0.0, digit_slant=0.0, jitter=2, noise=8.0)


@pytest.mark.parametrize("length", [4, 6, 8])
def test_separate_digits_are_read_left_to_right(length):
    images = np.stack([glyph(k) for k in range(10)])
    lines, truths = build_sequences(images, np.arange(10), count=5, length=length, seed=length, style=CLEAN)
    readings = [read_digits(line, WidthOracle()).text for line in lines]
    assert readings == truths


def test_dark_ink_on_paper_is_inverted_and_colour_accepted():
    images = np.stack([glyph(k) for k in range(10)])
    lines, truths = build_sequences(images, np.arange(10), count=1, length=4, seed=1, style=CLEAN)
    paper = 255 - lines[0]
    assert ink_image(paper).mean() < 128
    assert read_digits(np.repeat(paper[..., None], 3, axis=-1), WidthOracle()).text == truths[0]


def test_touching_digits_are_split():
    line = np.zeros((40, 80), np.uint8)
    line[10:30, 10:26] = 255  # glyph 7 (16 wide)
    line[10:30, 26:40] = 255  # glyph 6 (14 wide), touching: one blob 30 wide
    line[18:22, 24:28] = 120  # the joint
    reading = read_digits(line, WidthOracle())
    assert len(reading.digits) == 2 and reading.boxes[0][0] < reading.boxes[1][0]


def test_blank_image_reads_nothing_and_bad_shapes_are_refused():
    assert read_digits(np.zeros((30, 60), np.uint8), WidthOracle()).text == ""
    speck = np.zeros((30, 60), np.uint8)
    speck[14:16, 30:32] = 255
    assert read_digits(speck, WidthOracle()).text == ""
    assert read_digits(np.full((30, 60), np.nan), WidthOracle()).text == ""
    with pytest.raises(ValueError, match="grey .* or colour"):
        read_digits(np.zeros((2, 3, 4, 5)), WidthOracle())


class PieceOracle:
    """A 'classifier' sure of narrow crops (a 1) and unsure of wide ones: it prefers cutting."""

    def predict(self, x, verbose=0):
        ink = x[..., 0] > 0.2
        cols = ink.any(axis=1).sum(axis=1)
        probs = np.full((len(x), 10), 0.01, np.float32)
        probs[:, 1] = np.where(cols <= 14, 0.91, 0.3)
        return probs


def test_a_blob_narrower_than_two_digits_is_still_cut_when_the_pieces_read_better():
    line = np.zeros((40, 60), np.uint8)
    line[10:30, 20:25] = 255  # two bars 5 wide, joined by a thin bridge: 18 wide, less than a digit height
    line[10:30, 33:38] = 255
    line[19:21, 25:33] = 255
    assert read_digits(line, PieceOracle()).text == "11"
    assert read_digits(line, PieceOracle(), settings=ReaderSettings(digit_cost=3.0)).text == "1"


def test_center_digit_fits_20_pixels_and_centres_the_mass():
    blob = np.zeros((50, 10), np.float32)
    blob[5:45, 2:8] = 1.0
    digit = center_digit(blob)
    rows = np.nonzero(digit.max(axis=1) > 0.5)[0]
    assert digit.shape == (28, 28) and 19 <= rows.max() - rows.min() + 1 <= 21
    cy, cx = ndimage.center_of_mass(digit)
    assert abs(cy - 13.5) < 0.6 and abs(cx - 13.5) < 0.6


def test_sequence_builder_is_seeded_and_slants_and_touches():
    images = np.stack([glyph(k) for k in range(10)])
    a = build_sequences(images, np.arange(10), count=3, length=(4, 8), seed=3)
    b = build_sequences(images, np.arange(10), count=3, length=(4, 8), seed=3)
    assert a[1] == b[1] and all(np.array_equal(x, y) for x, y in zip(a[0], b[0]))
    assert all(4 <= len(t) <= 8 for t in a[1]) and all(line.dtype == np.uint8 for line in a[0])
    with pytest.raises(ValueError, match="length"):
        build_sequences(images, np.arange(10), count=1, length=0)


def test_scores_count_edits_per_digit():
    assert edit_distance("12345", "1245") == 1 and edit_distance("", "12") == 2
    scores = score_readings(["12345", "1245", "99999"], ["12345", "12345", "12345"])
    assert scores["sequence_accuracy"] == pytest.approx(1 / 3)
    assert scores["digit_accuracy"] == pytest.approx(1 - (0 + 1 + 5) / 15)
