"""Teaching the reader's classifier what the reader shows it: its own crops, and "not one digit".

An MNIST classifier has seen single, upright, centred digits on black. The reader shows it more:
digits sheared by the line and sheared back, with a noise floor removed, and, while it searches
for the segmentation, halves of digits, a digit with a stub of its neighbour, and two touching
digits at once. A 10-class softmax must call each of those some digit, often confidently (two
interleaved 1s look like a 4), and then the reading that keeps them wins.

The remedy (segmentation by recognition needs a classifier that can say "no", LeCun et al. 1998)
is to train on the reader's own candidates from synthetic lines of MNIST *training* digits:

1. `compose_line_layers` builds a line and remembers where each digit's ink went.
2. `find_candidates` runs the reader's steps 1 to 6 on it; the same deslant is applied to the layers.
3. `label_candidates` gives each candidate the class of the one digit it holds (nearly all of that
   digit's ink, and nearly nothing else), or `NOT_A_DIGIT` when it holds a part of one or parts of
   two; in-between candidates are left out rather than taught either way.
4. `with_not_a_digit` widens the trained MNIST classifier to 11 outputs (its 10 digit rows kept),
   to be fine-tuned on these crops next to plain MNIST digits.

The test digits are never used, so a reader trained this way is still measured on held-out digits.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_vision.deploy.reader import Candidates, ReaderSettings, deslant, find_candidates
from keras_vision.deploy.sequences import SequenceStyle, compose_line_layers

#: The 11th class: a crop that is not one whole digit.
NOT_A_DIGIT = 10
#: A layer pixel at least this bright (0-255) is the digit's ink.
INK_LEVEL = 64.0


def reader_training_set(
    images,
    labels,
    *,
    lines: int,
    length: tuple[int, int] = (4, 8),
    seed: int = 0,
    style: SequenceStyle | None = None,
    settings: ReaderSettings | None = None,
    whole: float = 0.85,
    part: float = 0.6,
) -> tuple[np.ndarray, np.ndarray]:
    """The reader's candidate crops on `lines` synthetic lines, labelled 0-9 or `NOT_A_DIGIT`.

    Args:
        images: Digit images `(N, 28, 28)` uint8, white on black: training digits only.
        labels: Their class ids `(N,)`.
        lines: How many lines to build.
        length: Digits per line, a range `(low, high)`. Defaults to `(4, 8)`.
        seed: Seed of the lines. Defaults to `0`.
        style: How messy the lines are. Defaults to `SequenceStyle()`, the test lines' style.
        settings: The reader's settings, so that the crops are those it will classify.
        whole: Share of a digit's ink (and of the crop's) that makes a crop that digit. Defaults to `0.85`.
        part: Below this share a crop is `NOT_A_DIGIT`. Defaults to `0.6`.

    Returns:
        `(x, y)`: float32 crops `(M, 28, 28, 1)` in [0, 1] and int labels `(M,)` in 0-10.

    Raises:
        ValueError: for `lines < 1`, a bad length range, images that are not `(N, H, W)`, or
            `part > whole`.
    """
    images, labels = np.asarray(images), np.asarray(labels).reshape(-1)
    low, high = length
    if lines < 1 or low < 1 or high < low:
        raise ValueError(f"`lines` must be >= 1 and `length` a range 1 <= low <= high. Received: {lines}, {length}.")
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(f"`images` must be (N, H, W) with one label each. Received: {images.shape}, {labels.shape}.")
    if not 0 < part <= whole <= 1:
        raise ValueError(f"Shares must satisfy 0 < part <= whole <= 1. Received: part={part}, whole={whole}.")
    rng, style = np.random.default_rng(seed), style or SequenceStyle()
    xs, ys = [], []
    for _ in range(lines):
        chosen = rng.choice(len(images), size=int(rng.integers(low, high + 1)), replace=False)
        line, layers = compose_line_layers([images[i] for i in chosen], rng, style)
        candidates = find_candidates(line, settings)
        if candidates is None:
            continue
        found = label_candidates(candidates, layers, labels[chosen], whole=whole, part=part)
        keep = found >= 0
        xs.append(candidates.crops[keep])
        ys.append(found[keep])
    if not xs:
        return np.zeros((0, 28, 28, 1), np.float32), np.zeros((0,), np.int64)
    return np.concatenate(xs)[..., None].astype(np.float32), np.concatenate(ys).astype(np.int64)


def label_candidates(
    candidates: Candidates, layers: np.ndarray, digits, *, whole: float = 0.85, part: float = 0.6
) -> np.ndarray:
    """The class of each candidate: the one digit it holds, `NOT_A_DIGIT`, or -1 (in between: left out).

    Args:
        candidates: The reader's candidates of a line (`find_candidates`).
        layers: Each digit of the line alone, `(K, H, W)` before deslanting (`compose_line_layers`).
        digits: The K digits' classes.
        whole: A candidate holding at least this share of one digit's ink, that digit making at
            least this share of the candidate's ink, is that digit.
        part: A candidate whose best digit falls below this share (either way) is not one digit.

    Returns:
        int64 labels, one per candidate.
    """
    ink = np.stack([deslant(layer, skew=candidates.skew) >= INK_LEVEL for layer in layers])
    if ink.shape[1:] != candidates.masks.shape[1:]:
        raise ValueError(f"`layers` do not match the line: {ink.shape[1:]} vs {candidates.masks.shape[1:]}.")
    masks = candidates.masks.reshape(len(candidates.masks), -1).astype(np.float32)
    flat = ink.reshape(len(ink), -1).astype(np.float32)
    shared = masks @ flat.T  # (candidates, digits): ink pixels of each digit inside each candidate
    of_digit = shared / np.maximum(flat.sum(axis=1), 1.0)[None, :]
    any_ink = masks @ flat.any(axis=0).astype(np.float32)
    of_crop = shared / np.maximum(any_ink, 1.0)[:, None]
    best = of_digit.argmax(axis=1)
    rows = np.arange(len(best))
    digit_share, crop_share = of_digit[rows, best], of_crop[rows, best]
    labels = np.full(len(best), -1, np.int64)
    one = (digit_share >= whole) & (crop_share >= whole)
    labels[one] = np.asarray(digits, np.int64)[best[one]]
    labels[(digit_share < part) | (crop_share < part)] = NOT_A_DIGIT
    return labels


def with_not_a_digit(model: keras.Model, *, name: str = "reader_classifier") -> keras.Model:
    """The MNIST classifier with an 11th output, `NOT_A_DIGIT`, its 10 digit outputs unchanged.

    The last layer must be a softmax `Dense` of 10 units. A copy keeps every other layer's weights
    (the given model is not changed); the new row starts at zero weights and a bias of -3, so the
    digits keep their ratios until fine-tuning teaches the new class.

    Args:
        model: A trained classifier whose last layer is `Dense(10, softmax)` (the course's `mnist` model).
        name: Name of the new model. Defaults to `"reader_classifier"`.

    Returns:
        An uncompiled `keras.Model` with 11 softmax outputs.

    Raises:
        ValueError: if the last layer is not a 10-unit softmax `Dense`.
    """
    head = model.layers[-1]
    if not isinstance(head, keras.layers.Dense) or head.units != 10 or head.activation.__name__ != "softmax":
        raise ValueError(
            f"with_not_a_digit needs a classifier ending in Dense(10, softmax); {model.name!r} ends in "
            f"{type(head).__name__} {getattr(head, 'units', '')}. Train the mnist experiment's model."
        )
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    new_head = keras.layers.Dense(11, activation="softmax", name=head.name)
    widened = keras.Model(copy.inputs, new_head(copy.layers[-2].output), name=name)
    kernel, bias = head.get_weights()
    new_head.set_weights(
        [np.concatenate([kernel, np.zeros((kernel.shape[0], 1), kernel.dtype)], axis=1), np.r_[bias, -3.0]]
    )
    return widened
