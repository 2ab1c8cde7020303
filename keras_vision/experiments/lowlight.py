"""`lowlight`: dark photographs brightened by max pooling, CLAHE and gamma, measured side by side.

1. **synthetic**: the real photographs embedded in scikit-image / scikit-learn
   (`keras_vision.data.SAMPLE_IMAGES`, grey and colour; `--samples`) are darkened by
   `keras_vision.enhance.darken` (`--darken-gamma`, `--darken-scale`, `--darken-noise`, seeded per
   image: `--seed` + its index); every method brightens the dark copy and is scored against the
   original (PSNR, SSIM) and by the no-reference measures.
2. **real**: every image of a folder of real low-light photographs (`--data-dir`, e.g. the LIME or
   DICM sets), which have no reference: no-reference measures only.

The methods are those of `keras_vision.enhance.compare.METHODS` (input, maxpool, maxpool_each,
maxpool_binning, clahe, gamma). The results table has one row per set and method
(`synthetic/maxpool`, `real/clahe`, ...). Figures: `synthetic.png` (original, dark input, max
pooling, CLAHE, gamma), `real.png` (input, max pooling, CLAHE, gamma) and `maxpool_variants.png`
(a crop through the three max-pooling variants, where their difference shows).
"""

from __future__ import annotations

from keras_vision.data import SAMPLE_IMAGES, load_images, load_sample_image
from keras_vision.enhance import darken
from keras_vision.enhance.compare import (
    FIGURE_METHODS,
    EnhanceSettings,
    mean_scores,
    plot_maxpool_variants,
    plot_side_by_side,
    score_set,
    shrink,
)
from keras_vision.errors import UsageError
from keras_vision.evaluation import measure_image
from keras_vision.experiments.catalog import LowlightConfig
from keras_vision.experiments.options import reading


def run(config: LowlightConfig) -> dict:
    settings = EnhanceSettings(
        pool_size=config.pool_size, clip_limit=config.clip_limit, tile_grid=config.tile_grid, gamma=config.gamma
    )
    darkening = {"gamma": config.darken_gamma, "scale": config.darken_scale, "noise": config.darken_noise}
    names, real_dir, rows = sample_names(config.samples), config.data_dir, config.figure_rows
    out = config.run_dir
    try:
        originals = [shrink(load_sample_image(name), config.max_side) for name in names]
        darks = [darken(original, **darkening, seed=config.seed + i) for i, original in enumerate(originals)]
    except ValueError as error:  # a darkening option out of range: darken names it
        raise UsageError(f"{error} Set it with --darken-gamma, --darken-scale or --darken-noise.") from None

    synthetic, shown = score_set(darks, settings, references=originals)
    figures = [
        plot_side_by_side(
            [[original, *row] for original, row in zip(originals, shown)],
            ("original", "dark input", *FIGURE_METHODS[1:]),
            out / "synthetic.png",
            limit=rows,
        ),
        plot_maxpool_variants(colour_first(darks), settings, out / "maxpool_variants.png"),
    ]
    metrics = {
        "synthetic": synthetic,
        "originals": mean_scores([{"original": measure_image(o)} for o in originals])["original"],
        "images": {"synthetic": len(originals)},
    }
    if real_dir is not None:
        with reading("--data-dir", real_dir):
            photos = [shrink(photo, config.max_side) for photo in load_images(real_dir).images]
        metrics["real"], shown = score_set(photos, settings)
        metrics["images"]["real"] = len(photos)
        figures.append(plot_side_by_side(shown, FIGURE_METHODS, out / "real.png", limit=rows))
    return {**metrics, "figures": [str(f) for f in figures]}


def sample_names(text: str) -> tuple[str, ...]:
    """`"all"` -> every embedded photograph; `"coins,coffee"` -> those two (checked)."""
    names = tuple(SAMPLE_IMAGES) if text.strip() == "all" else tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in SAMPLE_IMAGES]
    if unknown or not names:
        raise UsageError(
            f"--samples takes names of embedded photographs, comma-separated, or 'all'. "
            f"Valid names: {', '.join(SAMPLE_IMAGES)}. Received: {text!r}."
        )
    return names


def colour_first(images):
    """The first colour image of a list (the max-pooling variants differ in colour), else the first."""
    return next((image for image in images if image.ndim == 3), images[0])
