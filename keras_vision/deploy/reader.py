"""The robot's digit reader: one image of a handwritten number in, its digits out.

    reading = read_digits(photo, model)      # a Keras MNIST classifier or a LiteModel
    reading.text                              # "40213"

A classifier trained on MNIST knows single digits, centred the way MNIST centres them. The reader
turns a line of handwriting into such digits, in the classic order of an OCR pipeline:

1. Polarity and threshold: dark ink on light paper is inverted (MNIST is white on black), then
   Otsu's threshold separates ink from background.
2. Deslant: the line's slant is measured from the ink's second moments (mu11 / mu02) and
   sheared away, so neighbours stand apart and digits look upright, as in MNIST.
3. Noise floor: the background's brightest noise is subtracted, so digits sit on black as in MNIST.
4. Connected components: each blob of ink is a digit, a broken piece of one, or touching digits.
   Specks far smaller than the digits are noise; blobs stacked in the same columns are merged.
5. Segmentation by recognition: candidate cuts are tried in every blob wider than a narrow digit,
   at the columns crossing the least ink, each bent along the path of least ink (a seam). Every
   stretch of ink between two boundaries (blob starts and cuts) that could be one digit is
   classified, in one batch; a dynamic programme picks the reading whose digits the classifier is
   most sure of, with a cost per digit (against cutting a 0 into two 1s) and per merged blob.
6. Centring as MNIST did (for each candidate of step 5): longer side scaled to 20 pixels, pasted
   into a 28x28 box with its centre of mass at the centre.

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
#: Ink lower than this many pixels is never a digit (a speck alone on the page reads as nothing).
MIN_DIGIT_PIXELS = 6
#: At most this many blobs are read as one (broken) digit.
MAX_BLOBS = 2


@dataclass(frozen=True)
class ReaderSettings:
    """Thresholds and costs of the reader; lengths are in units of the line's typical digit height.

    A reading of the line (where its digits begin and end) scores the sum, over its digits, of the
    classifier's log-probability of the digit it reads, minus the costs below; the reader keeps
    the best-scoring reading. The values were tuned on lines of MNIST *training* digits (the
    mnist run's held-out last 6,000), never on the test digits.

    Attributes:
        min_height: Blobs lower than this share of the typical height are noise.
        max_width: No digit is wider than this.
        min_piece: No piece cut from a blob is narrower than this ...
        min_digit_height: ... or lower than this.
        min_cut_width: Only blobs at least this wide are tried with cuts.
        cuts_per_blob: Candidate cuts tried per blob (the columns crossing the least ink).
        cut_band: A cut may bend this far to either side of its column.
        digit_cost: Cost of each digit read, in log-probability: splitting a blob into two
            must raise the classifier's confidence by more than this.
        merge_cost: Cost of reading two separate blobs as one broken digit.
        deslant: Shear the slant away first.
    """

    min_height: float = 0.3
    max_width: float = 1.3
    min_piece: float = 0.15
    min_digit_height: float = 0.55
    min_cut_width: float = 0.5
    cuts_per_blob: int = 9
    cut_band: float = 0.25
    digit_cost: float = 0.3
    merge_cost: float = 2.0
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
            a `keras_vision.deploy.LiteModel`; anything with `predict(x)` returning probabilities
            of the 10 digits, or of 11 classes whose last is `NOT_A_DIGIT` (a crop holding part
            of a digit or two digits, see `keras_vision.deploy.reader_training`).
        settings: Thresholds. Defaults to `ReaderSettings()`.

    Returns:
        A `DigitReading` (`text` is empty when no ink is found).

    Raises:
        UsageError: if `image` is not a 2-D grey or 3-channel colour image, or the model does not
            give 10 or 11 probabilities per crop.
    """
    settings = settings or ReaderSettings()
    candidates = find_candidates(image, settings)
    if candidates is None:
        return DigitReading(text="")
    probs = digit_probabilities(_predict(model, candidates.crops))
    chosen = _best_reading(candidates.spans, probs, candidates.boundaries, settings)
    digits = [int(probs[k].argmax()) for k in chosen]
    return DigitReading(
        text="".join(map(str, digits)),
        digits=digits,
        confidences=[float(probs[k].max()) for k in chosen],
        boxes=[_box(candidates.masks[k]) for k in chosen],
        crops=candidates.crops[chosen].reshape(-1, MNIST_SIZE, MNIST_SIZE),
    )


@dataclass
class Candidates:
    """Every stretch of a line's ink that the reader asks the classifier about.

    Attributes:
        grey: The line as the reader cuts it: light ink on black, deslanted, noise floor removed.
        skew: The shear `deslant` removed (0 without deslanting).
        boundaries: Where digits may begin and end, left to right.
        spans: `(first boundary, last boundary, extra cost)` of each candidate digit.
        masks: Each candidate's pixels in `grey`, boolean `(N, H, W)`.
        crops: Each candidate centred as MNIST does, float32 `(N, 28, 28)` in [0, 1].
    """

    grey: np.ndarray
    skew: float
    boundaries: list
    spans: list[tuple[int, int, float]]
    masks: np.ndarray
    crops: np.ndarray


def find_candidates(image, settings: ReaderSettings | None = None) -> Candidates | None:
    """Steps 1 to 6 of the reader: the candidate digits of a line, or `None` when it holds no ink.

    Raises:
        UsageError: if `image` is not a 2-D grey or 3-channel colour image.
    """
    settings = settings or ReaderSettings()
    grey = ink_image(image)
    skew = measure_slant(grey) if settings.deslant else 0.0
    grey = remove_noise_floor(deslant(grey, skew=skew))
    parts = segment(grey, settings)
    if not parts:
        return None
    height = float(np.median([p.height for p in parts]))
    boundaries = cut_candidates(parts, grey, height, settings)
    spans, masks = _candidate_digits(parts, boundaries, height, settings)
    crops = np.stack([center_digit(np.where(m, grey, 0)) for m in masks])
    return Candidates(grey, skew, boundaries, spans, np.stack(masks), crops)


def digit_probabilities(probs: np.ndarray) -> np.ndarray:
    """The probabilities of the 10 digits from a classifier's output (an 11th class, `NOT_A_DIGIT`, dropped).

    Dropping it without renormalising is the point: a crop the classifier calls "not one digit"
    keeps little probability for any digit, so the reading that cuts it differently wins.

    Raises:
        UsageError: if there are not 10 or 11 probabilities per crop.
    """
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 2 or probs.shape[1] not in (10, 11):
        raise UsageError(
            "read_digits needs a classifier giving 10 digit probabilities per image (or 11, the last being "
            f"'not one digit'). Received output shape: {probs.shape}."
        )
    return probs[:, :10]


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


def remove_noise_floor(grey: np.ndarray) -> np.ndarray:
    """The image minus its background's brightest noise (99.5th percentile away from the ink), clipped at 0.

    MNIST's background is exactly black; a camera's is not. Subtracting the noise floor gives the
    classifier digits on black again (on MNIST training lines: 27 -> 22 wrong digits in 1,500).
    """
    ink = cv2.dilate(ink_mask(grey).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    if ink.all() or not ink.any():
        return grey
    floor = float(np.percentile(grey[~ink], 99.5))
    return np.clip(grey.astype(np.float32) - floor, 0, 255).astype(np.uint8)


def measure_slant(grey: np.ndarray) -> float:
    """The line's slant: no x-y correlation (mu11 = 0) of the ink within each blob once sheared by it.

    The moments are pooled over the connected components, each about its own centre, so that
    digits sitting a little higher or lower along the line do not count as slant.

    Returns:
        `mu11 / mu02` (x shift per pixel of height), clipped to [-1, 1]; 0 without ink.
    """
    count, labels = cv2.connectedComponents(ink_mask(grey).astype(np.uint8), connectivity=8)
    mu11 = mu02 = 0.0
    for k in range(1, count):
        ys, xs = np.nonzero(labels == k)
        if len(ys) >= 10:
            dy, dx = ys - ys.mean(), xs - xs.mean()
            mu11, mu02 = mu11 + float(np.sum(dx * dy)), mu02 + float(np.sum(dy * dy))
    return float(np.clip(mu11 / mu02, -1.0, 1.0)) if mu02 > 0 else 0.0


def deslant(grey: np.ndarray, *, skew: float | None = None) -> np.ndarray:
    """Shears the line upright by `skew` (measured by `measure_slant` when `None`), widening it to keep every pixel."""
    skew = measure_slant(grey) if skew is None else skew
    if skew == 0:
        return grey
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
    groups = [g for g in groups if heights[id(g)] >= max(settings.min_height * typical, MIN_DIGIT_PIXELS)]
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

    `seam[y]` is the first column of the right side in row `y`.
    """

    part: int
    seam: np.ndarray | None = None


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
            seam = _seam(ink, column, band=max(1, int(round(settings.cut_band * height))))
            seams.setdefault(seam.tobytes(), seam)
        boundaries += [_Boundary(k, x0 + seam) for seam in sorted(seams.values(), key=np.mean)]
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
            too_small = y1 - y0 < settings.min_digit_height * height or x1 - x0 < settings.min_piece * height
            if (start.seam is not None or end.seam is not None) and too_small:
                continue
            spans.append((i, j, TOO_WIDE_COST if too_wide else 0.0))
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


def _best_reading(spans, probs, boundaries, settings: ReaderSettings) -> list[int]:
    """The reading (a path of spans from the first boundary to the last) with the best score.

    A span scores log p(the class it is read as) - `digit_cost` - `merge_cost` per extra blob;
    the dynamic programme over boundaries keeps, for each boundary, the best reading up to it.

    Returns:
        The indices of the spans read, left to right.
    """
    count = len(boundaries)
    best, back = np.full(count, -np.inf), np.full(count, -1)
    best[0] = 0.0
    confidence = np.log(np.maximum(probs.max(axis=1), 1e-12))
    for k in np.argsort([span[1] for span in spans], kind="stable"):
        i, j, extra = spans[k]
        last = boundaries[j].part if boundaries[j].seam is not None else boundaries[j].part - 1
        score = (
            best[i] + confidence[k] - settings.digit_cost - settings.merge_cost * (last - boundaries[i].part) - extra
        )
        if score > best[j]:
            best[j], back[j] = score, k
    chosen, j = [], count - 1
    while j > 0 and back[j] >= 0:
        chosen.append(int(back[j]))
        j = spans[back[j]][0]
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
