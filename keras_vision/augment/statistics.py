"""Feature-wise and sample-wise normalisation, with `ImageDataGenerator`'s formulas.

Feature-wise normalisation uses statistics of the whole training set, one per channel:
`(x - mean) / (std + 1e-6)`, where `mean` and `std` are taken over every image, row and column
(`ImageDataGenerator.fit`). Sample-wise normalisation uses each image's own mean and standard
deviation, over all its pixels and channels (`ImageDataGenerator.standardize`).
"""

from __future__ import annotations

import numpy as np

#: Added to the standard deviation before dividing, as `ImageDataGenerator` does.
EPSILON = 1e-6
#: Images per chunk when the statistics are accumulated (keeps memory flat on big sets).
CHUNK = 4096


def featurewise_statistics(images, rescale: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The per-channel mean and standard deviation of a training set, as `ImageDataGenerator.fit`.

    Unlike `fit`, which copies the whole set as float32, the sums are accumulated in float64 over
    chunks, so 50,000 CIFAR-10 images need no extra 600 MB.

    Args:
        images: `(N, H, W, C)` images, any numeric dtype (uint8 pixels in [0, 255] are typical).
        rescale: The factor the generator multiplies pixels by before the statistics (e.g.
            `1 / 255`). Defaults to `None` (no rescaling).

    Returns:
        `(mean, std)`, each float32 of shape `(1, 1, C)`, ready to broadcast over images.

    Raises:
        ValueError: for anything but a non-empty rank-4 numeric array.
    """
    images = np.asarray(images)
    if images.ndim != 4 or len(images) == 0 or images.dtype.kind not in "biuf":
        raise ValueError(
            "`images` must be a non-empty numeric batch (N, H, W, C); add a channel axis to grey "
            f"images with images[..., None]. Received: {_describe(images)}."
        )
    count = images.shape[0] * images.shape[1] * images.shape[2]
    total = sum(chunk.sum(axis=(0, 1, 2), dtype=np.float64) for chunk in _chunks(images))
    mean = total / count
    squares = sum(np.square(chunk - mean).sum(axis=(0, 1, 2)) for chunk in _chunks(images))
    std = np.sqrt(squares / count)
    factor = 1.0 if rescale is None else float(rescale)  # std(x * r) = |r| std(x)
    return (mean * factor).astype(np.float32).reshape(1, 1, -1), (std * abs(factor)).astype(np.float32).reshape(
        1, 1, -1
    )


def _chunks(images: np.ndarray):
    for start in range(0, len(images), CHUNK):
        yield images[start : start + CHUNK].astype(np.float64)


def normalize_featurewise(images: np.ndarray, mean: np.ndarray, std: np.ndarray | None) -> np.ndarray:
    """`(images - mean) / (std + 1e-6)` in place on float images; `std=None` only centres."""
    images -= mean
    if std is not None:
        images /= std + EPSILON
    return images


def normalize_samplewise(images: np.ndarray, *, scale: bool) -> np.ndarray:
    """Each image minus its own mean (and divided by its own std + 1e-6 when `scale`), in place."""
    images -= images.mean(axis=(1, 2, 3), keepdims=True)
    if scale:
        images /= images.std(axis=(1, 2, 3), keepdims=True) + EPSILON
    return images


def _describe(array: np.ndarray) -> str:
    return f"an array of shape {array.shape} and dtype {array.dtype}"
