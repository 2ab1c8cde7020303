"""Graded tests of ex09_gan (visible to students).

References come from the course library `keras_vision.gan` (`build_generator`,
`build_discriminator`, `discriminator_loss`, `generator_loss`) and from Keras (its optimizers and
gradient tape, in `graded_references.gan_train_step_reference`), never from the solution.
"""

import keras
import numpy as np
from graded_references import bright_squares, check_is_model, gan_train_step_reference

from keras_vision.gan import build_discriminator, build_generator, discriminator_loss, generator_loss
from keras_vision.grading.testkit.feedback import first_layer_difference
from keras_vision.grading.testkit.testing import describe, graded

#: Functions students write themselves: their code may not use these modules (or anything under them).
FORBIDDEN_FRAMEWORKS = ("keras_vision", "keras", "tensorflow", "tf_keras", "torch", "jax")
OWN_WORK = {
    "discriminator_loss_value": FORBIDDEN_FRAMEWORKS,
    "generator_loss_value": FORBIDDEN_FRAMEWORKS,
    "make_generator": ("keras_vision",),
    "make_discriminator": ("keras_vision",),
    "gan_train_step": ("keras_vision",),
}

LOGITS_REAL = np.array([[2.0], [-1.0], [0.5], [40.0]], np.float32)
LOGITS_FAKE = np.array([[0.3], [-2.0], [1.0], [-40.0]], np.float32)


def library_generator(latent_dim, width, upsampler):
    return build_generator(latent_dim, upsampler=upsampler, filters=(2 * width, width), base_filters=4 * width)


def noise(n, latent_dim, seed=0):
    return np.random.default_rng(seed).normal(size=(n, latent_dim)).astype(np.float32)


@graded(points=3)
def test_make_generator_transpose_layers(submission, checks):
    call = "make_generator(16, 8, 'transpose')"
    got = submission.make_generator(16, 8, "transpose")
    if not check_is_model(checks, got, call):
        return
    difference = first_layer_difference(got, library_generator(16, 8, "transpose"))
    checks.expect(difference is None, f"{call}: {difference}", weight=2)
    checks.expect(
        tuple(got.output.shape) == (None, 28, 28, 1),
        f"{call}: the output should be (None, 28, 28, 1), got {tuple(got.output.shape)}.",
    )


@graded(points=2)
def test_generator_images_are_in_minus1_1(submission, checks):
    got = submission.make_generator(16, 8, "transpose")
    if not check_is_model(checks, got, "make_generator(16, 8, 'transpose')"):
        return
    images = np.asarray(got(noise(6, 16) * 50.0))
    checks.expect(
        images.shape == (6, 28, 28, 1) and np.abs(images).max() <= 1.0,
        f"Generated images must be (6, 28, 28, 1) within [-1, 1] (a tanh output); got shape "
        f"{images.shape}, values in [{images.min():.3f}, {images.max():.3f}].",
    )
    checks.expect(
        np.abs(images).max() > 0.5,
        "Even for large noise the images stay near 0: is the last layer a tanh of a convolution?",
    )


@graded(points=3)
def test_make_discriminator_layers(submission, checks):
    call = "make_discriminator(8, 0.3)"
    got = submission.make_discriminator(8, 0.3)
    if not check_is_model(checks, got, call):
        return
    difference = first_layer_difference(got, build_discriminator((28, 28, 1), filters=(8, 16), dropout=0.3))
    checks.expect(difference is None, f"{call}: {difference}", weight=2)
    checks.expect(
        tuple(got.output.shape) == (None, 1), f"{call}: one logit per image, (None, 1); got {tuple(got.output.shape)}."
    )


@graded(points=3)
def test_discriminator_loss_value(submission, checks):
    expected = float(discriminator_loss(LOGITS_REAL, LOGITS_FAKE))
    got = submission.discriminator_loss_value(LOGITS_REAL, LOGITS_FAKE)
    swapped = float(discriminator_loss(LOGITS_FAKE, LOGITS_REAL))
    hint = (
        "Real images have target 1 and generated ones 0: did you swap them?"
        if isinstance(got, float) and abs(got - swapped) < 1e-4
        else "BCE(t, z) = max(z, 0) - t z + log(1 + exp(-|z|)); average over each batch, then add the two means."
    )
    checks.expect(
        isinstance(got, (float, np.floating)) and abs(float(got) - expected) < 1e-4,
        f"discriminator_loss_value(real, fake): expected {expected:.6f}, got {describe(got)}. {hint}",
        weight=2,
    )
    smoothed = float(discriminator_loss(LOGITS_REAL, LOGITS_FAKE, label_smoothing=0.1))
    got = submission.discriminator_loss_value(LOGITS_REAL, LOGITS_FAKE, 0.1)
    checks.expect(
        isinstance(got, (float, np.floating)) and abs(float(got) - smoothed) < 1e-4,
        f"discriminator_loss_value(real, fake, label_smoothing=0.1): expected {smoothed:.6f}, got "
        f"{describe(got)}. With smoothing, real images have target 0.9; generated ones keep 0.",
    )


