"""Checkerboard scores: how much of an output lies in the stride's sub-pixel phase pattern.

Pixel (i, j) of an upsampled image belongs to phase (i mod stride, j mod stride). An upsampler
that treats the phases differently leaves a pattern of period `stride`, the checkerboard:

- `phase_pattern`: the part of each image that repeats with period `stride`;
- `phase_energy_share`: the share of an output's energy in that pattern (mean removed);
- `checkerboard_score`: that share for a freshly initialised upsampler fed a constant input,
  averaged over random initialisations;
- `checkerboard_energy`: the same pattern's share of the variation of arbitrary images (a GAN's
  samples, a decoder's outputs).

Reference: Odena, Dumoulin and Olah, "Deconvolution and Checkerboard Artifacts", Distill 2016,
https://distill.pub/2016/deconv-checkerboard/.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_vision.upsample.blocks import build_upsampler
from keras_vision.upsample.transpose import check_stride


def phase_pattern(images, stride: int) -> np.ndarray:
    """The part of each image that repeats with period `stride`: its mean over every sub-pixel phase.

    Pixel (i, j) belongs to phase (i mod stride, j mod stride); the pattern holds, at every pixel,
    the mean of its phase (per image and channel). Height and width are cropped to multiples of
    `stride`. In Fourier terms it keeps exactly the frequencies k / stride cycles per pixel.

    Args:
        images: (N, H, W, C) array.
        stride: The period, e.g. the upsampling factor.

    Returns:
        Float64 array (N, H', W', C), H' and W' the largest multiples of `stride` not above H, W.
    """
    images = _as_batch(images)
    check_stride(stride)
    n, height, width, channels = images.shape
    h, w = height // stride * stride, width // stride * stride
    if h == 0 or w == 0:
        raise ValueError(f"Images of {height}x{width} pixels are smaller than one period of stride {stride}.")
    blocks = images[:, :h, :w].reshape(n, h // stride, stride, w // stride, stride, channels)
    means = blocks.mean(axis=(1, 3), keepdims=True)
    return np.broadcast_to(means, blocks.shape).reshape(n, h, w, channels)


def phase_energy_share(outputs, stride: int) -> float:
    """Share of the total energy of `outputs` in their non-constant period-`stride` pattern.

    The pattern minus its mean (per image and channel) is the checkerboard; the share is its
    energy over the energy of the whole output (constant part included). 0 for a constant
    output, 1 for a pure zero-mean checkerboard.

    Args:
        outputs: (N, H, W, C) array, e.g. the response of an upsampler to a constant input.
        stride: The period.

    Returns:
        A float in [0, 1] (0 for an all-zero output).
    """
    pattern = phase_pattern(outputs, stride)
    cropped = _as_batch(outputs)[:, : pattern.shape[1], : pattern.shape[2]]
    checkerboard = pattern - pattern.mean(axis=(1, 2), keepdims=True)
    total = float(np.sum(cropped**2))
    return float(np.sum(checkerboard**2) / total) if total > 0 else 0.0


def checkerboard_score(
    kind: str,
    *,
    factor: int = 2,
    kernel_size: int = 3,
    filters: int = 8,
    channels: int = 8,
    size: int = 16,
    interpolation: str = "nearest",
    trials: int = 10,
    seed: int = 0,
) -> float:
    """How strongly a freshly initialised upsampler turns a constant input into a checkerboard.

    For each of `trials` random initialisations, an upsampler (`build_upsampler`) is fed an
    all-ones image; its output is cropped by a border of `kernel_size + 1` input pixels (padding
    effects are not checkerboards) and scored with `phase_energy_share`. The scores are averaged.

    Args:
        kind: `"transpose"` or `"resize"`.
        factor: Upsampling factor (the period of the pattern). Defaults to `2`.
        kernel_size: Kernel side. Defaults to `3`.
        filters: Output channels. Defaults to `8`.
        channels: Input channels. Defaults to `8`.
        size: Input side. Defaults to `16`.
        interpolation: Resize interpolation. Defaults to `"nearest"`.
        trials: Random initialisations to average over. Defaults to `10`.
        seed: Seed of the first initialisation (`seed + t` for trial t). Defaults to `0`.

    Returns:
        The mean share in [0, 1]: about 0 for resize + convolution, clearly above 0 for a
        transposed convolution whose kernel is not a multiple of its stride.
    """

    if trials < 1:
        raise ValueError(f"`trials` must be at least 1. Received: trials={trials!r}.")
    border = (kernel_size + 1) * factor
    if size * factor <= 2 * border + factor:
        raise ValueError(
            f"`size`={size} is too small to crop a border of {kernel_size + 1} pixels; use at least "
            f"{2 * (kernel_size + 1) + 2}."
        )
    scores = []
    for trial in range(trials):
        keras.utils.set_random_seed(seed + trial)
        model = build_upsampler(
            kind,
            (size, size, channels),
            filters=filters,
            factor=factor,
            kernel_size=kernel_size,
            interpolation=interpolation,
        )
        out = np.asarray(model(np.ones((1, size, size, channels), np.float32)))
        scores.append(phase_energy_share(out[:, border:-border, border:-border], factor))
    return float(np.mean(scores))


def checkerboard_energy(images, stride: int = 2) -> float:
    """Share of the variation of arbitrary images that lies in the period-`stride` phase pattern.

    For generated images (a GAN's samples, a decoder's outputs): the images' mean is removed
    per image and channel, and the energy of the phase pattern (`phase_pattern`, mean removed)
    is divided by the remaining energy, pooled over the batch. For natural photographs this is
    small (about `stride**2 - 1` frequencies out of H x W carry it); checkerboard artifacts
    raise it towards 1.

    Args:
        images: A batch (N, H, W) or (N, H, W, C), any value range.
        stride: Period of the pattern, the generator's upsampling factor. Defaults to `2`.

    Returns:
        A float in [0, 1] (0 for constant images).
    """
    images = _as_batch(images)
    pattern = phase_pattern(images, stride)
    cropped = images[:, : pattern.shape[1], : pattern.shape[2]]
    centred = cropped - cropped.mean(axis=(1, 2), keepdims=True)
    checkerboard = pattern - pattern.mean(axis=(1, 2), keepdims=True)
    total = float(np.sum(centred**2))
    return float(np.sum(checkerboard**2) / total) if total > 0 else 0.0


def _as_batch(images) -> np.ndarray:
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise ValueError(f"`images` must be a batch (N, H, W) or (N, H, W, C). Received: shape {images.shape}.")
    return images
