"""Brightening by max pooling, gamma and CLAHE, checked against Keras, scikit-image, OpenCV and closed forms."""

import cv2
import keras
import numpy as np
import pytest
import skimage.measure

from keras_vision.convolution import max_pool2d
from keras_vision.data import load_sample_image
from keras_vision.enhance import (
    block_max,
    clahe,
    darken,
    gamma_correct,
    gamma_lookup_table,
    max_filter,
    max_pool_brighten,
)
from keras_vision.evaluation.image_quality import mean_brightness, rms_contrast, sharpness

#: The `lowlight` experiment's default darkening (gamma 1.8, exposure 0.4, noise 0.01).
DARKENING = {"gamma": 1.8, "scale": 0.4, "noise": 0.01}

METHODS = {
    "maxpool": lambda x: max_pool_brighten(x, pool_size=3),
    "maxpool_each": lambda x: max_pool_brighten(x, pool_size=3, channels="each"),
    "maxpool_binning": lambda x: max_pool_brighten(x, pool_size=2, mode="binning"),
    "clahe": lambda x: clahe(x, clip_limit=2.0, tile_grid=4),
    "gamma": lambda x: gamma_correct(x, 0.5),
    "darken": lambda x: darken(x, **DARKENING, seed=1),
}


def keras_max_pool(image, size, *, strides, padding):
    """MaxPooling2D on one (H, W, C) float image."""
    layer = keras.layers.MaxPooling2D(pool_size=size, strides=strides, padding=padding)
    return np.asarray(layer(image[None].astype(np.float32)))[0]


def dark_photo(name="coffee", size=(60, 80)):
    """A real photograph, shrunk and darkened (uint8)."""
    photo = cv2.resize(load_sample_image(name), size[::-1], interpolation=cv2.INTER_AREA)
    return darken(photo, **DARKENING, seed=0)


def ycbcr_chroma(rgb):
    """Cb and Cr of ITU-R BT.601 for float RGB in [0, 1] (the closed form, not OpenCV)."""
    y = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    return np.stack([(rgb[..., 2] - y) * 0.564, (rgb[..., 0] - y) * 0.713], axis=-1)


# ---- max filter and block maxima -----------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_max_filter_is_keras_stride1_same_max_pooling(size):
    image = np.random.default_rng(size).random((7, 9, 3)).astype(np.float32)
    expected = keras_max_pool(image, size, strides=1, padding="same")
    np.testing.assert_array_equal(max_filter(image, size), expected)


def test_max_filter_keeps_uint8_and_grey_layout():
    image = np.random.default_rng(0).integers(0, 256, size=(6, 11), dtype=np.uint8)
    got = max_filter(image, 3)
    assert got.dtype == np.uint8 and got.shape == image.shape
    np.testing.assert_array_equal(got, max_pool2d(image, 3, stride=1, padding="same"))


@pytest.mark.parametrize("shape", [(7, 10), (7, 10, 3), (9, 9, 5)], ids=["grey", "rgb", "5-channels"])
@pytest.mark.parametrize("size", [2, 3])
def test_block_max_matches_skimage_block_reduce(shape, size):
    image = np.random.default_rng(size).integers(0, 256, size=shape, dtype=np.uint8)
    block = (size, size) + (1,) * (len(shape) - 2)
    np.testing.assert_array_equal(block_max(image, size), skimage.measure.block_reduce(image, block, np.max))


def test_block_max_is_keras_max_pooling_when_the_size_divides():
    image = np.random.default_rng(5).random((6, 8, 3)).astype(np.float32)
    np.testing.assert_array_equal(block_max(image, 2), keras_max_pool(image, 2, strides=2, padding="valid"))


