"""The robot's digit reader: one image of a handwritten number in, its digits out.

    reading = read_digits(photo, model)      # a Keras MNIST classifier or a LiteModel
    reading.text                              # "40213"

A classifier trained on MNIST knows single digits, centred the way MNIST centres them. The reader
turns a line of handwriting into such digits, in the classic order of an OCR pipeline:

1. Polarity and threshold: dark ink on light paper is inverted (MNIST is white on black), then
   Otsu's threshold separates ink from background.
2. Deslant: the line's slant is measured from the ink's second moments (mu11 / mu02) and
   sheared away, so neighbours stand apart and digits look upright, as in MNIST.
3. Connected components: each blob of ink is a digit candidate. Specks far smaller than the
   digits are noise; blobs stacked in the same columns are one broken digit and are merged.
4. Splitting: a blob much wider than a digit is two (or more) touching digits. The cut is chosen
   by recognition: the middle columns crossing the least ink are tried, both halves are classified, and the cut
   where the classifier is most confident about both wins.
5. Centring as MNIST did: each digit is scaled so its longer side is 20 pixels and pasted into a
   28x28 box with its centre of mass at the centre.
6. Classification, left to right, in one batch.

Reference: LeCun et al., "Gradient-Based Learning Applied to Document Recognition", Proc. IEEE
1998 (MNIST's normalisation; segmentation by recognition).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy import ndimage

from keras_vision.errors import UsageError

#: Side of MNIST's box and of the digit inside it.
MNIST_SIZE, DIGIT_SIZE = 28, 20
#: Cost of reading a blob wider than `max_width` as one digit: any split the classifier accepts wins.
TOO_WIDE_COST = 20.0
#: Width / height of MNIST digits by class: mean and standard deviation of its logarithm, measured on the
#: tight boxes (pixels > 0) of MNIST training digits 0-53,999 (the mnist run's training part).
WIDTH_PRIOR = np.array(
    [
        (-0.090, 0.175),
        (-0.854, 0.434),
        (-0.059, 0.193),
        (-0.202, 0.196),
        (-0.209, 0.196),
        (-0.064, 0.232),
        (-0.289, 0.207),
        (-0.230, 0.201),
        (-0.245, 0.208),
        (-0.352, 0.199),
    ]
)
#: At most this many blobs are read as one (broken) digit.
MAX_BLOBS = 2


@dataclass(frozen=True)
class ReaderSettings:
    """Thresholds and costs of the reader; lengths are in units of the line's typical digit height.

    A segmentation of the line into digits is scored by the sum, over its digits, of the
    classifier's log-probability of the digit it reads, minus the costs below; the reader keeps
    the best-scoring one. The costs were tuned on lines of MNIST *training* digits.

    Attributes:
        min_height: Blobs lower than this share of the typical height are noise.
        max_width: No digit is wider than this.
        min_piece: No piece cut from a blob is narrower than this.
        min_cut_width: Only blobs at least this wide are tried with cuts.
        cuts_per_blob: Candidate cuts tried per blob (the columns crossing the least ink).
        digit_cost: Cost of each digit read, in log-probability: splitting a blob into two
            must raise the classifier's confidence by more than this.
        cut_cost: Cost of each ink pixel a cut crosses, in log-probability.
        merge_cost: Cost of reading two separate blobs as one broken digit.
        width_weight: Weight of the width prior of the digit read (`WIDTH_PRIOR`): a blob of two
            touching digits is too wide for most single digits.
        min_digit_height: Ink lower than this is a piece of a digit (the stroke of a broken 4),
            not a digit: cut pieces this low are never read ...
        short_cost: ... and a blob this low is read alone only at this cost.
        deslant: Shear the slant away first.
    """

    min_height: float = 0.3
    max_width: float = 1.3
    min_piece: float = 0.15
    min_cut_width: float = 0.5
    cuts_per_blob: int = 5
    digit_cost: float = 1.0
    cut_cost: float = 0.1
    merge_cost: float = 2.0
    width_weight: float = 1.0
    min_digit_height: float = 0.55
    short_cost: float = 3.0
    deslant: bool = True


@dataclass
class DigitReading:
    """What the reader saw.

    Attributes:
        text: The digits, left to right.
        digits: Their class ids.
        confidences: The classifier's probability of each.
        boxes: `(x0, y0, x1, y1)` of each digit in the (deslanted) image.
        crops: The 28x28 MNIST-style inputs the classifier saw, float in [0, 1].
    """

    text: str
    digits: list[int] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    crops: np.ndarray = field(default_factory=lambda: np.zeros((0, MNIST_SIZE, MNIST_SIZE), np.float32))


def read_digits(image, model, *, settings: ReaderSettings | None = None) -> DigitReading:
    """Reads a line of handwritten digits.

    Args:
        image: A grey `(H, W)` or colour `(H, W, 3)` image, uint8 or float in [0, 1]; ink may be
            light on dark (MNIST) or dark on light (paper).
        model: An MNIST classifier taking `(N, 28, 28, 1)` floats in [0, 1]: a `keras.Model` or
            a `keras_vision.deploy.LiteModel`; anything with `predict(x)` returning probabilities.
        settings: Thresholds. Defaults to `ReaderSettings()`.

    Returns:
        A `DigitReading` (`text` is empty when no ink is found).

    Raises:
        UsageError: if `image` is not a 2-D grey or 3-channel colour image.
    """
    settings = settings or ReaderSettings()
    grey = ink_image(image)
    if settings.deslant:
        grey = deslant(grey)
    parts = segment(grey, settings)
    if not parts:
        return DigitReading(text="")
    height = float(np.median([p.height for p in parts]))
    boundaries = cut_candidates(parts, grey, height, settings)
    spans, masks = _candidate_digits(parts, boundaries, height, settings)
    crops = np.stack([center_digit(np.where(m, grey, 0)) for m in masks])
    probs = _predict(model, crops)
    chosen = _best_reading(spans, probs, boundaries, settings)
    digits = [digit for _, digit in chosen]
    return DigitReading(
        text="".join(map(str, digits)),
        digits=digits,
        confidences=[float(probs[k, digit]) for k, digit in chosen],
        boxes=[_box(masks[k]) for k, _ in chosen],
        crops=crops[[k for k, _ in chosen]].reshape(-1, MNIST_SIZE, MNIST_SIZE),
    )


def ink_image(image) -> np.ndarray:
    """A uint8 grey image with light ink on a dark background (inverted when the background is light)."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] in (3, 4):
        image = cv2.cvtColor(_as_uint8(image[..., :3]), cv2.COLOR_RGB2GRAY)
    elif image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim != 2 or min(image.shape) < 2:
        raise UsageError(f"read_digits takes a grey (H, W) or colour (H, W, 3) image. Received shape: {image.shape}.")
    grey = _as_uint8(image)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return 255 - grey if np.median(border) > 127 else grey


