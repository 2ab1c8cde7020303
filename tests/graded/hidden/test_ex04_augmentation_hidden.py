"""Hidden graded tests of ex04_augmentation: other settings, grey images, rescaling, another batch.

Students see only the status and points of these tests; `after_due_date` ones appear after the
deadline. References come from Keras' `ImageDataGenerator` and `keras_vision.augment`, as in the
visible tests.
"""

import numpy as np
import pytest
import tensorflow as tf
from graded_references import check_first_batch, check_settings, colour_images

from keras_vision.augment import AugmentConfig, gaussian_noise
from keras_vision.grading.testkit.testing import graded

ImageDataGenerator = tf.keras.preprocessing.image.ImageDataGenerator
# Keras' legacy generator calls SciPy through a deprecated namespace; not the student's doing.
pytestmark = pytest.mark.filterwarnings("ignore:Please import `affine_transform`:DeprecationWarning")


@graded(points=1, visibility="hidden")
def test_generator_settings_without_flip_and_with_larger_ranges(submission, checks):
    check_settings(checks, submission, (30, 0.2, 0.25), {"horizontal_flip": False})


@graded(points=1, visibility="hidden")
def test_add_gaussian_noise_on_a_grey_image_in_unit_range(submission, checks):
    image = np.random.default_rng(8).random((10, 14, 1)).astype(np.float32)
    checks.expect_close(
        submission.add_gaussian_noise(image, 0.05, 7),
        gaussian_noise(0.05, seed=7)(image),
        "add_gaussian_noise(10x14x1 image, stddev=0.05, seed=7)",
        atol=1e-5,
    )


@graded(points=1, visibility="hidden")
def test_featurewise_statistics_of_rescaled_grey_images(submission, checks):
    images = colour_images(25, 9, 7, channels=1, seed=9)
    generator = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True, rescale=1 / 255)
    generator.fit(images)
    got = submission.featurewise_statistics(images, rescale=1 / 255)
    ok = isinstance(got, (tuple, list)) and len(got) == 2
    call = "featurewise_statistics(25 grey images, rescale=1/255)"
    checks.expect_close(got[0] if ok else got, generator.mean, f"{call}: mean", rtol=1e-5, atol=1e-6)
    checks.expect_close(got[1] if ok else got, generator.std, f"{call}: std", rtol=1e-5, atol=1e-6)


@graded(points=1, visibility="after_due_date")
def test_first_augmented_batch_with_shear_and_vertical_flip(submission, checks):
    config = AugmentConfig(
        rotation_range=40, shear_range=15, vertical_flip=True, fill_mode="reflect", featurewise_center=True
    )
    check_first_batch(checks, submission, config, count=9, batch_size=5, seed=11)
