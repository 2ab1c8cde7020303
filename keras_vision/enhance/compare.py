"""Comparing low-light methods on one photograph or a set: outputs, scores and figures.

The methods (`enhance_all`), one row of the `lowlight` experiment's tables each:

    input            the dark photograph itself
    maxpool          max_pool_brighten: stride-1 max filter on the luma Y
    maxpool_each     the same filter on R, G and B separately (brighter, false colours)
    maxpool_binning  k x k block maxima resized back (the phone's binning, lower resolution)
    clahe            CLAHE on the lightness
    gamma            the gamma curve v ** gamma

- `EnhanceSettings`: the parameters of the methods; `enhance_all`: every method on one image.
- `score_methods`: the no-reference measures of every output, and PSNR / SSIM against a reference
  (a photograph darkened on purpose has one); `score_set`: the mean over a set, with the outputs
  a figure shows; `mean_scores`.
- `plot_side_by_side` (one row per photograph, one column per method) and `plot_maxpool_variants`
  (a crop through the three max-pooling variants), each drawn to the path it is given.
- `shrink`: photographs made smaller for quick runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from keras_vision.data.preprocessing import resize_images
from keras_vision.enhance.pooling import max_pool_brighten
from keras_vision.enhance.tone import clahe, gamma_correct
from keras_vision.evaluation.image_quality import measure_image, psnr, ssim
from keras_vision.evaluation.plots import plot_image_grid

#: The rows of every table, in order (`input` is the unprocessed dark photograph).
METHODS = ("input", "maxpool", "maxpool_each", "maxpool_binning", "clahe", "gamma")
#: The methods of the side-by-side figures.
FIGURE_METHODS = ("input", "maxpool", "clahe", "gamma")
REFERENCE_MEASURES = ("psnr", "ssim")


@dataclass(frozen=True)
class EnhanceSettings:
    """The parameters of the methods compared (the `lowlight` experiment's options set them).

    Attributes:
        pool_size: Side k of the max-pooling window.
        clip_limit: CLAHE clip limit.
        tile_grid: CLAHE tiles along each axis.
        gamma: Exponent of the gamma curve (below 1 brightens).
    """

    pool_size: int
    clip_limit: float
    tile_grid: int
    gamma: float


def enhance_all(image, settings: EnhanceSettings) -> dict[str, np.ndarray]:
    """Every method applied to one image, keyed as in `METHODS`.

    Args:
        image: A uint8 or float image, grey or RGB.
        settings: The method parameters.

    Returns:
        Method name -> enhanced image (the dtype and shape of `image`); `"input"` is `image`.
    """
    k = settings.pool_size
    return {
        "input": np.asarray(image),
        "maxpool": max_pool_brighten(image, pool_size=k),
        "maxpool_each": max_pool_brighten(image, pool_size=k, channels="each"),
        "maxpool_binning": max_pool_brighten(image, pool_size=k, mode="binning"),
        "clahe": clahe(image, clip_limit=settings.clip_limit, tile_grid=settings.tile_grid),
        "gamma": gamma_correct(image, settings.gamma),
    }


def score_methods(outputs: dict[str, np.ndarray], reference=None) -> dict[str, dict[str, float]]:
    """No-reference measures of every output, plus PSNR and SSIM against `reference` when given.

    Returns:
        Method name -> `{"mean_brightness", "rms_contrast", "entropy", "clipped", "sharpness"[,
        "psnr", "ssim"]}`.
    """
    scores = {}
    for method, image in outputs.items():
        scores[method] = measure_image(image)
        if reference is not None:
            scores[method].update(psnr=psnr(reference, image), ssim=ssim(reference, image))
    return scores


def mean_scores(per_image: Sequence[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """The mean of every measure of every method over a list of `score_methods` results."""
    methods = per_image[0].keys()
    return {m: {key: float(np.mean([s[m][key] for s in per_image])) for key in per_image[0][m]} for m in methods}


def score_set(
    images: Sequence[np.ndarray], settings: EnhanceSettings, references: Sequence[np.ndarray] | None = None
) -> tuple[dict[str, dict[str, float]], list[list[np.ndarray]]]:
    """Every method on every image of a set: the mean scores, and what a figure shows of each image.

    Args:
        images: The photographs (uint8 or float, grey or RGB, any sizes).
        settings: The method parameters.
        references: One undegraded original per image (then PSNR and SSIM are scored), or None.

    Returns:
        `(scores, shown)`: `mean_scores` over the set (method -> measures), and per image the
        outputs of `FIGURE_METHODS`, in that order.

    Raises:
        ValueError: for an empty set, or not one reference per image.
    """
    if not images:
        raise ValueError("`images` is empty: pass at least one photograph.")
    if references is not None and len(references) != len(images):
        raise ValueError(f"Pass one reference per image. Received {len(images)} images, {len(references)} references.")
    scores, shown = [], []
    for index, image in enumerate(images):
        outputs = enhance_all(image, settings)
        scores.append(score_methods(outputs, reference=None if references is None else references[index]))
        shown.append([outputs[m] for m in FIGURE_METHODS])
    return mean_scores(scores), shown


def shrink(image: np.ndarray, max_side: int | None) -> np.ndarray:
    """`image` resized (area interpolation) so that its longer side is at most `max_side` pixels.

    Args:
        image: A photograph (H, W[, C]).
        max_side: The longest side allowed, or None to keep the image as it is.

    Returns:
        `image` itself when it is small enough, else a smaller copy of the same dtype.
    """
    if max_side is None or max(image.shape[:2]) <= max_side:
        return image
    factor = max_side / max(image.shape[:2])
    size = (max(round(image.shape[0] * factor), 1), max(round(image.shape[1] * factor), 1))
    return resize_images(image[None], size, interpolation="area")[0]


def plot_side_by_side(
    rows: Sequence[Sequence[np.ndarray]], titles: Sequence[str], path: str | Path, *, limit: int
) -> Path:
    """One row per photograph, one column per method, for the first `limit` photographs.

    Args:
        rows: Per photograph, its pictures in column order (e.g. original, then `score_set`'s outputs).
        titles: One title per column.
        path: The PNG file to write.
        limit: At most this many rows.

    Returns:
        The path written.
    """
    rows = list(rows)[:limit]
    images = [image for row in rows for image in row]
    return plot_image_grid(images, path, titles=list(titles) * len(rows), cols=len(titles))


#: The columns of `plot_maxpool_variants`.
MAXPOOL_VARIANTS = ("input", "maxpool", "maxpool_each", "maxpool_binning")


def plot_maxpool_variants(dark: np.ndarray, settings: EnhanceSettings, path: str | Path, *, side: int = 96) -> Path:
    """A `side` x `side` crop from the centre of a dark photograph through the three max-pooling variants.

    At full size they look alike; in a crop the false colours of `maxpool_each` and the blocks of
    `maxpool_binning` show.

    Args:
        dark: A dark photograph (uint8 or float, grey or RGB).
        settings: The method parameters.
        path: The PNG file to write.
        side: Side of the crop in pixels. Defaults to `96`.

    Returns:
        The path written.
    """
    outputs = enhance_all(dark, settings)
    top, left = max(dark.shape[0] // 2 - side // 2, 0), max(dark.shape[1] // 2 - side // 2, 0)
    crops = [outputs[name][top : top + side, left : left + side] for name in MAXPOOL_VARIANTS]
    return plot_image_grid(crops, path, titles=list(MAXPOOL_VARIANTS), cols=len(MAXPOOL_VARIANTS))
