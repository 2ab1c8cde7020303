"""Hidden graded tests of ex08_super_resolution: scale 3, the 9-5-5 residual model, VGG16 features.

References come from `keras_vision.superres`, `keras_vision.evaluation.psnr_arrays` and Keras, as in the
visible tests.
"""

import keras
import numpy as np
from graded_references import check_is_model

from keras_vision.evaluation import psnr_arrays
from keras_vision.grading.testkit.feedback import first_layer_difference
from keras_vision.grading.testkit.testing import describe, graded
from keras_vision.superres import build_srcnn, degrade, modcrop, rgb_to_y
from keras_vision.superres.losses import perceptual_loss


def photo(seed, height=22, width=29):
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 1, height * width * 3).reshape(height, width, 3)
    return np.clip(base + rng.normal(0, 0.1, base.shape), 0, 1).astype(np.float32)


@graded(points=1, visibility="hidden")
def test_degrade_scale_three(submission, checks):
    image = photo(1)
    checks.expect_close(submission.degrade(image, 3), degrade(image, 3), "degrade(22x29 image, 3)", atol=1e-4)


@graded(points=1, visibility="hidden")
def test_psnr_arrays_of_bicubic_on_y(submission, checks):
    image = photo(2)
    y_low, y_high = rgb_to_y(degrade(image, 2)), rgb_to_y(modcrop(image, 2))
    got, expected = submission.psnr_arrays(y_low, y_high), psnr_arrays(y_low, y_high)
    checks.expect(
        isinstance(got, (float, np.floating)) and abs(float(got) - expected) < 1e-6,
        f"psnr_arrays(Y of bicubic, Y of HR): expected {expected:.4f}, got {describe(got)}.",
    )


@graded(points=1, visibility="hidden")
def test_build_srcnn_955_residual_grey(submission, checks):
    got = submission.build_srcnn((None, None, 1), layout="9-5-5", residual=True)
    if check_is_model(checks, got, "build_srcnn((None, None, 1), layout='9-5-5', residual=True)"):
        difference = first_layer_difference(got, build_srcnn((None, None, 1), layout="9-5-5", residual=True))
        checks.expect(difference is None, f"build_srcnn 9-5-5 residual: {difference}")


@graded(points=1, visibility="hidden")
def test_perceptual_loss_with_vgg16_features(submission, checks):
    keras.utils.set_random_seed(3)
    vgg = keras.applications.VGG16(include_top=False, weights=None, input_shape=(None, None, 3))
    features = keras.Model(vgg.input, vgg.get_layer("block1_conv2").output)
    y_true, y_pred = np.stack([photo(4, 16, 16), photo(5, 16, 16)]), np.stack([photo(6, 16, 16), photo(7, 16, 16)])
    got = submission.perceptual_loss(y_true, y_pred, features, feature_weight=0.01)
    expected = np.asarray(perceptual_loss(y_true, y_pred, features, feature_weight=0.01))
    checks.expect_close(
        got, expected, "perceptual_loss(VGG16 block1_conv2 features, feature_weight=0.01)", atol=1e-4, rtol=1e-4
    )
