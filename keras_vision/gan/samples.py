"""What a GAN draws: sample grids from fixed noise, one PNG per epoch, and a GIF of the run.

The same noise vectors are drawn every epoch, so the grid of epoch 1, 2, 3... shows the same
"digits" taking shape; `SampleGrids` saves them and, at the end of training, joins every epoch's
grid into an animated GIF (Pillow).
"""

from __future__ import annotations

import re
from pathlib import Path

import keras
import numpy as np
from PIL import Image


def tile_grid(images, *, cols: int = 8, pad: int = 2) -> np.ndarray:
    """Tiles images (N, H, W[, 1]) in [0, 1] into one uint8 picture of `cols` columns, `pad` pixels apart.

    Returns:
        A uint8 array (rows * (H + pad) + pad, cols * (W + pad) + pad); the gaps are mid-grey.
    """
    images = np.asarray(images, np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(
            f"`images` must be a non-empty batch (N, H, W) or (N, H, W, 1). Received: shape {images.shape}."
        )
    n, h, w = images.shape
    rows = -(-n // cols)
    grid = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad), 0.5, np.float32)
    for index, image in enumerate(images):
        r, c = divmod(index, cols)
        grid[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = image
    return (np.clip(grid, 0, 1) * 255).round().astype(np.uint8)


def save_grid(images, path: str | Path, *, cols: int = 8, scale: int = 3) -> Path:
    """Saves `tile_grid(images)` as a PNG, enlarged `scale` times (nearest neighbour: pixels stay visible)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = Image.fromarray(tile_grid(images, cols=cols))
    picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST).save(path)
    return path


def write_gif(frames: list[str | Path], path: str | Path, *, seconds_per_frame: float = 0.5) -> Path:
    """Joins PNG frames (in order) into an animated GIF that loops; the last frame stays twice as long."""
    if not frames:
        raise ValueError("`frames` is empty: there is no picture to animate.")
    pictures = [Image.open(frame).convert("L") for frame in frames]
    durations = [int(seconds_per_frame * 1000)] * len(pictures)
    durations[-1] *= 2
    path = Path(path)
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=durations, loop=0)
    return path


def epoch_frames(folder: str | Path) -> list[Path]:
    """The `epoch_NNN.png` files of `folder`, in epoch order."""
    found = [
        (int(m.group(1)), p)
        for p in Path(folder).glob("epoch_*.png")
        if (m := re.fullmatch(r"epoch_(\d+)\.png", p.name))
    ]
    return [p for _, p in sorted(found)]


def to_unit(images) -> np.ndarray:
    """Generator output in [-1, 1] -> [0, 1] (what the scorer and the figures take)."""
    return (np.clip(np.asarray(images, np.float32), -1, 1) + 1) / 2


class SampleGrids(keras.callbacks.Callback):
    """Saves the generator's images for fixed noise after every epoch, and a GIF of them at the end.

    Files: `folder/epoch_001.png`, `epoch_002.png`, ... and `folder/progress.gif`. The grids of a
    resumed run's earlier epochs are kept, so the GIF covers the whole run.

    Args:
        noise: Fixed noise (N, latent_dim), e.g. 64 vectors for an 8x8 grid.
        folder: Where the pictures go (created).
        cols: Columns of the grid. Defaults to `8`.
    """

    def __init__(self, noise, folder: str | Path, *, cols: int = 8):
        super().__init__()
        self.noise, self.folder, self.cols = np.asarray(noise, np.float32), Path(folder), cols

    def on_epoch_end(self, epoch, logs=None):
        images = to_unit(self.model.generate(self.noise))
        save_grid(images, self.folder / f"epoch_{epoch + 1:03d}.png", cols=self.cols)

    def on_train_end(self, logs=None):
        frames = epoch_frames(self.folder)
        if frames:
            write_gif(frames, self.folder / "progress.gif")
