"""`lowlight`: dark photographs brightened by max pooling, CLAHE and gamma, measured side by side.

All the work is `keras_vision.enhance.run_lowlight` (see its module for the methods and the
synthetic darkening); this module turns the options into its arguments. The results table has one
row per set and method (`synthetic/maxpool`, `real/clahe`, ...): PSNR and SSIM against the
originals (synthetic set only), then the no-reference measures.
"""

from __future__ import annotations

from keras_vision.data import SAMPLE_IMAGES
from keras_vision.enhance.lowlight import EnhanceSettings, run_lowlight
from keras_vision.errors import UsageError
from keras_vision.experiments.catalog import LowlightConfig


def run(config: LowlightConfig) -> dict:
    settings = EnhanceSettings(
        pool_size=config.pool_size, clip_limit=config.clip_limit, tile_grid=config.tile_grid, gamma=config.gamma
    )
    return run_lowlight(
        config.run_dir,
        real_dir=config.data_dir,
        samples=sample_names(config.samples),
        settings=settings,
        darken_gamma=config.darken_gamma,
        darken_scale=config.darken_scale,
        darken_noise=config.darken_noise,
        seed=config.seed,
        figure_rows=config.figure_rows,
        max_side=config.max_side,
    )


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
