"""Graded tests of ex06_upsampling (visible to students).

References come from Keras itself (`Conv2DTranspose` with the same weights) and from the course
library `keras_vision.upsample` (`zero_insert`, `build_upsampler`,
`phase_energy_share`), never from the solution.
"""

import keras
import numpy as np
from graded_references import check_is_model, conv2d_transpose_reference, matches

from keras_vision.grading.testkit.feedback import first_layer_difference
from keras_vision.grading.testkit.testing import describe, graded
from keras_vision.upsample import build_upsampler, phase_energy_share, zero_insert

#: Functions students write themselves: their code may not use these modules (or anything under them).
FORBIDDEN_FRAMEWORKS = ("keras_vision", "keras", "tensorflow", "tf_keras", "torch", "jax")
OWN_WORK = {
    "zero_insert": FORBIDDEN_FRAMEWORKS,
    "conv2d_transpose": FORBIDDEN_FRAMEWORKS + ("scipy.signal", "scipy.ndimage"),
}


def random_array(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


@graded(points=3)
def test_zero_insert_places_pixels_stride_apart(submission, checks):
    image = np.arange(1, 13, dtype=np.float32).reshape(3, 4)
    got = submission.zero_insert(image, 2)
    call = "zero_insert(3x4 image, stride=2)"
    expected = zero_insert(image, 2)
    checks.expect_shape(got, expected.shape, f"{call}: (H - 1) * stride + 1 rows and (W - 1) * stride + 1 columns")
    checks.expect_close(
        got,
        expected,
        call,
        weight=2,
        hint="Pixel (i, j) of the input goes to (i * stride, j * stride); everything else stays 0.",
    )


@graded(points=2)
def test_transpose_output_size_matches_keras(submission, checks):
    for size, kernel, stride, padding in [
        (5, 3, 2, "valid"),
        (5, 3, 2, "same"),
        (4, 2, 3, "valid"),
        (7, 5, 1, "valid"),
    ]:
        got = submission.transpose_output_size(size, kernel, stride=stride, padding=padding)
        expected = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding).compute_output_shape(
            (None, size, size, 1)
        )[1]
        checks.expect(
            got == expected,
            f"transpose_output_size({size}, {kernel}, stride={stride}, padding={padding!r}): "
            f"Conv2DTranspose gives {expected}, got {describe(got)}.",
        )


@graded(points=2)
def test_conv2d_transpose_one_channel_valid(submission, checks):
    image, kernel = random_array(4, 5, seed=1), random_array(3, 3, seed=2)
    got = submission.conv2d_transpose(image, kernel, stride=2)
    expected = conv2d_transpose_reference(image, kernel, stride=2, padding="valid")
    unflipped = conv2d_transpose_reference(image, kernel[::-1, ::-1], stride=2, padding="valid")
    hint = (
        "Flip the kernel (kernel[::-1, ::-1]) before sliding it over the padded, zero-inserted image."
        if matches(got, unflipped)
        else "Zero-insert, pad kernel_size - 1 on each side (plus stride - 1 at the end), then convolve."
    )
    checks.expect_close(
        got,
        expected,
        "conv2d_transpose(4x5 image, 3x3 kernel, stride=2) compared with keras.layers.Conv2DTranspose",
        atol=1e-4,
        hint=hint,
    )


@graded(points=3)
def test_conv2d_transpose_channels_and_bias(submission, checks):
    image, kernel, bias = random_array(5, 4, 3, seed=3), random_array(4, 4, 2, 3, seed=4), random_array(2, seed=5)
    got = submission.conv2d_transpose(image, kernel, bias, stride=2, padding="valid")
    expected = conv2d_transpose_reference(image, kernel, bias, stride=2, padding="valid")
    no_bias = conv2d_transpose_reference(image, kernel, stride=2, padding="valid")
    hint = (
        "Add bias[o] to every pixel of output channel o."
        if matches(got, no_bias)
        else "Output channel o sums over ALL input channels c with kernel[:, :, o, c]."
    )
    checks.expect_close(
        got, expected, "conv2d_transpose(5x4x3 image, 4x4x2x3 kernel, bias, stride=2)", atol=1e-4, weight=3, hint=hint
    )


@graded(points=2)
def test_build_transpose_upsampler_layers(submission, checks):
    got = submission.build_transpose_upsampler((16, 16, 8), 8, 3, 2)
    call = "build_transpose_upsampler((16, 16, 8), 8, 3, 2)"
    if not check_is_model(checks, got, call):
        return
    difference = first_layer_difference(
        got, build_upsampler("transpose", (16, 16, 8), filters=8, factor=2, kernel_size=3)
    )
    checks.expect(difference is None, f"{call}: {difference}")
    checks.expect(
        tuple(got.output.shape) == (None, 32, 32, 8),
        f"{call}: the output should be (None, 32, 32, 8), got {tuple(got.output.shape)}.",
    )


@graded(points=2)
def test_build_resize_upsampler_layers(submission, checks):
    got = submission.build_resize_upsampler((16, 16, 8), 8, "bilinear", 2)
    call = "build_resize_upsampler((16, 16, 8), 8, 'bilinear', 2)"
    if not check_is_model(checks, got, call):
        return
    difference = first_layer_difference(
        got, build_upsampler("resize", (16, 16, 8), filters=8, factor=2, interpolation="bilinear")
    )
    checks.expect(difference is None, f"{call}: {difference}")
    resize = [layer for layer in got.layers if isinstance(layer, keras.layers.UpSampling2D)]
    checks.expect(
        bool(resize) and resize[0].interpolation == "bilinear",
        f"{call}: UpSampling2D should use interpolation='bilinear'.",
    )


@graded(points=2)
def test_phase_energy_share(submission, checks):
    checkerboard = (np.indices((8, 8)).sum(axis=0) % 2 * 2.0 - 1.0)[None, :, :, None]
    for what, outputs in [
        ("a +-1 checkerboard", checkerboard),
        ("a constant image", np.full((1, 8, 8, 1), 2.0)),
        (
            "a transposed-convolution upsampler's response to ones",
            np.asarray(build_upsampler("transpose", (9, 9, 2), filters=3)(np.ones((2, 9, 9, 2), np.float32))),
        ),
    ]:
        got = submission.phase_energy_share(outputs, 2)
        expected = phase_energy_share(outputs, 2)
        checks.expect(
            isinstance(got, (float, int, np.floating)) and abs(float(got) - expected) < 1e-6,
            f"phase_energy_share({what}, 2): expected {expected:.6f}, got {describe(got)}.",
        )
