"""How close an output image is to its target: PSNR and SSIM on the luminance (Y) channel.

Image-to-image models (super-resolution, enhancement, denoising) are scored as in the
super-resolution literature (SRCNN, Dong et al., TPAMI 2016): colour images are converted to the Y
channel of ITU-R BT.601 YCbCr (as MATLAB's `rgb2ycbcr`, range 16-235), `shave` border pixels are
dropped, then PSNR and SSIM are computed on 0-255 values. SSIM is scikit-image's
`structural_similarity` (Gaussian window, sigma 1.5, as Wang et al. 2004).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from skimage.metrics import structural_similarity

#: BT.601 RGB -> Y for RGB in [0, 1], output in [16, 235] (MATLAB rgb2ycbcr).
Y_WEIGHTS = np.array([65.481, 128.553, 24.966])


def to_y(image) -> np.ndarray:
    """The BT.601 luminance of an RGB image (or a grey image, taken as it is), as float 0-255.

    Args:
        image: `(H, W, 3)` RGB or `(H, W)` / `(H, W, 1)` grey; uint8 0-255 or float in [0, 1].

    Raises:
        ValueError: for another shape.
    """
    image = np.asarray(image)
    unit = image / 255.0 if image.dtype == np.uint8 else image.astype(np.float64)
    if unit.ndim == 3 and unit.shape[-1] == 1:
        unit = unit[..., 0]
    if unit.ndim == 2:
        return unit * 255.0
    if unit.ndim != 3 or unit.shape[-1] != 3:
        raise ValueError(f"Expected an image (H, W, 3) or (H, W). Received shape: {image.shape}.")
    return 16.0 + unit @ Y_WEIGHTS


def _pair(target, output, shave: int) -> tuple[np.ndarray, np.ndarray]:
    target, output = to_y(target), to_y(output)
    if target.shape != output.shape:
        raise ValueError(f"Target and output sizes differ: {target.shape} vs {output.shape}.")
    if shave:
        target, output = target[shave:-shave, shave:-shave], output[shave:-shave, shave:-shave]
    if target.size == 0:
        raise ValueError(f"Nothing left to compare after shaving {shave} pixels from each border.")
    return target, output


def psnr_y(target, output, *, shave: int = 0) -> float:
    """Peak signal-to-noise ratio on Y, in dB: `10 log10(255^2 / MSE)` (inf for identical images)."""
    target, output = _pair(target, output, shave)
    mse = np.mean((target - output) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def ssim_y(target, output, *, shave: int = 0) -> float:
    """Structural similarity on Y (1 for identical images)."""
    target, output = _pair(target, output, shave)
    return float(structural_similarity(target, output, data_range=255.0, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False))


def image_to_image_report(targets: Sequence, outputs: Sequence, *, baselines: Sequence | None = None,
                          names: Sequence[str] | None = None, shave: int = 0) -> dict:
    """PSNR and SSIM of every output against its target, their means, and the gain over a baseline.

    Args:
        targets: The reference images (a batch or a list of images of any sizes).
        outputs: The model's images, one per target, same sizes.
        baselines: What the model should beat (the network input, a bicubic upscale), one per target.
        names: One name per image for `per_image`. Defaults to "0", "1", ....
        shave: Border pixels left out (the scale factor, in super-resolution).

    Returns:
        `{"psnr", "ssim", "per_image": {name: {"psnr", "ssim", ...}}}` and, with `baselines`,
        `psnr_baseline`, `ssim_baseline`, `psnr_gain`, `ssim_gain` (means over the images).
    """
    if len(targets) != len(outputs) or (baselines is not None and len(baselines) != len(targets)):
        raise ValueError(f"Pass one output (and baseline) per target. Received {len(targets)} targets, "
                         f"{len(outputs)} outputs, {None if baselines is None else len(baselines)} baselines.")
    names = [str(i) for i in range(len(targets))] if names is None else list(names)
    per_image = {}
    for k, name in enumerate(names):
        scores = {"psnr": psnr_y(targets[k], outputs[k], shave=shave), "ssim": ssim_y(targets[k], outputs[k], shave=shave)}
        if baselines is not None:
            scores.update(psnr_baseline=psnr_y(targets[k], baselines[k], shave=shave),
                          ssim_baseline=ssim_y(targets[k], baselines[k], shave=shave))
        per_image[name] = scores
    means = {key: float(np.mean([s[key] for s in per_image.values()])) for key in next(iter(per_image.values()))}
    if baselines is not None:
        means.update(psnr_gain=means["psnr"] - means["psnr_baseline"], ssim_gain=means["ssim"] - means["ssim_baseline"])
    return {**means, "per_image": per_image}
