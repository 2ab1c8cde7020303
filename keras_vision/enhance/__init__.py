"""Low-light photographs: brightening by max pooling, CLAHE and gamma, and the pieces that compare them.

    from keras_vision.enhance import max_pool_brighten, clahe, gamma_correct
    bright = max_pool_brighten(dark, pool_size=3)               # stride-1 max filter on the luma Y
    binned = max_pool_brighten(dark, pool_size=2, mode="binning")
    local = clahe(dark, clip_limit=2.0, tile_grid=8)            # CLAHE on L* through OpenCV
    curve = gamma_correct(dark, 0.5)                             # v -> v ** 0.5

- `pooling`: `max_filter` (stride-1 max pooling, `cv2.dilate`), `block_max` (binning),
  `max_pool_brighten` (either, on the luma or on every channel).
- `tone`: `gamma_lookup_table`, `gamma_correct`, `clahe`.
- `darken`: `darken`, synthetic underexposure with a seeded noise, for pairs with a reference.
- `compare`: every method on a photograph (`enhance_all`), their scores over a set (`score_set`)
  and the figures; the `lowlight` experiment composes them.

Every function takes uint8 (0..255) or float (0..1) images, grey or RGB, and returns the input's
dtype and shape; measures of the results are in `keras_vision.evaluation.image_quality`.
"""

from keras_vision.enhance.darken import darken
from keras_vision.enhance.pooling import CHANNEL_MODES, POOL_MODES, block_max, max_filter, max_pool_brighten
from keras_vision.enhance.tone import clahe, gamma_correct, gamma_lookup_table

__all__ = [
    "CHANNEL_MODES",
    "POOL_MODES",
    "block_max",
    "clahe",
    "darken",
    "gamma_correct",
    "gamma_lookup_table",
    "max_filter",
    "max_pool_brighten",
]
