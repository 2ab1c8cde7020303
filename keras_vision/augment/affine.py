"""Random affine transforms with `ImageDataGenerator`'s distribution, composed into one matrix each.

`ImageDataGenerator.get_random_transform` draws, for each image, a rotation angle, two shifts, a
shear angle, two zoom factors and two coin flips; `apply_transform` then resamples the image once
with `M = R @ T @ S @ Z` (about the image centre), and flips the result. Here the parameters of a whole batch
are drawn in a few vectorised
NumPy calls, the flips are folded into the same matrix, and every image is resampled exactly once
by OpenCV's `warpAffine` (bilinear, like `interpolation_order=1`).

The matrices map OUTPUT pixels to INPUT positions, as `scipy.ndimage.affine_transform` (used by
`ImageDataGenerator`) and `cv2.warpAffine(..., flags=cv2.WARP_INVERSE_MAP)` expect them. A zoom
factor above 1 therefore samples a larger area: the content shrinks.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from keras_vision.augment.config import AugmentConfig

#: OpenCV border mode of each `fill_mode` (scipy's "reflect" is OpenCV's half-sample REFLECT).
BORDER_MODES = {
    "nearest": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
    "reflect": cv2.BORDER_REFLECT,
    "wrap": cv2.BORDER_WRAP,
}


@dataclass(frozen=True)
class TransformParameters:
    """The random parameters of N images, with `ImageDataGenerator`'s names and units.

    Attributes:
        theta: Rotation angles in degrees, shape (N,).
        tx: Shifts in pixels drawn from `height_shift_range` (Keras applies them along x, see
            `inverse_matrices`).
        ty: Shifts in pixels drawn from `width_shift_range` (applied along y).
        shear: Shear angles in degrees.
        zx: Zoom factors of the first matrix coordinate (x).
        zy: Zoom factors of the second (y).
        flip_horizontal: Booleans: mirror left-right.
        flip_vertical: Booleans: mirror top-bottom.
    """

    theta: np.ndarray
    tx: np.ndarray
    ty: np.ndarray
    shear: np.ndarray
    zx: np.ndarray
    zy: np.ndarray
    flip_horizontal: np.ndarray
    flip_vertical: np.ndarray

    def __len__(self) -> int:
        return len(self.theta)

    def as_generator_dict(self, index: int) -> dict:
        """Image `index`'s parameters as the dict `ImageDataGenerator.apply_transform` takes."""
        return {
            name: (bool if name.startswith("flip") else float)(getattr(self, name)[index])
            for name in ("theta", "tx", "ty", "shear", "zx", "zy", "flip_horizontal", "flip_vertical")
        }


def sample_parameters(
    config: AugmentConfig, count: int, image_shape: tuple[int, ...], rng: np.random.Generator
) -> TransformParameters:
    """Draws the transform parameters of `count` images at once.

    Args:
        config: The augmentation.
        count: Number of images.
        image_shape: `(height, width, ...)` of the images (shifts below 1 are fractions of it).
        rng: The random generator, e.g. `np.random.default_rng(0)`.

    Returns:
        The parameters; unused transforms are exactly 0 (or 1 for zoom, False for flips).
    """
    height, width = image_shape[:2]
    low, high = config.zoom_range
    zoom = rng.uniform(low, high, size=(2, count)) if (low, high) != (1.0, 1.0) else np.ones((2, count))
    return TransformParameters(
        theta=_symmetric(rng, config.rotation_range, count),
        tx=_shift(rng, config.height_shift_range, height, count),
        ty=_shift(rng, config.width_shift_range, width, count),
        shear=_symmetric(rng, config.shear_range, count),
        zx=zoom[0],
        zy=zoom[1],
        flip_horizontal=_coin(rng, config.horizontal_flip, count),
        flip_vertical=_coin(rng, config.vertical_flip, count),
    )


def _symmetric(rng: np.random.Generator, limit: float, count: int) -> np.ndarray:
    return rng.uniform(-limit, limit, count) if limit else np.zeros(count)


def _shift(rng: np.random.Generator, limit: float, side: int, count: int) -> np.ndarray:
    """`ImageDataGenerator`'s shift: a fraction of `side` below 1, pixels above, whole pixels for ints."""
    if not limit:
        return np.zeros(count)
    if isinstance(limit, (int, np.integer)):
        return rng.integers(0, limit, count) * rng.choice([-1.0, 1.0], count)
    shift = rng.uniform(-limit, limit, count)
    return shift * side if limit < 1 else shift


def _coin(rng: np.random.Generator, enabled: bool, count: int) -> np.ndarray:
    return rng.random(count) < 0.5 if enabled else np.zeros(count, dtype=bool)


