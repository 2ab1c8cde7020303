"""Hidden graded tests of ex09_gan: the resize generator, other sizes, label smoothing in the step.

References come from `keras_vision.gan` and Keras, as in the visible tests.
"""

import numpy as np
from graded_references import bright_squares, check_is_model, gan_train_step_reference

from keras_vision.gan import build_discriminator, build_generator
from keras_vision.grading.testkit.feedback import first_layer_difference
from keras_vision.grading.testkit.testing import describe, graded


@graded(points=1, visibility="hidden")
def test_make_generator_resize_other_sizes(submission, checks):
    got = submission.make_generator(32, 4, "resize")
    if check_is_model(checks, got, "make_generator(32, 4, 'resize')"):
        reference = build_generator(32, upsampler="resize", filters=(8, 4), base_filters=16)
        difference = first_layer_difference(got, reference)
        checks.expect(difference is None, f"make_generator(32, 4, 'resize'): {difference}")


@graded(points=1, visibility="hidden")
def test_gan_train_step_with_label_smoothing(submission, checks):
    generator = build_generator(8, upsampler="resize", filters=(8, 4), base_filters=16)
    discriminator = build_discriminator((28, 28, 1), filters=(4, 8), dropout=0.0)
    real = bright_squares(6, seed=4)
    z = np.random.default_rng(5).normal(size=(6, 8)).astype(np.float32)
    _, _, want_d_loss, _ = gan_train_step_reference(generator, discriminator, real, z, 0.02, label_smoothing=0.2)
    got = submission.gan_train_step(generator, discriminator, real, z, 0.02, 0.2)
    ok = isinstance(got, tuple) and len(got) == 4 and isinstance(got[2], (float, np.floating))
    checks.expect(
        ok and abs(float(got[2]) - want_d_loss) < 1e-4,
        f"gan_train_step(..., label_smoothing=0.2): d_loss expected {want_d_loss:.6f}, got "
        f"{describe(got[2] if ok else got)}.",
    )
