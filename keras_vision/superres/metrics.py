"""How close is a super-resolved image to the original? PSNR and SSIM on the luminance (Y).

Super-resolution papers since SRCNN report both on the Y channel of YCbCr only (the eye is most
sensitive to luminance detail) and ignore a border of `scale` pixels, where the bicubic input
carries little information:

- `rgb_to_y`: ITU-R BT.601 luma as MATLAB's `rgb2ycbcr` computes it, on the [16, 235] scale:
  Y = 16 + 65.481 R + 128.553 G + 24.966 B for R, G, B in [0, 1].
- `psnr`: peak signal-to-noise ratio, 10 log10(peak^2 / MSE) in dB (peak 255 on the Y scale).
- `ssim`: structural similarity (Wang et al. 2004): local means, variances and covariance under
  an 11x11 Gaussian window (sigma 1.5), C1 = (0.01 L)^2, C2 = (0.03 L)^2, averaged over the
  positions where the window fits; this equals `skimage.metrics.structural_similarity(...,
  gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`.
- `y_psnr`, `y_ssim`: both on the Y channel with the border shaved.
"""

from __future__ import annotations

import math

import numpy as np

from keras_vision.superres.degradation import as_float_image

#: MATLAB rgb2ycbcr: Y = offset + weights . (R, G, B), R, G, B in [0, 1].
Y_WEIGHTS = np.array([65.481, 128.553, 24.966])
Y_OFFSET = 16.0
#: Gaussian window of SSIM (Wang et al. 2004): sigma 1.5, truncated to 11x11.
SSIM_SIGMA, SSIM_TRUNCATE = 1.5, 3.5


def rgb_to_y(image) -> np.ndarray:
    """BT.601 luma of an RGB image, on MATLAB's [16, 235] scale.

    Args:
        image: (H, W, 3) RGB, uint8 or float in [0, 1]; grey images count as R = G = B.

    Returns:
        float64 (H, W).
    """
    return as_float_image(image).astype(np.float64) @ Y_WEIGHTS + Y_OFFSET


def shave(image, border: int) -> np.ndarray:
    """Removes `border` pixels on every side (SRCNN shaves `scale` pixels before measuring)."""
    image = np.asarray(image)
    if border < 0 or 2 * border >= min(image.shape[:2]):
        raise ValueError(f"Cannot shave {border} pixels off an image of {image.shape[:2]} pixels.")
    return image[border : image.shape[0] - border, border : image.shape[1] - border] if border else image


def psnr(a, b, *, data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio in dB: 10 log10(data_range^2 / mean squared difference).

    Args:
        a, b: Arrays of the same shape.
        data_range: The peak value (255 for the Y scale, 1 for images in [0, 1]). Defaults to `255`.

    Returns:
        The PSNR; `inf` for identical arrays.
    """
    a, b = _same_shape(a, b)
    mse = float(np.mean((a - b) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(data_range**2 / mse)


def ssim(a, b, *, data_range: float = 255.0) -> float:
    """Mean structural similarity of two grey images (Wang et al. 2004, Gaussian window).

    Args:
        a, b: (H, W) arrays of the same shape, at least 11x11.
        data_range: The dynamic range L of the values. Defaults to `255`.

    Returns:
        A float in [-1, 1]; 1 for identical images.
    """
    from scipy.ndimage import gaussian_filter

    a, b = _same_shape(a, b)
    if a.ndim != 2 or min(a.shape) < 11:
        raise ValueError(f"ssim expects two grey images (H, W) of at least 11x11. Received: shape {a.shape}.")

    def blur(x):
        return gaussian_filter(x, SSIM_SIGMA, truncate=SSIM_TRUNCATE, mode="reflect")

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_a, mu_b = blur(a), blur(b)
    var_a, var_b, cov = blur(a * a) - mu_a**2, blur(b * b) - mu_b**2, blur(a * b) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    pad = int(SSIM_TRUNCATE * SSIM_SIGMA + 0.5)  # where the 11x11 window fits inside the image
    return float(ssim_map[pad:-pad, pad:-pad].mean())


def y_psnr(prediction, target, *, border: int) -> float:
    """PSNR between the Y channels of two RGB images, `border` pixels shaved (SRCNN: the scale)."""
    return psnr(shave(rgb_to_y(prediction), border), shave(rgb_to_y(target), border))


def y_ssim(prediction, target, *, border: int) -> float:
    """SSIM between the Y channels of two RGB images, `border` pixels shaved."""
    return ssim(shave(rgb_to_y(prediction), border), shave(rgb_to_y(target), border))


def _same_shape(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"Both images must have the same shape. Received: {a.shape} and {b.shape}.")
    return a, b