@graded(points=2)
def test_generator_loss_value(submission, checks):
    expected = float(generator_loss(LOGITS_FAKE))
    got = submission.generator_loss_value(LOGITS_FAKE)
    checks.expect(
        isinstance(got, (float, np.floating)) and abs(float(got) - expected) < 1e-4,
        f"generator_loss_value(fake): expected {expected:.6f}, got {describe(got)}. The generator wants "
        "its images taken for real: target 1 (and the logit 40 must not overflow: use the stable form).",
    )


@graded(points=3)
def test_gan_train_step_losses_and_updates(submission, checks):
    keras.utils.set_random_seed(0)
    generator = library_generator(16, 4, "transpose")
    discriminator = build_discriminator((28, 28, 1), filters=(4, 8), dropout=0.0)
    real, z = bright_squares(8), noise(8, 16, seed=1)
    want_g, want_d, want_d_loss, want_g_loss = gan_train_step_reference(generator, discriminator, real, z, 0.05)
    got = submission.gan_train_step(generator, discriminator, real, z, 0.05)
    if not (isinstance(got, tuple) and len(got) == 4):
        checks.expect(
            False, f"gan_train_step should return (generator, discriminator, d_loss, g_loss); got {describe(got)}."
        )
        return
    got_g, got_d, got_d_loss, got_g_loss = got
    checks.expect(
        isinstance(got_d_loss, (float, np.floating)) and abs(float(got_d_loss) - want_d_loss) < 1e-4,
        f"d_loss: expected {want_d_loss:.6f}, got {describe(got_d_loss)} (computed before the update).",
    )
    checks.expect(
        isinstance(got_g_loss, (float, np.floating)) and abs(float(got_g_loss) - want_g_loss) < 1e-3,
        f"g_loss: expected {want_g_loss:.6f}, got {describe(got_g_loss)}: the generator's loss uses the "
        "discriminator AFTER its update, and the same noise.",
    )
    for what, got_model, want_model in (("discriminator", got_d, want_d), ("generator", got_g, want_g)):
        same = isinstance(got_model, keras.Model) and all(
            np.allclose(np.asarray(a), np.asarray(b), atol=1e-4)
            for a, b in zip(got_model.trainable_weights, want_model.trainable_weights)
        )
        checks.expect(same, f"The updated {what}'s trainable weights differ from one SGD(0.05) step on its loss.")


@graded(points=2)
def test_a_few_steps_lower_the_discriminator_loss_on_a_fixed_batch(submission, checks):
    keras.utils.set_random_seed(1)
    generator = library_generator(16, 4, "resize")
    discriminator = build_discriminator((28, 28, 1), filters=(4, 8), dropout=0.0)
    real, z = bright_squares(16, seed=2), noise(16, 16, seed=3)
    fake = np.asarray(generator(z, training=False))

    def loss_on_fixed_batch(d):
        return float(discriminator_loss(d(real, training=False), d(fake, training=False)))

    before = loss_on_fixed_batch(discriminator)
    for _ in range(4):
        step = submission.gan_train_step(generator, discriminator, real, z, 0.05)
        if not (isinstance(step, tuple) and len(step) == 4 and isinstance(step[1], keras.Model)):
            checks.expect(
                False, f"gan_train_step should return (generator, discriminator, d_loss, g_loss); got {describe(step)}."
            )
            return
        generator, discriminator = step[0], step[1]
    after = loss_on_fixed_batch(discriminator)
    checks.expect(
        after < before - 0.01,
        f"After 4 steps the discriminator's loss on a fixed batch of real and "
        f"generated images should fall: {before:.4f} -> {after:.4f}. Does the "
        "discriminator step descend its gradient and return the updated network?",
    )
