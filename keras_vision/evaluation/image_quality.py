"""How good does a photograph look? Measures with and without a reference image.

With a reference (the original, when an image was degraded on purpose):

- `psnr`: peak signal-to-noise ratio, `10 log10(1 / MSE)` on values in [0, 1]; higher is better,
  identical images give infinity.
- `ssim`: structural similarity (Wang et al. 2004): local means, variances and covariance under an
  11x11 Gaussian window (sigma 1.5), averaged over the image and the channels; 1 for identical
  images.

Without a reference (a real dark photograph has none), computed on the luma
`Y = 0.299 R + 0.587 G + 0.114 B` in [0, 1] (OpenCV's RGB -> grey):

- `mean_brightness`: the mean luma; a dark photograph sits near 0.1, a well exposed one near 0.4-0.5.
- `rms_contrast`: the standard deviation of the luma.
- `entropy`: Shannon entropy, in bits, of the 256-bin histogram of the 8-bit luma; at most 8. Dark
  photographs crowd a few bins and score low; spreading the histogram raises it.
- `clipped_fraction`: the share of pixels whose 8-bit luma is 0 or 255 (crushed shadows, blown
  highlights): detail that no later step can bring back.
- `sharpness`: the variance of the Laplacian of the luma in 8-bit grey levels (Pech-Pacheco et al.
  2000): blurring lowers it, so it shows the detail a max filter costs, and noise raises it.

For image-to-image models (super-resolution, enhancement) the course scores as the
super-resolution literature does (SRCNN, Dong et al., TPAMI 2016): `rgb_to_y` takes the Y channel
of ITU-R BT.601 YCbCr (MATLAB's `rgb2ycbcr`, 16-235), `shave` border pixels are dropped, then
`psnr_y` and `ssim_y` compare (`psnr_arrays` and `ssim_arrays` on the 0-255 scale); `image_to_image_report`
scores a set of outputs against their
targets and the gain over a baseline (the network's input, a bicubic upscale).

`measure_image` returns the five no-reference numbers as a JSON-ready dict. Every function accepts
uint8 (0..255) or float (0..1) images, grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`
(`keras_vision.pixels.check_image`), so a uint8 photograph and its float copy measure the same.

References:
    Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality assessment: from error
    visibility to structural similarity", IEEE TIP 13(4), 2004.
    J. L. Pech-Pacheco et al., "Diatom autofocusing in brightfield microscopy: a comparative
    study", ICPR 2000.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from keras_vision.pixels import check_image, to_float, to_uint8

#: Side and standard deviation of the Gaussian window of SSIM, and its two stabilising constants.
SSIM_WINDOW, SSIM_SIGMA, SSIM_K1, SSIM_K2 = 11, 1.5, 0.01, 0.03
#: The keys of `measure_image`, in table order.
NO_REFERENCE_MEASURES = ("mean_brightness", "rms_contrast", "entropy", "clipped", "sharpness")


def psnr(reference, image) -> float:
    """Peak signal-to-noise ratio of `image` against `reference`, in dB.

    Args:
        reference: The undegraded image (uint8 or float in [0, 1], grey or RGB).
        image: An image of the same shape (any supported dtype: both are compared in [0, 1]).

    Returns:
        `10 * log10(1 / MSE)`; `inf` when the images are identical.

    Raises:
        ValueError: for an unsupported image or different shapes.
    """
    return psnr_arrays(*_pair(reference, image), data_range=1.0)


def ssim(reference, image) -> float:
    """Structural similarity of `image` to `reference` (Wang et al. 2004), averaged over channels.

    Each channel is scored by `ssim_arrays` (11x11 Gaussian window, sigma 1.5), as
    `skimage.metrics.structural_similarity(..., gaussian_weights=True,
    use_sample_covariance=False, data_range=1)` does.

    Args:
        reference: The undegraded image (uint8 or float in [0, 1], grey or RGB), at least 11x11.
        image: An image of the same shape.

    Returns:
        A float in [-1, 1]; 1 for identical images.

    Raises:
        ValueError: for an unsupported image, different shapes, or an image smaller than 11x11.
    """
    reference, image = _pair(reference, image)
    if reference.ndim == 2:
        return ssim_arrays(reference, image, data_range=1.0)
    return float(
        np.mean([ssim_arrays(reference[..., c], image[..., c], data_range=1.0) for c in range(reference.shape[-1])])
    )


def _pair(reference, image) -> tuple[np.ndarray, np.ndarray]:
    reference, image = check_image(reference, name="reference"), check_image(image, name="image")
    if reference.shape != image.shape:
        raise ValueError(
            f"`reference` and `image` must have the same shape. Received: {reference.shape} and {image.shape}."
        )
    return to_float(reference), to_float(image)


def luma(image) -> np.ndarray:
    """The luma `0.299 R + 0.587 G + 0.114 B` of an RGB image, or a grey image itself.

    Args:
        image: uint8 or float in [0, 1], grey or RGB.

    Returns:
        A float32 array `(H, W)` in [0, 1] (a float32 grey input is returned as it is).

    Raises:
        ValueError: for an unsupported image (see `keras_vision.pixels.check_image`).
    """
    image = to_float(check_image(image))
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image


def mean_brightness(image) -> float:
    """The mean luma: 0 for black, 1 for white, about 0.1 for a dark photograph.

    Args:
        image: uint8 (0..255) or float (0..1), grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`.

    Raises:
        ValueError: for an unsupported image (see `keras_vision.pixels.check_image`).
    """
    return float(np.mean(luma(image), dtype=np.float64))


def rms_contrast(image) -> float:
    """RMS contrast: the standard deviation of the luma, in [0, 0.5] (0 for a flat image).

    Args:
        image: uint8 (0..255) or float (0..1), grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`.

    Raises:
        ValueError: for an unsupported image (see `keras_vision.pixels.check_image`).
    """
    return float(np.std(luma(image), dtype=np.float64))


def entropy(image) -> float:
    """Shannon entropy, in bits, of the 256-bin histogram of the 8-bit luma: `-sum(p log2 p)`.

    0 for a flat image, 8 when all 256 grey levels are equally frequent; equals
    `skimage.measure.shannon_entropy` of the 8-bit luma.

    Args:
        image: uint8 (0..255) or float (0..1), grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`.

    Raises:
        ValueError: for an unsupported image (see `keras_vision.pixels.check_image`).
    """
    counts = np.bincount(_luma8(image).ravel(), minlength=256)
    p = counts[counts > 0] / counts.sum()
    return float(-np.sum(p * np.log2(p)) + 0.0)


def clipped_fraction(image) -> float:
    """The share of pixels whose 8-bit luma is 0 (black) or 255 (white), in [0, 1].

    Args:
        image: uint8 (0..255) or float (0..1), grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`.

    Raises:
        ValueError: for an unsupported image (see `keras_vision.pixels.check_image`).
    """
    y = _luma8(image)
    return float(np.mean((y == 0) | (y == 255)))


def sharpness(image) -> float:
    """The variance of the Laplacian of the luma, in squared 8-bit grey levels.

    The Laplacian is the 3x3 kernel `[[0, 1, 0], [1, -4, 1], [0, 1, 0]]` with mirrored borders
    (`cv2.Laplacian` with `ksize=1`), applied to the luma scaled to 0..255. Higher is sharper
    (or noisier); a flat image gives 0.

    Args:
        image: uint8 (0..255) or float (0..1), grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`.

    Raises:
        ValueError: for an unsupported image (see `keras_vision.pixels.check_image`).
    """
    y = luma(image).astype(np.float64) * 255.0
    return float(np.var(cv2.Laplacian(y, cv2.CV_64F, ksize=1)))


def measure_image(image) -> dict[str, float]:
    """The five no-reference measures of one image, keyed as in `NO_REFERENCE_MEASURES`.

    Args:
        image: uint8 (0..255) or float (0..1), grey `(H, W)` / `(H, W, 1)` or RGB `(H, W, 3)`.

    Returns:
        `{"mean_brightness", "rms_contrast", "entropy", "clipped", "sharpness"}` as floats.
    """
    image = check_image(image)
    return {
        "mean_brightness": mean_brightness(image),
        "rms_contrast": rms_contrast(image),
        "entropy": entropy(image),
        "clipped": clipped_fraction(image),
        "sharpness": sharpness(image),
    }


def _luma8(image) -> np.ndarray:
    return to_uint8(luma(image))


#: BT.601 RGB -> Y for RGB in [0, 1], output in [16, 235] (MATLAB rgb2ycbcr).
Y_WEIGHTS = np.array([65.481, 128.553, 24.966])
Y_OFFSET = 16.0


def rgb_to_y(image) -> np.ndarray:
    """BT.601 luma of an RGB image on MATLAB's [16, 235] scale: `16 + 65.481 R + 128.553 G + 24.966 B`.

    Args:
        image: `(H, W, 3)` RGB, uint8 or float (R, G, B in [0, 1]; a network's output slightly
            outside is taken as it is); grey `(H, W)` / `(H, W, 1)` counts as R = G = B.

    Returns:
        float64 `(H, W)`.

    Raises:
        ValueError: for another shape.
    """
    array = np.asarray(image)
    unit = array / 255.0 if array.dtype == np.uint8 else array.astype(np.float64)
    if unit.ndim == 3 and unit.shape[-1] == 1:
        unit = unit[..., 0]
    if unit.ndim == 2:
        return Y_OFFSET + unit * Y_WEIGHTS.sum()
    if unit.ndim != 3 or unit.shape[-1] != 3:
        raise ValueError(f"`image` must be an image (H, W), (H, W, 1) or (H, W, 3). Received: shape {array.shape}.")
    return unit @ Y_WEIGHTS + Y_OFFSET


def shave_border(image, border: int) -> np.ndarray:
    """Removes `border` pixels on every side (SRCNN shaves `scale` pixels before measuring)."""
    image = np.asarray(image)
    if border < 0 or 2 * border >= min(image.shape[:2]):
        raise ValueError(f"Cannot shave {border} pixels off an image of {image.shape[:2]} pixels.")
    return image[border : image.shape[0] - border, border : image.shape[1] - border] if border else image


def psnr_arrays(a, b, *, data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio of two arrays in dB: `10 log10(data_range^2 / mean squared difference)`.

    Args:
        a, b: Arrays of the same shape.
        data_range: The peak value (255 for the Y scale, 1 for images in [0, 1]). Defaults to `255`.

    Returns:
        The PSNR; `inf` for identical arrays.
    """
    a, b = _same_shape(a, b)
    mse = float(np.mean((a - b) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(data_range**2 / mse)


def ssim_arrays(a, b, *, data_range: float = 255.0) -> float:
    """Mean structural similarity of two grey images (Wang et al. 2004).

    Local statistics under an 11x11 Gaussian window with sigma 1.5 (reflected at the borders),
    averaged over the positions where the window fits inside the image, as
    `skimage.metrics.structural_similarity(..., gaussian_weights=True, use_sample_covariance=False)`.

    Args:
        a, b: `(H, W)` arrays of the same shape, at least 11x11.
        data_range: The dynamic range L of the values. Defaults to `255`.

    Returns:
        A float in [-1, 1]; 1 for identical images.
    """
    a, b = _same_shape(a, b)
    if a.ndim != 2 or min(a.shape) < SSIM_WINDOW:
        raise ValueError(
            f"SSIM needs two grey images (H, W) of at least {SSIM_WINDOW}x{SSIM_WINDOW} pixels. "
            f"Received shape: {a.shape}."
        )

    def blur(x: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(x, (SSIM_WINDOW, SSIM_WINDOW), SSIM_SIGMA, borderType=cv2.BORDER_REFLECT)

    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    mu_a, mu_b = blur(a), blur(b)
    var_a, var_b, cov = blur(a * a) - mu_a**2, blur(b * b) - mu_b**2, blur(a * b) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    pad = SSIM_WINDOW // 2
    return float(np.mean(ssim_map[pad:-pad, pad:-pad]))


def _same_shape(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"Both images must have the same shape. Received: {a.shape} and {b.shape}.")
    return a, b


def psnr_y(target, output, *, shave: int = 0) -> float:
    """PSNR between the Y channels (0-255 scale) of `output` and `target`, `shave` border pixels dropped."""
    return psnr_arrays(shave_border(rgb_to_y(output), shave), shave_border(rgb_to_y(target), shave))


def ssim_y(target, output, *, shave: int = 0) -> float:
    """SSIM between the Y channels of `output` and `target`, `shave` border pixels dropped."""
    return ssim_arrays(shave_border(rgb_to_y(output), shave), shave_border(rgb_to_y(target), shave))


def image_to_image_report(targets, outputs, *, baselines=None, names=None, shave: int = 0) -> dict:
    """PSNR and SSIM (on Y) of every output against its target, their means, and the gain over a baseline.

    Args:
        targets: The reference images (a batch or a list of images of any sizes).
        outputs: The model's images, one per target, same sizes.
        baselines: What the model should beat (its input, a bicubic upscale), one per target.
        names: One name per image for `per_image`. Defaults to "0", "1", ....
        shave: Border pixels left out (the scale factor, in super-resolution).

    Returns:
        `{"psnr", "ssim", "per_image": {name: {...}}}` and, with `baselines`, `psnr_baseline`,
        `ssim_baseline`, `psnr_gain`, `ssim_gain` (means over the images).

    Raises:
        ValueError: when the counts differ.
    """
    if len(targets) != len(outputs) or (baselines is not None and len(baselines) != len(targets)):
        raise ValueError(
            f"Pass one output (and baseline) per target. Received {len(targets)} targets, "
            f"{len(outputs)} outputs, {None if baselines is None else len(baselines)} baselines."
        )
    names = [str(i) for i in range(len(targets))] if names is None else [str(n) for n in names]
    per_image = {}
    for k, name in enumerate(names):
        scores = {
            "psnr": psnr_y(targets[k], outputs[k], shave=shave),
            "ssim": ssim_y(targets[k], outputs[k], shave=shave),
        }
        if baselines is not None:
            scores.update(
                psnr_baseline=psnr_y(targets[k], baselines[k], shave=shave),
                ssim_baseline=ssim_y(targets[k], baselines[k], shave=shave),
            )
        per_image[name] = scores
    means = {key: float(np.mean([s[key] for s in per_image.values()])) for key in per_image[names[0]]}
    if baselines is not None:
        means.update(psnr_gain=means["psnr"] - means["psnr_baseline"], ssim_gain=means["ssim"] - means["ssim_baseline"])
    return {**means, "per_image": per_image}
