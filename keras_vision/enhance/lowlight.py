"""The low-light study: max pooling, CLAHE and gamma on synthetic-dark and real dark photographs.

`run_lowlight(output_dir, real_dir=...)` does all the work of the `lowlight` experiment:

1. **synthetic**: the 16 real photographs embedded in scikit-image / scikit-learn
   (`keras_vision.data.SAMPLE_IMAGES`, grey and colour) are darkened by `darken` (gamma 1.8,
   exposure 0.4, Gaussian noise 0.01, seeded per image); every method brightens the dark copy and
   is scored against the original (PSNR, SSIM) and by the no-reference measures.
2. **real**: every image of a folder of real low-light photographs (e.g. the LIME or DICM sets),
   which have no reference: no-reference measures only.

The methods (`enhance_all`), one column of the tables each:

    input            the dark photograph itself
    maxpool          max_pool_brighten: stride-1 max filter on the luma Y (the default)
    maxpool_each     the same filter on R, G and B separately (brighter, false colours)
    maxpool_binning  k x k block maxima resized back (the phone's binning, lower resolution)
    clahe            CLAHE on the lightness
    gamma            the gamma curve v ** gamma

Outputs in `output_dir`: `synthetic.png` (original, dark input, max pooling, CLAHE, gamma, side by side),
`real.png` (input, max pooling, CLAHE, gamma) and `maxpool_variants.png` (a crop through the three
max-pooling variants, where their difference shows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from keras_vision.data.folders import load_images
from keras_vision.data.preprocessing import resize_images
from keras_vision.data.samples import SAMPLE_IMAGES, load_sample_image
from keras_vision.enhance.darken import darken
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
    """The parameters of the methods compared.

    Attributes:
        pool_size: Side k of the max-pooling window. Defaults to `3`.
        clip_limit: CLAHE clip limit. Defaults to `2.0`.
        tile_grid: CLAHE tiles along each axis. Defaults to `8`.
        gamma: Exponent of the gamma curve (below 1 brightens). Defaults to `0.5`.
    """

    pool_size: int = 3
    clip_limit: float = 2.0
    tile_grid: int = 8
    gamma: float = 0.5


def enhance_all(image, settings: EnhanceSettings = EnhanceSettings()) -> dict[str, np.ndarray]:
    """Every method of the study applied to one image, keyed as in `METHODS`.

    Args:
        image: A uint8 or float image, grey or RGB.
        settings: The method parameters. Defaults to `EnhanceSettings()`.

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


def run_lowlight(
    output_dir: str | Path,
    *,
    real_dir: str | Path | None = None,
    samples: Sequence[str] = SAMPLE_IMAGES,
    settings: EnhanceSettings = EnhanceSettings(),
    darken_gamma: float = 1.8,
    darken_scale: float = 0.4,
    darken_noise: float = 0.01,
    seed: int = 0,
    figure_rows: int = 4,
    max_side: int | None = None,
) -> dict:
    """Runs the low-light study and writes its table and figures (see the module docstring).

    Args:
        output_dir: Folder for the PNG figures (created).
        real_dir: A folder of real low-light photographs, or None to skip the real set.
        samples: Names of embedded photographs for the synthetic set. Defaults to all 16.
        settings: Parameters of the methods. Defaults to `EnhanceSettings()`.
        darken_gamma: Tone exponent of the synthetic darkening. Defaults to `1.8`.
        darken_scale: Exposure factor of the synthetic darkening. Defaults to `0.4`.
        darken_noise: Noise standard deviation of the synthetic darkening. Defaults to `0.01`.
        seed: Seed of the noise; image i uses `seed + i`. Defaults to `0`.
        figure_rows: Photographs shown per figure. Defaults to `4`.
        max_side: Shrink photographs whose longer side exceeds this many pixels (area
            interpolation) before anything else, for quick runs; None keeps the full size.
            Defaults to `None`.

    Returns:
        `{"synthetic": {method: measures}, "real": {method: measures}, "originals": measures,
        "images": {"synthetic": n, "real": n}, "settings": {...}}`, each `measures` the mean
        over the set; `"real"` only with `real_dir`.

    Raises:
        ValueError: for an empty `samples`, an unknown sample name, or an empty `real_dir`.
    """
    if not samples:
        raise ValueError(f"`samples` must name at least one photograph. Valid names: {', '.join(SAMPLE_IMAGES)}.")
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    darkening = {"gamma": darken_gamma, "scale": darken_scale, "noise": darken_noise}
    originals = [shrink(load_sample_image(name), max_side) for name in samples]
    darks = [darken(original, **darkening, seed=seed + i) for i, original in enumerate(originals)]
    result, shown = _score_set(darks, settings, references=originals)
    result = {
        "synthetic": result,
        "originals": mean_scores([{"original": measure_image(o)} for o in originals])["original"],
    }
    shown = [[original, *row] for original, row in zip(originals, shown)]
    _side_by_side(shown, ("original", "dark input") + FIGURE_METHODS[1:], output_dir / "synthetic.png", figure_rows)
    colour = next((i for i, image in enumerate(darks) if image.ndim == 3), 0)
    _variant_crops(darks[colour], settings, output_dir / "maxpool_variants.png")
    counts = {"synthetic": len(originals)}
    if real_dir is not None:
        photos = [shrink(photo, max_side) for photo in load_images(real_dir).images]
        result["real"], shown = _score_set(photos, settings)
        counts["real"] = len(photos)
        _side_by_side(shown, FIGURE_METHODS, output_dir / "real.png", figure_rows)
    return {
        **result,
        "images": counts,
        "settings": {**asdict(settings), **{f"darken_{k}": v for k, v in darkening.items()}, "seed": seed},
    }


def _score_set(images: list[np.ndarray], settings: EnhanceSettings, references: list | None = None):
    """Mean scores of every method over `images`, and the `FIGURE_METHODS` outputs of each image."""
    scores, shown = [], []
    for index, image in enumerate(images):
        outputs = enhance_all(image, settings)
        scores.append(score_methods(outputs, reference=None if references is None else references[index]))
        shown.append([outputs[m] for m in FIGURE_METHODS])
    return mean_scores(scores), shown


def shrink(image: np.ndarray, max_side: int | None) -> np.ndarray:
    """`image` resized (area interpolation) so that its longer side is at most `max_side` pixels."""
    if max_side is None or max(image.shape[:2]) <= max_side:
        return image
    factor = max_side / max(image.shape[:2])
    size = (max(round(image.shape[0] * factor), 1), max(round(image.shape[1] * factor), 1))
    return resize_images(image[None], size, interpolation="area")[0]


def _side_by_side(rows: list[list[np.ndarray]], titles: Sequence[str], path: Path, limit: int) -> Path:
    """One row per photograph, one column per method; the first `limit` photographs."""
    rows = rows[:limit]
    images = [image for row in rows for image in row]
    return plot_image_grid(images, path, titles=list(titles) * len(rows), cols=len(titles))


def _variant_crops(dark: np.ndarray, settings: EnhanceSettings, path: Path, side: int = 96) -> Path:
    """A `side x side` crop from the centre through the max-pooling variants, where they differ."""
    outputs = enhance_all(dark, settings)
    names = ("input", "maxpool", "maxpool_each", "maxpool_binning")
    top, left = max(dark.shape[0] // 2 - side // 2, 0), max(dark.shape[1] // 2 - side // 2, 0)
    crops = [outputs[name][top : top + side, left : left + side] for name in names]
    return plot_image_grid(crops, path, titles=list(names), cols=len(names))