def _as_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint8:
        return image
    image = image.astype(np.float32)
    scale = 255.0 if np.nanmax(image, initial=0.0) <= 1.0 else 1.0
    return np.clip(np.nan_to_num(image) * scale, 0, 255).astype(np.uint8)


def ink_mask(grey: np.ndarray) -> np.ndarray:
    """Ink pixels: Otsu's threshold of the lightly blurred image (blurring removes single-pixel noise)."""
    blurred = cv2.GaussianBlur(grey, (3, 3), 0)
    threshold, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return mask > 0 if threshold > 0 else np.zeros_like(grey, dtype=bool)


def deslant(grey: np.ndarray) -> np.ndarray:
    """Shears the line upright: no x-y correlation (mu11 = 0) of the ink within each blob.

    The moments are pooled over the connected components, each about its own centre, so that
    digits sitting a little higher or lower along the line do not count as slant.
    """
    count, labels = cv2.connectedComponents(ink_mask(grey).astype(np.uint8), connectivity=8)
    mu11 = mu02 = 0.0
    for k in range(1, count):
        ys, xs = np.nonzero(labels == k)
        if len(ys) >= 10:
            dy, dx = ys - ys.mean(), xs - xs.mean()
            mu11, mu02 = mu11 + float(np.sum(dx * dy)), mu02 + float(np.sum(dy * dy))
    if mu02 <= 0:
        return grey
    skew = float(np.clip(mu11 / mu02, -1.0, 1.0))
    height, width = grey.shape
    extra = int(np.ceil(abs(skew) * height))
    # x' = x - skew * (y - height / 2), shifted so that no pixel leaves the canvas.
    matrix = np.float32([[1, -skew, skew * height / 2 + extra / 2], [0, 1, 0]])
    return cv2.warpAffine(grey, matrix, (width + extra, height), flags=cv2.INTER_LINEAR, borderValue=0)