# ---- max pooling brightening ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["filter", "binning"])
@pytest.mark.parametrize("channels", ["luminance", "each"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(20, 30), (20, 30, 1), (20, 30, 3)], ids=["grey", "grey1", "rgb"])
def test_max_pool_brighten_keeps_dtype_and_shape_and_raises_brightness(mode, channels, dtype, shape):
    image = dark_photo(size=shape[:2])
    image = image if len(shape) == 3 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).reshape(shape)
    image = image if dtype == np.uint8 else (image / 255.0).astype(dtype)
    got = max_pool_brighten(image, pool_size=3, mode=mode, channels=channels)
    assert got.dtype == dtype and got.shape == image.shape
    assert mean_brightness(got) > mean_brightness(image)


def test_max_pool_on_each_channel_never_darkens_a_pixel():
    image = dark_photo()
    got = max_pool_brighten(image, pool_size=3, channels="each")
    assert np.all(got >= image)


def test_max_pool_on_the_luminance_pools_the_luma_and_keeps_the_chroma():
    rng = np.random.default_rng(6)
    image = (0.3 + 0.2 * rng.random((12, 14, 3))).astype(np.float64)  # mid-range: nothing clips
    got = max_pool_brighten(image, pool_size=3)
    luma = 0.299 * image[..., 0] + 0.587 * image[..., 1] + 0.114 * image[..., 2]
    expected_luma = keras_max_pool(luma[..., None], 3, strides=1, padding="same")[..., 0]
    got_luma = 0.299 * got[..., 0] + 0.587 * got[..., 1] + 0.114 * got[..., 2]
    # OpenCV's YCrCb -> RGB rounds its coefficients to 3-4 digits: agreement within 1e-4 (0.03 / 255)
    np.testing.assert_allclose(got_luma, expected_luma, atol=1e-4)
    np.testing.assert_allclose(ycbcr_chroma(got), ycbcr_chroma(image), atol=1e-4)


def test_pooling_each_channel_invents_colours_the_luminance_keeps():
    image = np.zeros((1, 2, 3), np.float32)
    image[0, 0] = (0.6, 0.0, 0.0)  # red next to green
    image[0, 1] = (0.0, 0.6, 0.0)
    each = max_pool_brighten(image, pool_size=2, channels="each")
    np.testing.assert_allclose(each[0, 0], (0.6, 0.6, 0.0))  # yellow: in neither pixel
    luminance = max_pool_brighten(image, pool_size=2)
    assert luminance[0, 0, 0] > luminance[0, 0, 1]  # the red pixel stays red (brighter)


def test_binning_is_block_maxima_resized_back_bilinearly():
    image = dark_photo(size=(30, 45))
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    blocks = skimage.measure.block_reduce(grey, (3, 3), np.max)
    expected = cv2.resize(blocks, (45, 30), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(max_pool_brighten(grey, pool_size=3, mode="binning"), expected)


def test_binning_costs_more_detail_than_the_filter():
    image = dark_photo(size=(120, 160))
    filtered = max_pool_brighten(image, pool_size=3)
    binned = max_pool_brighten(image, pool_size=3, mode="binning")
    assert sharpness(binned) < sharpness(filtered) < sharpness(image)


def test_pool_size_one_returns_the_image():
    image = dark_photo()
    np.testing.assert_array_equal(max_pool_brighten(image, pool_size=1, channels="each"), image)


# ---- gamma and CLAHE -----------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.4, 1.0, 2.2])
def test_gamma_lookup_table_is_the_rounded_power_curve(gamma):
    expected = [round(255 * (v / 255) ** gamma) for v in range(256)]
    assert gamma_lookup_table(gamma).tolist() == expected


def test_gamma_correct_on_floats_is_the_power_and_on_uint8_the_table():
    image = np.random.default_rng(7).random((5, 6, 3))
    np.testing.assert_allclose(gamma_correct(image, 0.5), np.sqrt(image), atol=1e-6)
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    np.testing.assert_array_equal(gamma_correct(pixels, 0.5), gamma_lookup_table(0.5)[pixels])


def test_clahe_on_grey_is_opencv_clahe():
    grey = cv2.cvtColor(dark_photo(size=(64, 96)), cv2.COLOR_RGB2GRAY)
    expected = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(6, 2)).apply(grey)  # OpenCV: (columns, rows)
    np.testing.assert_array_equal(clahe(grey, clip_limit=3.0, tile_grid=(2, 6)), expected)


