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
super-resolution literature does (SRCNN, Dong et al., TPAMI 2016): `to_y` takes the Y channel of
ITU-R BT.601 YCbCr (MATLAB's `rgb2ycbcr`, 16-235), `shave` border pixels are dropped, then
`psnr_y` and `ssim_y` compare; `image_to_image_report` scores a set of outputs against their
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
    reference, image = _pair(reference, image)
    mse = float(np.mean((reference.astype(np.float64) - image) ** 2))
    return math.inf if mse == 0.0 else 10.0 * math.log10(1.0 / mse)


def ssim(reference, image) -> float:
    """Structural similarity of `image` to `reference` (Wang et al. 2004), averaged over channels.

    Local statistics use an 11x11 Gaussian window with sigma 1.5 (reflected at the borders);
    the map is averaged over the pixels whose window fits inside the image, as
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
    if min(reference.shape[:2]) < SSIM_WINDOW:
        raise ValueError(f"SSIM needs images of at least {SSIM_WINDOW}x{SSIM_WINDOW} pixels. Received shape: {reference.shape}.")
    x, y = reference.astype(np.float64), image.astype(np.float64)
    c1, c2 = SSIM_K1**2, SSIM_K2**2

    def blur(a: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(a, (SSIM_WINDOW, SSIM_WINDOW), SSIM_SIGMA, borderType=cv2.BORDER_REFLECT)

    mu_x, mu_y = blur(x), blur(y)
    var_x, var_y = blur(x * x) - mu_x**2, blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    pad = SSIM_WINDOW // 2
    return float(np.mean(ssim_map[pad:-pad, pad:-pad]))


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


def to_y(image) -> np.ndarray:
    """The BT.601 luminance Y of an RGB image in [16, 235] (a grey image is scaled to 0-255 as it is).

    Args:
        image: uint8 or float in [0, 1], grey or RGB.

    Returns:
        A float64 array `(H, W)` on the 0-255 scale.
    """
    image = to_float(check_image(image)).astype(np.float64)
    if image.ndim == 3:
        image = image[..., 0] if image.shape[-1] == 1 else Y_OFFSET / 255.0 + image @ (Y_WEIGHTS / 255.0)
        return image * 255.0
    return image * 255.0


def _y_pair(target, output, shave: int) -> tuple[np.ndarray, np.ndarray]:
    target, output = to_y(target), to_y(output)
    if target.shape != output.shape:
        raise ValueError(f"`target` and `output` must have the same size. Received: {target.shape} and {output.shape}.")
    if shave:
        target, output = target[shave:-shave, shave:-shave], output[shave:-shave, shave:-shave]
    if target.size == 0:
        raise ValueError(f"Nothing is left to compare after shaving {shave} pixels from each border.")
    return target / 255.0, output / 255.0


def psnr_y(target, output, *, shave: int = 0) -> float:
    """PSNR on the Y channel, 0-255 scale, `shave` border pixels dropped (as SRCNN reports it)."""
    return psnr(*_y_pair(target, output, shave))


def ssim_y(target, output, *, shave: int = 0) -> float:
    """SSIM on the Y channel, `shave` border pixels dropped."""
    return ssim(*_y_pair(target, output, shave))


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
        raise ValueError(f"Pass one output (and baseline) per target. Received {len(targets)} targets, "
                         f"{len(outputs)} outputs, {None if baselines is None else len(baselines)} baselines.")
    names = [str(i) for i in range(len(targets))] if names is None else [str(n) for n in names]
    per_image = {}
    for k, name in enumerate(names):
        scores = {"psnr": psnr_y(targets[k], outputs[k], shave=shave), "ssim": ssim_y(targets[k], outputs[k], shave=shave)}
        if baselines is not None:
            scores.update(psnr_baseline=psnr_y(targets[k], baselines[k], shave=shave),
                          ssim_baseline=ssim_y(targets[k], baselines[k], shave=shave))
        per_image[name] = scores
    means = {key: float(np.mean([s[key] for s in per_image.values()])) for key in per_image[names[0]]}
    if baselines is not None:
        means.update(psnr_gain=means["psnr"] - means["psnr_baseline"], ssim_gain=means["ssim"] - means["ssim_baseline"])
    return {**means, "per_image": per_image}