@dataclass
class _Part:
    """One blob of ink: a digit, a broken piece of one, or touching digits; its mask spans the line."""

    mask: np.ndarray

    @property
    def box(self) -> tuple[int, int, int, int]:
        return _box(self.mask)

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """`(x0, y0, x1, y1)` of a mask's pixels."""
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def segment(grey: np.ndarray, settings: ReaderSettings | None = None) -> list[_Part]:
    """Connected components of the ink, specks dropped and broken digits merged, left to right."""
    settings = settings or ReaderSettings()
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink_mask(grey).astype(np.uint8), connectivity=8)
    if count <= 1:
        return []
    # Pieces of one digit (the bar of a 5) are merged first; what stays small afterwards is noise.
    groups = _merge_stacked([[k] for k in range(1, count) if stats[k, cv2.CC_STAT_AREA] >= 4], stats)
    heights = {id(g): _group_height(g, stats) for g in groups}
    typical = float(np.percentile(list(heights.values()), 75)) if groups else 0.0
    groups = [g for g in groups if heights[id(g)] >= settings.min_height * typical]
    near_ink = cv2.dilate((labels > 0).astype(np.uint8), np.ones((3, 3), np.uint8))
    parts = []
    for group in groups:
        mask = cv2.dilate(np.isin(labels, group).astype(np.uint8), np.ones((3, 3), np.uint8)) & near_ink
        parts.append(_Part(mask > 0))
    return sorted(parts, key=lambda p: p.box[0])


def _group_height(group: list[int], stats: np.ndarray) -> int:
    top = min(stats[k, cv2.CC_STAT_TOP] for k in group)
    return max(stats[k, cv2.CC_STAT_TOP] + stats[k, cv2.CC_STAT_HEIGHT] for k in group) - top


def _merge_stacked(groups: list[list[int]], stats: np.ndarray) -> list[list[int]]:
    """Merges components whose column ranges overlap by more than half the narrower one."""

    def span(group):
        x0 = min(stats[k, cv2.CC_STAT_LEFT] for k in group)
        return x0, max(stats[k, cv2.CC_STAT_LEFT] + stats[k, cv2.CC_STAT_WIDTH] for k in group)

    groups = sorted(groups, key=lambda g: span(g)[0])
    merged: list[list[int]] = []
    for group in groups:
        if merged:
            (a0, a1), (b0, b1) = span(merged[-1]), span(group)
            if min(a1, b1) - max(a0, b0) > 0.5 * min(a1 - a0, b1 - b0):
                merged[-1] = merged[-1] + group
                continue
        merged.append(group)
    return merged


@dataclass
class _Boundary:
    """Where one digit may end and the next begin: before blob `part`, or along a cut through it.

    `seam[y]` is the first column of the right side in row `y`; `ink` counts the ink pixels it crosses.
    """

    part: int
    seam: np.ndarray | None = None
    ink: int = 0