def test_clahe_on_colour_equalizes_the_lab_lightness_only():
    image = dark_photo()
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
    lab[..., 0] = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(lab[..., 0].copy())
    np.testing.assert_array_equal(clahe(image), cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))


def test_clahe_brightens_a_dark_photo_and_a_higher_clip_limit_adds_contrast():
    image = dark_photo(size=(120, 160))
    low, high = clahe(image, clip_limit=1.5), clahe(image, clip_limit=4.0)
    assert mean_brightness(low) > mean_brightness(image)
    assert rms_contrast(high) > rms_contrast(low)


def test_clahe_of_a_float_image_is_the_uint8_result_scaled():
    image = dark_photo()
    got = clahe(image / 255.0)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got * 255.0, clahe(image), atol=1e-3)


# ---- synthetic darkening -------------------------------------------------------------------------


def test_darken_without_noise_is_the_documented_curve_and_is_seeded():
    image = np.random.default_rng(8).random((10, 12, 3))
    np.testing.assert_allclose(darken(image, gamma=2.0, scale=0.5, noise=0.0), 0.5 * image**2, atol=1e-6)
    photo = load_sample_image("camera")
    np.testing.assert_array_equal(darken(photo, **DARKENING, seed=3), darken(photo, **DARKENING, seed=3))
    assert not np.array_equal(darken(photo, **DARKENING, seed=3), darken(photo, **DARKENING, seed=4))
    assert mean_brightness(darken(photo, **DARKENING)) < 0.5 * mean_brightness(photo)


# ---- bad input -----------------------------------------------------------------------------------

BAD_IMAGES = [
    (np.zeros((0, 5), np.uint8), "empty"),
    (np.zeros((5, 5, 2), np.uint8), r"grey \(H, W\) or \(H, W, 1\) or RGB \(H, W, 3\).*\(5, 5, 2\)"),
    (np.zeros((2, 5, 5, 3), np.uint8), r"\(2, 5, 5, 3\)"),
    (np.zeros((5, 5), np.int64), "uint8 .* or float .*int64"),
    (np.zeros((5, 5), bool), "dtype: bool"),
    (np.full((5, 5), np.nan), "NaN"),
    (np.full((5, 5), 2.0), r"\[0, 1\].*\[2, 2\]"),
]


@pytest.mark.parametrize("method", METHODS.values(), ids=METHODS.keys())
@pytest.mark.parametrize("image,message", BAD_IMAGES, ids=[m[:12] for _, m in BAD_IMAGES])
def test_bad_images_get_a_clear_error(method, image, message):
    with pytest.raises(ValueError, match=message):
        method(image)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda x: max_pool_brighten(x, pool_size=0), "pool_size.*positive integer.*0"),
        (lambda x: max_pool_brighten(x, pool_size=2.5), "pool_size.*2.5"),
        (lambda x: max_pool_brighten(x, mode="average"), "Unknown mode 'average'.*filter, binning"),
        (lambda x: max_pool_brighten(x, channels="rgb"), "Unknown channels 'rgb'.*luminance, each"),
        (lambda x: gamma_correct(x, 0), "gamma.*positive.*0"),
        (lambda x: gamma_correct(x, float("nan")), "gamma.*nan"),
        (lambda x: clahe(x, clip_limit=-1), "clip_limit.*positive.*-1"),
        (lambda x: clahe(x, tile_grid=(0, 4)), r"tile_grid.*\(0, 4\)"),
        (lambda x: darken(x, **{**DARKENING, "scale": 1.5}), r"scale.*\(0, 1\].*1.5"),
        (lambda x: max_filter(x[0, 0], 3), "non-empty"),
    ],
    ids=["pool0", "pool-float", "mode", "channels", "gamma0", "gamma-nan", "clip", "tiles", "scale", "filter-1d"],
)
def test_bad_parameters_get_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.zeros((8, 8, 3), np.uint8))
