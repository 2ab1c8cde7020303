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

#: Cut candidates cross at most this many more ink pixels than the thinnest middle column.
INK_SLACK = 8
#: Side of MNIST's box and of the digit inside it.
MNIST_SIZE, DIGIT_SIZE = 28, 20


@dataclass(frozen=True)
class ReaderSettings:
    """Thresholds of the reader, in units of the typical digit height of the line.

    Attributes:
        min_height: Blobs lower than this share of the typical height are noise.
        split_width: Blobs wider than this many heights are always split.
        maybe_split_width: Blobs between this and `split_width` are split when both halves are
            recognised with more confidence than the whole.
        deslant: Shear the slant away first.
    """

    min_height: float = 0.3
    split_width: float = 1.4
    maybe_split_width: float = 1.1
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
    parts = _split_wide(parts, grey, model, settings)
    parts.sort(key=lambda p: p.box[0] + p.box[2])
    if not parts:
        return DigitReading(text="")
    crops = np.stack([center_digit(p.pixels) for p in parts])
    probs = _predict(model, crops)
    digits = [int(k) for k in probs.argmax(axis=1)]
    return DigitReading(
        text="".join(map(str, digits)),
        digits=digits,
        confidences=[float(p.max()) for p in probs],
        boxes=[p.box for p in parts],
        crops=crops,
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
    """One digit candidate: its pixels (the grey image masked to its ink) and its box."""

    pixels: np.ndarray
    box: tuple[int, int, int, int]

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


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
        parts.append(_part_from_mask(grey, mask > 0))
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


def _part_from_mask(grey: np.ndarray, mask: np.ndarray) -> _Part:
    ys, xs = np.nonzero(mask)
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    pixels = np.where(mask, grey, 0)[y0:y1, x0:x1]
    return _Part(pixels=pixels, box=(int(x0), int(y0), int(x1), int(y1)))


def _split_wide(parts: list[_Part], grey: np.ndarray, model, settings: ReaderSettings) -> list[_Part]:
    """Splits blobs wider than a digit at the cut the classifier likes best, recursively."""
    if not parts:
        return parts
    typical = float(np.median([p.height for p in parts]))
    done, todo = [], list(parts)
    while todo:
        part = todo.pop()
        ratio = part.width / max(typical, 1.0)
        if ratio < min(settings.maybe_split_width, settings.split_width) or part.width < 8:
            done.append(part)
            continue
        left, right, split_score, whole_score = _best_cut(part, model)
        if ratio >= settings.split_width or split_score > whole_score:
            todo += [left, right]
        else:
            done.append(part)
    return done


def _best_cut(part: _Part, model) -> tuple[_Part, _Part, float, float]:
    """The cut column where both halves are recognised most confidently.

    Candidates are the middle columns crossing the least ink (within two pixels of the fewest):
    touching digits meet in a thin joint. Among them the classifier chooses.

    Returns:
        `(left, right, split score, whole score)`: scores are geometric-mean probabilities, of
        the two halves and of the blob as one digit.
    """
    width = part.width
    middle = np.arange(max(3, int(0.2 * width)), min(width - 3, int(0.8 * width)) + 1)
    if len(middle) == 0:
        middle = np.array([width // 2])
    ink = (part.pixels > 0).sum(axis=0)[middle]
    columns = middle[ink <= ink.min() + INK_SLACK]
    halves = [_halves(part, int(c)) for c in columns]
    crops = [center_digit(h.pixels) for pair in halves for h in pair] + [center_digit(part.pixels)]
    confidence = _predict(model, np.stack(crops)).max(axis=1)
    pair_scores = np.sqrt(confidence[:-1:2] * confidence[1:-1:2])
    best = int(np.argmax(pair_scores))
    return (*halves[best], float(pair_scores[best]), float(confidence[-1]))


def _halves(part: _Part, column: int) -> tuple[_Part, _Part]:
    """The blob cut at `column`; each side keeps its main pieces (crumbs of the neighbour are dropped)."""
    x0, y0, _, _ = part.box
    pieces = []
    for sl, dx in ((slice(0, column), 0), (slice(column, None), column)):
        pixels = _main_pieces(part.pixels[:, sl])
        ys, xs = np.nonzero(pixels)
        if len(ys) == 0:
            ys, xs = np.array([0]), np.array([0])
        box = (x0 + dx + xs.min(), y0 + ys.min(), x0 + dx + xs.max() + 1, y0 + ys.max() + 1)
        pieces.append(_Part(pixels[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], tuple(map(int, box))))
    return pieces[0], pieces[1]


def _main_pieces(pixels: np.ndarray, *, share: float = 0.15) -> np.ndarray:
    """`pixels` without connected pieces holding less than `share` of the largest piece's ink."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((pixels > 0).astype(np.uint8), connectivity=8)
    if count <= 2:
        return pixels
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = 1 + np.nonzero(areas >= share * areas.max())[0]
    return np.where(np.isin(labels, keep), pixels, 0)


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
