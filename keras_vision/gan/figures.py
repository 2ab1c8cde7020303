"""The figures of a GAN comparison, each drawn to the path it is given.

- `plot_final_samples`: one grid of samples per variant, side by side, titled with its FID.
- `plot_checkerboard`: per variant, a sample and its stride-2 phase pattern, then the same inside
  the generator (the last upsampling block), where a transposed convolution's fingerprint stays
  even when the output convolution has learned to clean it up.

(Per-epoch grids and the GIF are written during training by `samples.SampleGrids`; loss and
score curves are `keras_vision.evaluation.plot_history`.)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from keras_vision.evaluation.plots import plot_image_grid
from keras_vision.gan.samples import tile_grid
from keras_vision.upsample import checkerboard_energy, phase_pattern


def plot_final_samples(samples: Mapping[str, np.ndarray], fids: Mapping[str, float], path: str | Path) -> Path:
    """One 8-column grid of samples per variant, side by side, each titled `name: FID x.xx`.

    Args:
        samples: Variant name -> generated images (N, H, W[, 1]) in [0, 1] (64 make an 8x8 grid).
        fids: Variant name -> its classifier FID.
        path: The PNG file to write.

    Returns:
        The path written.
    """
    names = list(samples)
    return plot_image_grid(
        [tile_grid(samples[n]) for n in names],
        path,
        titles=[f"{n}: FID {fids[n]:.2f}" for n in names],
        cols=len(names),
    )


def plot_checkerboard(
    samples: dict[str, tuple[np.ndarray, np.ndarray]], energies: dict[str, tuple[float, float]], path: str | Path
) -> Path:
    """Per variant, one row: a sample and its stride-2 phase pattern, then the same inside the generator.

    `samples[name]` is `(images, inner)`: a few samples (N, H, W, 1) and the output of the last
    upsampling block for the same noise (N, H, W, channels, `inner_features`); `energies[name]` is
    `(checkerboard, inner_checkerboard)`. A pattern is the mean over the N of
    `keras_vision.upsample.phase_pattern`, mean removed, divided by the spread of the images
    themselves; each column of patterns shares one grey scale (mid-grey is 0), so a stronger 2x2
    texture means a larger share of checkerboard. The inner column shows the channel with the
    largest share.
    """

    def pattern(images):
        centred = images - images.mean(axis=(1, 2), keepdims=True)
        mean = phase_pattern(images, 2).mean(axis=0)[6:22, 6:22, 0]
        return (mean - mean.mean()) / max(float(np.sqrt(np.mean(centred**2))), 1e-12)

    strongest = {name: int(np.argmax(_channel_shares(inner))) for name, (_, inner) in samples.items()}
    patterns = {
        name: (pattern(images), pattern(inner[..., [strongest[name]]])) for name, (images, inner) in samples.items()
    }
    scales = [max(max(float(np.abs(p[k]).max()) for p in patterns.values()), 1e-12) for k in (0, 1)]
    pictures, titles = [], []
    for name, (images, inner) in samples.items():
        channel = inner[0, 6:22, 6:22, strongest[name]]
        span = max(float(channel.max() - channel.min()), 1e-12)
        pictures += [
            np.clip(images[0, 6:22, 6:22, 0], 0, 1),
            0.5 + patterns[name][0] / (2 * scales[0]),
            (channel - channel.min()) / span,
            0.5 + patterns[name][1] / (2 * scales[1]),
        ]
        sample_energy, inner_energy = energies[name]
        titles += [
            f"{name}: sample",
            f"its 2x2 pattern\nE = {sample_energy:.2g}",
            f"last upsampler,\nchannel {strongest[name]}",
            f"its 2x2 pattern\nE (all) = {inner_energy:.2g}",
        ]
    return plot_image_grid(pictures, path, titles=titles, cols=4)


def _channel_shares(features) -> np.ndarray:
    """`checkerboard_energy` of each channel of features (N, H, W, C) separately."""
    return np.array([checkerboard_energy(features[..., [c]], 2) for c in range(features.shape[-1])])