def inverse_matrices(params: TransformParameters, height: int, width: int) -> np.ndarray:
    """The `(N, 2, 3)` matrices that map output (x, y) pixels to input positions, for OpenCV.

    Composes rotation @ shift @ shear @ zoom about the centre, as `keras`' legacy
    `apply_affine_transform` does, then the flips (which `ImageDataGenerator` applies to the
    transformed image, so they act on the output grid).

    `apply_affine_transform` builds its matrix in (x, y) = (column, row) order (it swaps rows and
    columns before calling SciPy), but fills it with row-first quantities: `tx`, drawn from
    `height_shift_range` as a fraction of the HEIGHT, moves the image along x (sideways), `zx`
    scales x, and the centre is `(height / 2 - 0.5, width / 2 - 0.5)` taken as (x, y). The two
    agree for square images; for the same distribution on any image this function reproduces
    Keras exactly.

    Args:
        params: Parameters of N images.
        height: Image height in pixels.
        width: Image width in pixels.

    Returns:
        float64 matrices for `cv2.warpAffine(..., flags=cv2.WARP_INVERSE_MAP)`.
    """
    n = len(params)
    theta, shear = np.deg2rad(params.theta), np.deg2rad(params.shear)
    cos, sin = np.cos(theta), np.sin(theta)
    # A = R @ T @ S @ Z, written out: S @ Z = [[zx, -sin(s) zy], [0, cos(s) zy]].
    linear = np.empty((n, 2, 2))
    sz01, sz11 = -np.sin(shear) * params.zy, np.cos(shear) * params.zy
    linear[:, 0, 0] = cos * params.zx
    linear[:, 0, 1] = cos * sz01 - sin * sz11
    linear[:, 1, 0] = sin * params.zx
    linear[:, 1, 1] = sin * sz01 + cos * sz11
    shift = np.stack([cos * params.tx - sin * params.ty, sin * params.tx + cos * params.ty], axis=-1)
    centre = np.array([height / 2 - 0.5, width / 2 - 0.5])
    offset = centre + shift - linear @ centre
    # Flips act on output coordinates: x -> (width - 1) - x, y -> (height - 1) - y.
    flips = np.stack([np.where(params.flip_horizontal, -1.0, 1.0), np.where(params.flip_vertical, -1.0, 1.0)], axis=-1)
    flip_offset = np.stack(
        [np.where(params.flip_horizontal, width - 1.0, 0.0), np.where(params.flip_vertical, height - 1.0, 0.0)], axis=-1
    )
    offset = offset + np.einsum("nij,nj->ni", linear, flip_offset)
    matrices = np.empty((n, 2, 3))
    matrices[:, :, :2] = linear * flips[:, None, :]
    matrices[:, :, 2] = offset
    return matrices


def warp_images(
    images: np.ndarray,
    matrices: np.ndarray,
    *,
    fill_mode: str = "nearest",
    cval: float = 0.0,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Resamples each image once with its matrix (bilinear), with SciPy's border rules.

    `ImageDataGenerator` resamples with `scipy.ndimage.affine_transform(order=1)`. Two of its
    border modes differ from OpenCV's namesakes and are reproduced here: `"constant"` fills every
    pixel whose source lies outside the image with `cval` (OpenCV would blend the edge with it),
    and `"wrap"` repeats the image with a period of `side - 1` pixels (the last row and column
    coincide with the first), which is what SciPy's `"wrap"` does.

    Args:
        images: `(N, H, W, C)` uint8 or float32 images (C from 1 to 4).
        matrices: `(N, 2, 3)` output-to-input matrices from `inverse_matrices`.
        fill_mode: `"nearest"`, `"constant"`, `"reflect"` or `"wrap"`. Defaults to `"nearest"`.
        cval: Fill value for `"constant"`. Defaults to `0`.
        out: An array shaped and typed like `images` to write into (reused between batches).
            Defaults to a new array.

    Returns:
        The warped images (`out` when given).
    """
    out = np.empty_like(images) if out is None else out
    height, width = images.shape[1:3]
    if fill_mode == "wrap":
        return _warp_wrapped(images, matrices, out)
    border = cv2.BORDER_REPLICATE if fill_mode == "constant" else BORDER_MODES[fill_mode]
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    squeeze = images.shape[-1] == 1  # OpenCV drops a single channel axis
    for image, matrix, target in zip(images, matrices, out):
        if squeeze:
            image, target = image[..., 0], target[..., 0]
        cv2.warpAffine(image, matrix, (width, height), dst=target, flags=flags, borderMode=border)
    if fill_mode == "constant":
        sx, sy = source_positions(matrices, height, width)
        tolerance = 1e-3
        inside = (sx > -tolerance) & (sx < width - 1 + tolerance) & (sy > -tolerance) & (sy < height - 1 + tolerance)
        out[~inside] = cval
    return out


def _warp_wrapped(images: np.ndarray, matrices: np.ndarray, out: np.ndarray) -> np.ndarray:
    """SciPy's `"wrap"`: source positions taken modulo `side - 1`, then bilinear inside the image."""
    height, width = images.shape[1:3]
    sx, sy = source_positions(matrices, height, width)
    sx, sy = np.mod(sx, max(width - 1, 1)), np.mod(sy, max(height - 1, 1))
    squeeze = images.shape[-1] == 1
    for image, map_x, map_y, target in zip(images, sx, sy, out):
        if squeeze:
            image, target = image[..., 0], target[..., 0]
        cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, dst=target, borderMode=cv2.BORDER_REPLICATE)
    return out


def source_positions(matrices: np.ndarray, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """`(x, y)` source positions of every output pixel, each `(N, H, W)` float32."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    m = matrices.astype(np.float32)[:, :, :, None, None]
    return m[:, 0, 0] * x + m[:, 0, 1] * y + m[:, 0, 2], m[:, 1, 0] * x + m[:, 1, 1] * y + m[:, 1, 2]
