"""Graded tests of ex04_augmentation (visible to students).

Each test calls the student's function through the `submission` fixture (it runs in a separate
worker process; generators cannot cross that boundary, so the functions return plain settings,
arrays and statistics) and compares the result with Keras' own `ImageDataGenerator` (`fit`,
`standardize`, the attributes it sets) or with the course library `keras_vision.augment`
(`AugmentConfig`, `image_data_generator`, `gaussian_noise`, `generator_batch`).
"""

import numpy as np
import pytest
import tensorflow as tf
from graded_references import check_first_batch, check_settings, colour_images, course_config, matches

from keras_vision.augment import gaussian_noise
from keras_vision.grading.testkit.testing import describe, graded

ImageDataGenerator = tf.keras.preprocessing.image.ImageDataGenerator
# Keras' legacy generator calls SciPy through a deprecated namespace; not the student's doing.
pytestmark = pytest.mark.filterwarnings("ignore:Please import `affine_transform`:DeprecationWarning")

#: Functions students write themselves, and the modules and attributes their code may not use.
OWN_WORK = {
    "generator_settings": ("keras_vision",),
    "add_gaussian_noise": ("keras_vision", "keras.layers.GaussianNoise"),
    "featurewise_statistics": ("keras_vision", "tensorflow.keras.preprocessing", "keras.src.legacy.preprocessing"),
    "standardize_images": ("keras_vision", "tensorflow.keras.preprocessing", "keras.src.legacy.preprocessing"),
    "first_augmented_batch": ("keras_vision",),
}


@graded(points=3)
def test_generator_settings_build_the_described_generator(submission, checks):
    check_settings(checks, submission, (15, 0.1, 0.1))


@graded(points=2)
def test_add_gaussian_noise_matches_the_library(submission, checks):
    image = colour_images(1, 16, 16, seed=1)[0].astype(np.float32)
    got = submission.add_gaussian_noise(image, 10.0, 0)
    expected = gaussian_noise(10.0, seed=0)(image)
    call = "add_gaussian_noise(16x16x3 image, stddev=10.0, seed=0)"
    checks.expect(getattr(got, "dtype", None) == np.float32, f"{call}: expected float32, got {describe(got)}.")
    hint = ""
    if matches(got, np.clip(expected, 0, 255), atol=1e-3):
        hint = "Do not clip the result."
    elif matches(got, image + np.random.default_rng(0).normal(0.0, 100.0, image.shape), atol=1e-3):
        hint = "stddev is the standard deviation (normal's `scale`), not the variance."
    checks.expect_close(
        got,
        expected,
        f"{call} compared with image + np.random.default_rng(0).normal(0.0, 10.0, image.shape)",
        atol=1e-3,
        hint=hint or "Draw the noise with np.random.default_rng(seed).normal(0.0, stddev, size=image.shape).",
    )


@graded(points=2)
def test_add_gaussian_noise_has_the_requested_deviation_and_keeps_the_input(submission, checks):
    image = np.full((64, 64, 3), 128.0, dtype=np.float32)
    got = submission.add_gaussian_noise(image, 5.0, 3)
    call = "add_gaussian_noise(flat grey 64x64x3 image, stddev=5.0, seed=3)"
    if not checks.expect_shape(got, image.shape, call):
        return
    noise = np.asarray(got, dtype=np.float64) - 128.0
    checks.expect(abs(noise.mean()) < 0.3, f"{call}: the noise should average 0, it averages {noise.mean():.3f}.")
    checks.expect(
        4.8 < noise.std() < 5.2, f"{call}: the noise should have standard deviation 5.0, it has {noise.std():.3f}."
    )
    checks.expect(np.all(image == 128.0), f"{call}: the input image was modified; add the noise to a new array.")


@graded(points=3)
def test_featurewise_statistics_equal_image_data_generator_fit(submission, checks):
    images = colour_images(40, seed=2)
    got = submission.featurewise_statistics(images)
    generator = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    generator.fit(images)
    call = "featurewise_statistics(40 colour images)"
    if not checks.expect(
        isinstance(got, (tuple, list)) and len(got) == 2, f"{call}: return (mean, std), got {describe(got)}."
    ):
        return
    mean, std = got
    hint = ""
    if matches(np.ravel(mean), images.mean(axis=(0, 1, 2))) and np.shape(mean) != (1, 1, 3):
        hint = "Reshape to (1, 1, C) so that the statistics broadcast over (N, H, W, C) images."
    elif matches(np.shape(mean), (40, 1, 1, 3)) or np.size(mean) == 40:
        hint = "Average over the images too: axes (0, 1, 2)."
    checks.expect_close(
        mean, generator.mean, f"{call}: mean compared with ImageDataGenerator.fit", rtol=1e-5, atol=1e-3, hint=hint
    )
    checks.expect_close(
        std,
        generator.std,
        f"{call}: std compared with ImageDataGenerator.fit",
        rtol=1e-5,
        atol=1e-3,
        weight=2,
        hint=hint or "The standard deviation is over axes (0, 1, 2) too, one value per channel.",
    )


@graded(points=2)
def test_standardize_images_matches_image_data_generator(submission, checks):
    train, test = colour_images(30, seed=3), colour_images(4, seed=4)
    generator = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    generator.fit(train)
    expected = np.stack([generator.standardize(image.astype(np.float32)) for image in test])
    got = submission.standardize_images(test, generator.mean, generator.std)
    hint = (
        "Divide by (std + EPSILON) after subtracting the mean."
        if matches(got, test - generator.mean, atol=1e-3)
        else ""
    )
    checks.expect_close(
        got,
        expected,
        "standardize_images(4 test images, training mean, training std) compared with ImageDataGenerator.standardize",
        atol=1e-4,
        hint=hint,
    )


@graded(points=4)
def test_first_augmented_batch_matches_the_library(submission, checks):
    check_first_batch(checks, submission, course_config(15, 0.1, 0.1), count=12, batch_size=8, seed=1)