def cut_candidates(parts: list[_Part], grey: np.ndarray, height: float, settings: ReaderSettings) -> list[_Boundary]:
    """Every boundary the reader considers, left to right: each blob's start and its candidate cuts.

    Cuts are tried in blobs at least `min_cut_width` heights wide, at the columns where the ink
    profile has its lowest local minima. Each cut follows the path of least ink from top to bottom
    near its column (a seam that may bend around a stroke), because touching digits rarely meet in
    a straight vertical line.
    """
    boundaries = []
    for k, part in enumerate(parts):
        boundaries.append(_Boundary(k))
        if part.width < settings.min_cut_width * height:
            continue
        x0, _, x1, _ = part.box
        ink = np.where(part.mask, grey, 0).astype(np.float32)[:, x0:x1] / 255.0
        margin = max(2, int(round(settings.min_piece * height)))
        profile = ndimage.uniform_filter1d((ink > 0).sum(axis=0).astype(np.float32), 3)
        columns = [c for c in range(margin, x1 - x0 - margin) if profile[c] <= min(profile[c - 1], profile[c + 1])]
        seams = {}
        for column in sorted(columns, key=lambda c: profile[c])[: settings.cuts_per_blob]:
            seam = _seam(ink, column, band=max(2, margin // 2))
            seams.setdefault(seam.tobytes(), seam)
        for seam in sorted(seams.values(), key=np.mean):
            crossed = int(np.count_nonzero(ink[np.arange(len(seam)), seam] > 0))
            boundaries.append(_Boundary(k, x0 + seam, crossed))
    return [*boundaries, _Boundary(len(parts))]


def _seam(ink: np.ndarray, column: int, *, band: int) -> np.ndarray:
    """The top-to-bottom path of least ink within `band` columns of `column`, one step sideways per row at most."""
    lo, hi = max(1, column - band), min(ink.shape[1] - 1, column + band + 1)
    cost = ink[:, lo:hi] + 0.02 * np.abs(np.arange(lo, hi) - column)  # straight cuts win ties
    total, steps = cost[0].copy(), np.zeros(cost.shape, np.int64)
    for y in range(1, len(cost)):
        shifted = np.stack([np.r_[np.inf, total[:-1]], total, np.r_[total[1:], np.inf]])
        steps[y] = shifted.argmin(axis=0) - 1
        total = shifted.min(axis=0) + cost[y]
    path = np.zeros(len(cost), np.int64)
    path[-1] = int(total.argmin())
    for y in range(len(cost) - 1, 0, -1):
        path[y - 1] = path[y] + steps[y, path[y]]
    return lo + path


def _candidate_digits(parts, boundaries, height: float, settings: ReaderSettings):
    """Every stretch of ink between two boundaries that could be one digit: `(start, end)` pairs and masks."""
    spans, masks = [], []
    for i, start in enumerate(boundaries[:-1]):
        for j in range(i + 1, len(boundaries)):
            end = boundaries[j]
            if end.part > start.part + MAX_BLOBS or (end.part == start.part + MAX_BLOBS and end.seam is not None):
                break
            mask, _ = _between(parts, start, end)
            if not mask.any():
                continue
            x0, y0, x1, y1 = _box(mask)
            whole_blob = start.seam is None and end.seam is None and end.part == start.part + 1
            too_wide = x1 - x0 > settings.max_width * height
            if too_wide and not whole_blob:  # a blob is always a candidate, so that some reading exists
                continue
            too_short = y1 - y0 < settings.min_digit_height * height
            if (start.seam is not None or end.seam is not None) and (
                too_short or x1 - x0 < settings.min_piece * height
            ):
                continue
            cost = (TOO_WIDE_COST if too_wide else 0.0) + (settings.short_cost if too_short else 0.0)
            spans.append((i, j, cost, (x1 - x0) / height))
            masks.append(mask)
    return spans, masks


def _between(parts, start: _Boundary, end: _Boundary) -> tuple[np.ndarray, int]:
    """The ink between two boundaries, and how many blobs it takes ink from."""
    last = end.part if end.seam is not None else end.part - 1
    columns = np.arange(parts[0].mask.shape[1])[None, :]
    mask = np.zeros_like(parts[0].mask)
    for k in range(start.part, last + 1):
        piece = parts[k].mask
        if k == start.part and start.seam is not None:
            piece = piece & (columns >= start.seam[:, None])
        if k == end.part and end.seam is not None:
            piece = piece & (columns < end.seam[:, None])
        if piece is not parts[k].mask:
            piece = _main_pieces(piece)
        mask |= piece
    return mask, last - start.part + 1


def _best_reading(spans, probs, boundaries, settings: ReaderSettings) -> list[tuple[int, int]]:
    """The segmentation (a path of spans from the first boundary to the last) with the best score.

    A span read as class c scores log p(c) + `width_weight` * log prior(width | c) - `digit_cost`
    - `merge_cost` per extra blob - `cut_cost` per ink pixel of the cut where it ends; the
    dynamic programme over boundaries keeps, for each boundary, the best reading up to it.

    Returns:
        `(span index, class)` of each digit, left to right.
    """
    count = len(boundaries)
    best, back = np.full(count, -np.inf), [None] * count
    best[0] = 0.0
    means, deviations = WIDTH_PRIOR.T
    for k in np.argsort([span[1] for span in spans], kind="stable"):
        i, j, extra, width = spans[k]
        prior = -0.5 * ((np.log(max(width, 1e-3)) - means) / deviations) ** 2
        scores = np.log(np.maximum(probs[k], 1e-12)) + settings.width_weight * prior
        digit = int(scores.argmax())
        last = boundaries[j].part if boundaries[j].seam is not None else boundaries[j].part - 1
        cost = settings.digit_cost + settings.merge_cost * (last - boundaries[i].part) + extra
        score = best[i] + scores[digit] - cost - settings.cut_cost * boundaries[j].ink
        if score > best[j]:
            best[j], back[j] = score, (int(k), digit)
    chosen, j = [], count - 1
    while j > 0 and back[j] is not None:
        chosen.append(back[j])
        j = spans[back[j][0]][0]
    return chosen[::-1]


def _main_pieces(mask: np.ndarray, *, share: float = 0.15) -> np.ndarray:
    """`mask` without connected pieces holding less than `share` of the largest piece's pixels."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = 1 + np.nonzero(areas >= share * areas.max())[0]
    return np.isin(labels, keep)


def center_digit(pixels: np.ndarray) -> np.ndarray:
    """A digit as MNIST has it: longer side scaled to 20 pixels, centre of mass at the centre of 28x28.

    Args:
        pixels: The digit's grey pixels (light on dark), any size, uint8 or float; the blank
            margin is cropped off first.

    Returns:
        A float32 `(28, 28)` image in [0, 1].
    """
    pixels = np.asarray(pixels, dtype=np.float32)
    if pixels.size == 0 or pixels.max() <= 0:
        return np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32)
    rows, cols = np.nonzero(pixels > 0)
    pixels = pixels[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] / pixels.max()
    height, width = pixels.shape
    scale = DIGIT_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    digit = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    box = np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32)
    top, left = (MNIST_SIZE - digit.shape[0]) // 2, (MNIST_SIZE - digit.shape[1]) // 2
    box[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    cy, cx = ndimage.center_of_mass(box)
    shift = np.float32([[1, 0, MNIST_SIZE / 2 - 0.5 - cx], [0, 1, MNIST_SIZE / 2 - 0.5 - cy]])
    return np.clip(cv2.warpAffine(box, shift, (MNIST_SIZE, MNIST_SIZE), flags=cv2.INTER_LINEAR), 0.0, 1.0)


def _predict(model, crops: np.ndarray) -> np.ndarray:
    """The classifier's probabilities for `(N, 28, 28)` crops."""
    x = crops[..., None].astype(np.float32)
    if hasattr(model, "predict_on_batch"):  # a Keras model: no per-call set-up of predict()
        return np.asarray(model.predict_on_batch(x))
    if hasattr(model, "predict"):
        try:
            return np.asarray(model.predict(x, verbose=0))
        except TypeError:
            return np.asarray(model.predict(x))
    return np.asarray(model(x))
