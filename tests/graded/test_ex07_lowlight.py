"""Graded tests of ex07_lowlight (visible to students).

Each test calls the student's function through the `submission` fixture (it runs in a separate
worker process) and compares the result with the course library: `keras_vision.evaluation.
image_quality` (luma, brightness, contrast, entropy), `keras_vision.enhance` (`max_filter`,
`block_max`, `gamma_lookup_table`, `clahe`), or OpenCV itself for the hints. The images are real
photographs embedded in scikit-image, shrunk and darkened.
"""

import numpy as np
from graded_references import (
    clahe_each_channel,
    clahe_from_bgr,
    dark_photo,
    matches,
    max_filter_centred,
    repeated_block_max,
)

from keras_vision.enhance import clahe, gamma_lookup_table, max_filter
from keras_vision.evaluation.image_quality import entropy, luma, mean_brightness, rms_contrast
from keras_vision.grading.testkit.testing import describe, graded

#: Functions the student writes with NumPy, and what their code may not call to do it.
OWN_WORK = {
    "luma": ("keras_vision", "cv2.cvtColor", "skimage.color"),
    "mean_brightness": ("keras_vision",),
    "rms_contrast": ("keras_vision",),
    "max_filter": ("keras_vision", "cv2.dilate", "cv2.morphologyEx", "scipy.ndimage", "skimage", "tensorflow", "keras"),
    "bin_brighten": ("keras_vision", "cv2", "skimage.measure", "tensorflow", "keras"),
    "gamma_lookup_table": ("keras_vision", "skimage.exposure"),
    "clahe_on_lightness": ("keras_vision",),
    "entropy": ("keras_vision", "skimage.measure", "scipy.stats"),
}


def as_float(value):
    """`value` as a Python float, or None when it is not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@graded(points=2)
def test_luma_weights_the_channels_and_scales_uint8(submission, checks):
    photo = dark_photo("coffee", (24, 32))
    got = submission.luma(photo)
    call = "luma(uint8 RGB photo of shape (24, 32, 3))"
    hint = ""
    if matches(got, photo.mean(axis=2) / 255.0):
        hint = "You averaged R, G and B equally; the luma weights them 0.299, 0.587, 0.114."
    elif matches(got, luma(photo) * 255.0, atol=1e-2):
        hint = "Divide uint8 values by 255: the luma is in [0, 1]."
    checks.expect_close(got, luma(photo), call, hint=hint)
    grey = dark_photo("camera", (10, 12)) / 255.0
    checks.expect_close(submission.luma(grey), luma(grey), "luma(float grey image (10, 12))")


@graded(points=2)
def test_mean_brightness_and_rms_contrast(submission, checks):
    photo = dark_photo("chelsea", (30, 40))
    for name, reference in (("mean_brightness", mean_brightness), ("rms_contrast", rms_contrast)):
        got, expected = as_float(getattr(submission, name)(photo)), reference(photo)
        checks.expect(
            got is not None and abs(got - expected) < 1e-5,
            f"{name}(dark uint8 RGB photo): expected {expected:.6f} (from the luma in [0, 1]), got {got}.",
        )


@graded(points=3)
def test_max_filter_keeps_the_size_and_takes_window_maxima(submission, checks):
    image = np.random.default_rng(0).random((7, 9)).astype(np.float32)
    got = submission.max_filter(image, 3)
    call = "max_filter(7x9 float image, 3)"
    if checks.expect_shape(got, image.shape, f"{call}: stride 1 with 'same' padding keeps the size"):
        checks.expect_close(
            got, max_filter(image, 3), f"{call} compared with MaxPooling2D(3, strides=1, padding='same')", weight=2
        )
    photo = dark_photo("camera", (12, 16))
    got = submission.max_filter(photo, 3)
    checks.expect(
        getattr(got, "dtype", None) == np.uint8, f"max_filter(uint8 image, 3) should return uint8, got {describe(got)}."
    )


@graded(points=1)
def test_max_filter_places_an_even_window_like_keras(submission, checks):
    image = np.random.default_rng(1).integers(0, 200, size=(6, 8)).astype(np.float32)
    got = submission.max_filter(image, 2)
    hint = ""
    if matches(got, max_filter_centred(image, 2)):
        hint = (
            "Your 2x2 window starts one pixel before; Keras puts it at the pixel and the one after "
            "((size - 1) // 2 before)."
        )
    checks.expect_close(got, max_filter(image, 2), "max_filter(6x8 image, 2)", hint=hint)


@graded(points=2)
def test_bin_brighten_repeats_each_block_maximum(submission, checks):
    photo = dark_photo("coins", (12, 16))
    got = submission.bin_brighten(photo, 2)
    call = "bin_brighten(12x16 grey uint8 image, 2)"
    if checks.expect_shape(got, photo.shape, f"{call}: repeat each block maximum 2 times along both axes"):
        checks.expect_close(got, repeated_block_max(photo, 2), call)


@graded(points=2)
def test_gamma_lookup_table(submission, checks):
    got = submission.gamma_lookup_table(0.5)
    hint = ""
    if matches(got, gamma_lookup_table(2.0)):
        hint = "That is the curve of 1 / gamma: entry v is 255 * (v / 255) ** gamma."
    elif matches(got, np.floor(255.0 * (np.arange(256) / 255.0) ** 0.5)):
        hint = "Round to the nearest integer before converting to uint8 (astype truncates)."
    checks.expect_close(got, gamma_lookup_table(0.5), "gamma_lookup_table(0.5)", hint=hint)
    checks.expect(
        getattr(got, "dtype", None) == np.uint8, f"gamma_lookup_table(0.5) should be uint8, got {describe(got)}."
    )


@graded(points=3)
def test_clahe_on_lightness_matches_the_library(submission, checks):
    photo = dark_photo("coffee", (64, 96))
    got = submission.clahe_on_lightness(photo)
    hint = ""
    if matches(got, clahe_each_channel(photo, 2.0, 8)):
        hint = "You equalized R, G and B separately, which changes the colours: equalize only L of LAB."
    elif matches(got, clahe_from_bgr(photo, 2.0, 8)):
        hint = "The image is RGB: convert with cv2.COLOR_RGB2LAB and back with cv2.COLOR_LAB2RGB."
    checks.expect_close(got, clahe(photo), "clahe_on_lightness(dark RGB photo 64x96)", atol=0.5, weight=2, hint=hint)
    checks.expect(
        getattr(got, "dtype", None) == np.uint8, f"clahe_on_lightness should return uint8, got {describe(got)}."
    )


@graded(points=1)
def test_entropy_of_a_dark_photo(submission, checks):
    photo = dark_photo("camera", (40, 40))
    got, expected = as_float(submission.entropy(photo)), entropy(photo)
    checks.expect(
        got is not None and abs(got - expected) < 1e-6,
        f"entropy(dark grey uint8 photo): expected {expected:.6f} bits, got {got}.",
    )
