"""Image quality measures against scikit-image, SciPy and closed-form values."""

import math

import numpy as np
import pytest
import scipy.ndimage
import skimage.measure
import skimage.metrics

from keras_vision.data import load_sample_image
from keras_vision.evaluation.image_quality import (
    NO_REFERENCE_MEASURES,
    clipped_fraction,
    entropy,
    luma,
    mean_brightness,
    measure_image,
    psnr,
    rms_contrast,
    sharpness,
    ssim,
)

SKIMAGE_SSIM = {"gaussian_weights": True, "sigma": 1.5, "use_sample_covariance": False}  # Wang et al. 2004


def noisy_pair(shape, seed=0):
    """A random uint8 image and a noisy copy of it."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, size=shape, dtype=np.uint8)
    noisy = np.clip(image + rng.normal(0, 20, size=shape), 0, 255).astype(np.uint8)
    return image, noisy


@pytest.mark.parametrize("shape", [(40, 50), (40, 50, 3)], ids=["grey", "rgb"])
def test_psnr_matches_skimage_for_uint8_and_float(shape):
    image, noisy = noisy_pair(shape)
    expected = skimage.metrics.peak_signal_noise_ratio(image, noisy, data_range=255)
    assert psnr(image, noisy) == pytest.approx(expected, abs=1e-6)
    assert psnr(image / 255.0, noisy / 255.0) == pytest.approx(expected, abs=1e-4)


def test_psnr_of_identical_images_is_infinite():
    image, _ = noisy_pair((8, 8))
    assert psnr(image, image) == math.inf


@pytest.mark.parametrize("shape", [(40, 50), (40, 50, 3)], ids=["grey", "rgb"])
def test_ssim_matches_skimage_gaussian_ssim(shape):
    image, noisy = noisy_pair(shape, seed=1)
    channel_axis = -1 if len(shape) == 3 else None
    expected = skimage.metrics.structural_similarity(
        image, noisy, data_range=255, channel_axis=channel_axis, **SKIMAGE_SSIM
    )
    assert ssim(image, noisy) == pytest.approx(expected, abs=1e-6)
    assert ssim(image / 255.0, noisy / 255.0) == pytest.approx(expected, abs=1e-6)
    assert ssim(image, image) == pytest.approx(1.0)


def test_ssim_on_a_real_photograph_matches_skimage():
    photo = load_sample_image("coffee")
    darker = (photo // 2).astype(np.uint8)
    expected = skimage.metrics.structural_similarity(photo, darker, data_range=255, channel_axis=-1, **SKIMAGE_SSIM)
    assert ssim(photo, darker) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("function", [psnr, ssim])
def test_reference_measures_reject_different_shapes(function):
    with pytest.raises(ValueError, match=r"same shape.*\(20, 20\).*\(20, 21\)"):
        function(np.zeros((20, 20), np.uint8), np.zeros((20, 21), np.uint8))


def test_ssim_rejects_images_smaller_than_its_window():
    with pytest.raises(ValueError, match="at least 11x11"):
        ssim(np.zeros((10, 30), np.uint8), np.zeros((10, 30), np.uint8))


def test_luma_uses_the_rec601_weights():
    rgb = np.random.default_rng(2).random((5, 6, 3)).astype(np.float32)
    expected = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    np.testing.assert_allclose(luma(rgb), expected, atol=1e-6)
    np.testing.assert_allclose(luma(rgb[..., :1]), rgb[..., 0])


def test_brightness_and_contrast_are_mean_and_std_of_the_luma():
    rgb = np.random.default_rng(3).integers(0, 256, size=(30, 20, 3), dtype=np.uint8)
    y = (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]) / 255.0
    assert mean_brightness(rgb) == pytest.approx(y.mean(), abs=1e-6)
    assert rms_contrast(rgb) == pytest.approx(y.std(), abs=1e-6)


@pytest.mark.parametrize(
    "image,bits",
    [
        (np.full((8, 8), 77, np.uint8), 0.0),  # one grey level
        (np.repeat(np.array([[0, 255]], np.uint8), 8, axis=0), 1.0),  # two equally frequent levels
        (np.arange(256, dtype=np.uint8).reshape(16, 16), 8.0),  # every level once
    ],
    ids=["constant", "two-levels", "all-levels"],
)
def test_entropy_of_known_histograms(image, bits):
    assert entropy(image) == pytest.approx(bits)


def test_entropy_matches_skimage_on_a_photograph():
    camera = load_sample_image("camera")
    assert entropy(camera) == pytest.approx(skimage.measure.shannon_entropy(camera), abs=1e-9)


def test_clipped_fraction_counts_black_and_white_pixels():
    image = np.full((10, 10), 128, np.uint8)
    image[0, :3] = 0
    image[5, :7] = 255
    assert clipped_fraction(image) == pytest.approx(0.10)
    assert clipped_fraction(image / 255.0) == pytest.approx(0.10)


def test_sharpness_is_the_variance_of_the_laplacian():
    camera = load_sample_image("camera")
    expected = scipy.ndimage.laplace(camera.astype(np.float64), mode="mirror").var()
    assert sharpness(camera) == pytest.approx(expected, rel=1e-6)
    assert sharpness(np.full((9, 9), 200, np.uint8)) == 0.0
    blurred = scipy.ndimage.uniform_filter(camera, 5)
    assert sharpness(blurred) < sharpness(camera) / 4


def test_measure_image_is_the_same_for_uint8_and_float_copies():
    photo = load_sample_image("chelsea")
    as_uint8, as_float = measure_image(photo), measure_image(photo / 255.0)
    assert tuple(as_uint8) == NO_REFERENCE_MEASURES
    for key in NO_REFERENCE_MEASURES:
        assert as_float[key] == pytest.approx(as_uint8[key], rel=1e-4, abs=1e-6), key


def test_y_channel_scores_match_scikit_image_on_its_own_ycbcr():
    """`psnr_y`/`ssim_y` against skimage's rgb2ycbcr (MATLAB's BT.601, Y in 16..235) and its metrics."""
    from skimage.color import rgb2ycbcr
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    from keras_vision.evaluation import image_to_image_report, psnr_y, ssim_y

    rng = np.random.default_rng(3)
    target = rng.integers(0, 256, (40, 36, 3), dtype=np.uint8)
    output = np.clip(target.astype(int) + rng.integers(-20, 21, target.shape), 0, 255).astype(np.uint8)
    y_t, y_o = rgb2ycbcr(target)[..., 0][2:-2, 2:-2], rgb2ycbcr(output)[..., 0][2:-2, 2:-2]
    assert psnr_y(target, output, shave=2) == pytest.approx(peak_signal_noise_ratio(y_t, y_o, data_range=255), abs=1e-6)
    expected_ssim = structural_similarity(
        y_t, y_o, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )
    assert ssim_y(target, output, shave=2) == pytest.approx(expected_ssim, abs=1e-6)
    report = image_to_image_report([target], [target], baselines=[output], names=["a"], shave=2)
    assert report["psnr"] == float("inf") and report["ssim"] == pytest.approx(1.0)
    assert report["psnr_gain"] == float("inf") and report["ssim_gain"] == pytest.approx(1 - expected_ssim, abs=1e-6)
    with pytest.raises(ValueError, match="same shape"):
        psnr_y(target, output[:-1])
