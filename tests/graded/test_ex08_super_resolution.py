"""Graded tests of ex08_super_resolution (visible to students).

References come from the course library, `keras_vision.superres` (`degrade`, `rgb_to_y`, `build_srcnn`,
`perceptual_loss`) and `keras_vision.evaluation.psnr_arrays`, and from the SRCNN paper's weight count,
never from the solution.
"""

import keras
import numpy as np
from graded_references import check_is_model, matches

from keras_vision.evaluation import psnr_arrays
from keras_vision.grading.testkit.feedback import first_layer_difference
from keras_vision.grading.testkit.testing import describe, graded
from keras_vision.superres import build_srcnn, degrade, rgb_to_y
from keras_vision.superres.losses import perceptual_loss

#: Functions students write themselves: their code may not use these modules (or anything under them).
OWN_WORK = {
    "psnr_arrays": (
        "keras_vision",
        "keras",
        "tensorflow",
        "tf_keras",
        "skimage",
        "cv2",
        "torch",
        "torchmetrics",
        "piq",
    ),
}

#: Kernel weights of the one-channel 9-1-5 SRCNN (Dong et al., TPAMI 2016, Sec. 4.3.2).
SRCNN_915_PAPER_WEIGHTS = 8_032


def smooth_image(height, width, seed=0):
    """A float RGB image in [0, 1] with structure at several scales."""
    import cv2

    noise = np.random.default_rng(seed).random((height // 3 + 1, width // 3 + 1, 3)).astype(np.float32)
    return np.clip(cv2.resize(noise, (width, height), interpolation=cv2.INTER_CUBIC), 0, 1)


def tiny_feature_model(seed=0):
    """A small stand-in for VGG16 features: two convolutions and a pooling."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    return keras.Model(inputs, keras.layers.Conv2D(5, 3, padding="same", activation="relu")(x))


@graded(points=1)
def test_degrade_crops_to_a_multiple_of_the_scale(submission, checks):
    got = submission.degrade(smooth_image(13, 17), 2)
    checks.expect_shape(got, (12, 16, 3), "degrade(13x17 image, 2): crop the last row and column first")


@graded(points=3)
def test_degrade_matches_the_library(submission, checks):
    image = smooth_image(24, 30, seed=1)
    got = submission.degrade(image, 2)
    expected = degrade(image, 2)
    hint = (
        "The result is the input itself: resize down AND back up."
        if matches(got, image)
        else "Use bicubic with antialias=True both ways, and clip to [0, 1] after each resize."
    )
    checks.expect_close(got, expected, "degrade(24x30 image, 2)", atol=1e-4, weight=3, hint=hint)


@graded(points=2)
def test_rgb_to_y_is_bt601(submission, checks):
    image = np.random.default_rng(2).random((5, 6, 3))
    got = submission.rgb_to_y(image)
    expected = rgb_to_y(image)
    hint = "Add the offset 16: Y of black is 16, of white 235." if matches(got, expected - 16) else ""
    checks.expect_close(got, expected, "rgb_to_y(5x6 RGB image)", hint=hint)


@graded(points=3)
def test_psnr_arrays_matches_the_definition(submission, checks):
    hr = rgb_to_y(smooth_image(20, 20, seed=3))
    rng = np.random.default_rng(4)
    for noise in (1.0, 5.0):
        noisy = hr + rng.normal(0, noise, hr.shape)
        got, expected = submission.psnr_arrays(noisy, hr), psnr_arrays(noisy, hr)
        checks.expect(
            isinstance(got, (float, np.floating)) and abs(float(got) - expected) < 1e-6,
            f"psnr_arrays(Y, Y + noise of std {noise}): expected {expected:.4f} dB, got {describe(got)}. "
            "10 * log10(255 ** 2 / MSE), MSE the mean of the squared differences.",
        )
    unit = smooth_image(10, 10)
    got = submission.psnr_arrays(unit * 0.9, unit, data_range=1.0)
    expected = psnr_arrays(unit * 0.9, unit, data_range=1.0)
    checks.expect(
        isinstance(got, (float, np.floating)) and abs(float(got) - expected) < 1e-6,
        f"psnr_arrays(..., data_range=1.0) for images in [0, 1]: expected {expected:.4f} dB, got {describe(got)}.",
    )
    got = submission.psnr_arrays(hr, hr)
    checks.expect(got == float("inf"), f"psnr_arrays(Y, Y) of identical images should be inf, got {describe(got)}.")


@graded(points=3)
def test_build_srcnn_layers(submission, checks):
    got = submission.build_srcnn()
    if not check_is_model(checks, got, "build_srcnn()"):
        return
    difference = first_layer_difference(got, build_srcnn())
    checks.expect(difference is None, f"build_srcnn(): {difference}")
    checks.expect(
        tuple(got.output.shape) == (None, None, None, 3),
        f"build_srcnn(): the output should be (None, None, None, 3) like the input, got {tuple(got.output.shape)}.",
    )


@graded(points=1)
def test_build_srcnn_has_the_papers_weight_count(submission, checks):
    got = submission.build_srcnn((None, None, 1))
    if not check_is_model(checks, got, "build_srcnn((None, None, 1))"):
        return
    kernels = sum(int(np.prod(layer.kernel.shape)) for layer in got.layers if hasattr(layer, "kernel"))
    checks.expect(
        kernels == SRCNN_915_PAPER_WEIGHTS,
        f"build_srcnn((None, None, 1)): the paper's 9-1-5 network has {SRCNN_915_PAPER_WEIGHTS:,} kernel "
        f"weights (9*9*64 + 64*32 + 5*5*32), got {kernels:,}.",
    )


@graded(points=3)
def test_perceptual_loss_matches_the_library(submission, checks):
    features = tiny_feature_model()
    y_true = np.stack([smooth_image(16, 16, seed=s) for s in (5, 6)])
    y_pred = np.stack([smooth_image(16, 16, seed=s) for s in (7, 8)])
    for weight in (0.0, 0.5):
        got = submission.perceptual_loss(y_true, y_pred, features, feature_weight=weight)
        expected = np.asarray(perceptual_loss(y_true, y_pred, features, feature_weight=weight))
        hint = (
            "With feature_weight=0 it is the per-image MSE: average over axes (1, 2, 3), not over the batch."
            if weight == 0
            else "Compare features(y_true) with features(y_pred), averaged per image, times feature_weight."
        )
        checks.expect_close(
            got,
            expected,
            f"perceptual_loss(2 images, tiny feature model, feature_weight={weight})",
            atol=1e-5,
            hint=hint,
        )
