"""Error analysis: the most-confused class pairs and the most confidently wrong predictions."""

import numpy as np
import pytest

from keras_vision.evaluation import (
    confused_pair_records,
    mistake_records,
    most_confident_mistakes,
    plot_confident_mistakes,
)

NAMES = ["cat", "dog", "fox"]
# Hand-made: 10 cats (7 right, 3 taken for dogs), 10 dogs (5 right, 4 cats, 1 fox), 5 foxes (all right).
CONFUSION = [[7, 3, 0], [4, 5, 1], [0, 0, 5]]


def test_confused_pair_records_are_the_largest_off_diagonal_cells():
    assert confused_pair_records(CONFUSION, NAMES, k=5) == [
        {"true": "dog", "predicted": "cat", "count": 4, "share": 0.4},
        {"true": "cat", "predicted": "dog", "count": 3, "share": 0.3},
        {"true": "dog", "predicted": "fox", "count": 1, "share": 0.1},
    ]  # cells with no mistakes are left out
    assert [p["count"] for p in confused_pair_records(CONFUSION, NAMES, k=1)] == [4]


def test_a_perfect_classifier_has_no_confused_pairs():
    assert confused_pair_records(np.eye(3, dtype=int) * 4, NAMES) == []


def test_confused_pairs_need_one_name_per_row():
    with pytest.raises(ValueError, match="square matrix with one row per class name"):
        confused_pair_records(CONFUSION, NAMES[:2])


PROBS = np.array(
    [
        [0.9, 0.05, 0.05],  # cat, right
        [0.2, 0.7, 0.1],  # cat taken for dog at 0.7
        [0.95, 0.03, 0.02],  # dog taken for cat at 0.95
        [0.1, 0.3, 0.6],  # dog taken for fox at 0.6
        [0.0, 0.0, 1.0],  # fox, right
    ]
)
LABELS = np.array([0, 0, 1, 1, 2])


def test_most_confident_mistakes_surest_first():
    np.testing.assert_array_equal(most_confident_mistakes(LABELS, PROBS), [2, 1, 3])
    np.testing.assert_array_equal(most_confident_mistakes(LABELS, PROBS, k=2), [2, 1])
    assert mistake_records(LABELS, PROBS, NAMES, k=1) == [
        {"index": 2, "true": "dog", "predicted": "cat", "confidence": 0.95}
    ]


def test_confident_mistakes_figure(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (5, 12, 12, 3), dtype=np.uint8)
    path = plot_confident_mistakes(images, LABELS, PROBS, NAMES, tmp_path / "mistakes.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
