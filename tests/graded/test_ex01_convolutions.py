"""Graded tests of ex01_convolutions (visible to students).

Each test calls the student's function through the `submission` fixture (it runs in a separate
worker process) and compares the result with the library (`keras_vision.convolution`,
`keras_vision.models.build_classic_cnn`), Keras itself, or the official parameter counts.
"""

import keras
import numpy as np
from graded_references import CLASSIC_CNN_PARAMETERS, average_pool, conv2d_reference, matches, stack_output_shape

from keras_vision.convolution import VERTICAL_EDGE_KERNEL, convolve2d, max_pool2d, output_size
from keras_vision.grading.testkit.feedback import first_layer_difference, model_layers
from keras_vision.grading.testkit.testing import describe, graded
from keras_vision.models import build_classic_cnn as reference_classic_cnn

CLASSIC_STACK = [("conv", 64, 3), ("pool", 2), ("conv", 64, 3), ("pool", 2)]

#: The sliding window and the pooling must be the student's own loops: no library convolution or pooling
#: (the course library's reference included). Checked on the source by the grader
#: (keras_vision.grading.testkit.ownwork) and at run time in the worker (keras_vision.grading.sandbox.guard).
OWN_WORK = {
    "apply_filter": (
        "keras_vision",
        "tensorflow",
        "keras",
        "scipy.signal",
        "scipy.ndimage",
        "torch",
        "jax",
        "cv2",
        "skimage",
    ),
    "max_pool": (
        "keras_vision",
        "tensorflow",
        "keras",
        "scipy.signal",
        "scipy.ndimage",
        "torch",
        "jax",
        "cv2",
        "skimage",
    ),
}


def grey_images(count: int, height: int, width: int, seed: int = 0) -> np.ndarray:
    """Random uint8 images that use the full 0..255 range."""
    images = np.random.default_rng(seed).integers(0, 256, size=(count, height, width), dtype=np.uint8)
    images[0, 0, 0], images[-1, -1, -1] = 255, 0
    return images


def largest_value(array):
    """The maximum of a numeric array, or None for anything else."""
    try:
        return float(np.max(np.asarray(array, dtype=np.float64)))
    except (TypeError, ValueError):
        return None


@graded(points=2)
def test_normalize_images_scales_to_unit_range_and_adds_channel(submission, checks):
    images = grey_images(4, 28, 28)
    got = submission.normalize_images(images)
    call = "normalize_images(uint8 images of shape (4, 28, 28))"
    checks.expect_shape(got, (4, 28, 28, 1), f"{call}: add a channel axis at the end")
    checks.expect(getattr(got, "dtype", None) == np.float32, f"{call}: expected dtype float32, got {describe(got)}.")
    top = largest_value(got)
    checks.expect(
        top is not None and top <= 1.0,
        f"{call}: pixel values go up to {top}; they should be at most 1: did you divide by 255?",
    )
    checks.expect_close(got, images[..., None] / 255.0, call)


@graded(points=3)
def test_apply_filter_matches_keras_conv2d(submission, checks):
    rng = np.random.default_rng(1)
    image = rng.random((8, 8)).astype(np.float32)
    kernel = rng.normal(size=(3, 3)).astype(np.float32)
    got = submission.apply_filter(image, kernel)
    expected = conv2d_reference(image, kernel)
    flipped = matches(got, conv2d_reference(image, kernel[::-1, ::-1]))
    call = "apply_filter(8x8 image, 3x3 kernel)"
    checks.expect_shape(got, expected.shape, f"{call}: without padding the 3x3 window fits 6 times across 8 pixels")
    checks.expect_close(
        got,
        expected,
        f"{call} compared with keras.layers.Conv2D using the same kernel",
        weight=2,
        hint="You flipped the kernel (a true convolution); Conv2D slides it unflipped." if flipped else "",
    )


@graded(points=1)
def test_apply_filter_finds_a_vertical_edge(submission, checks):
    image = np.zeros((6, 6), dtype=np.float32)
    image[:, :3] = 1.0  # bright on the left, dark on the right
    got = submission.apply_filter(image, VERTICAL_EDGE_KERNEL)
    checks.expect_close(
        got,
        convolve2d(image, VERTICAL_EDGE_KERNEL),
        "apply_filter(left-bright image, vertical-edge kernel)",
        hint="Bright-on-the-left edges must give positive values: do not flip the kernel.",
    )


@graded(points=1)
def test_vertical_edge_kernel(submission, checks):
    got = submission.vertical_edge_kernel()
    hint = ""
    if matches(got, -VERTICAL_EDGE_KERNEL):
        hint = "The signs are reversed: bright on the left (the 1s) minus dark on the right (the -1s)."
    elif matches(got, VERTICAL_EDGE_KERNEL.T):
        hint = "That is the horizontal-edge kernel; each ROW should read 1, 0, -1."
    checks.expect_close(got, VERTICAL_EDGE_KERNEL, "vertical_edge_kernel()", hint=hint)


@graded(points=1)
def test_max_pool_halves_the_size(submission, checks):
    for side in (28, 13):
        image = np.random.default_rng(side).random((side, side)).astype(np.float32)
        expected = (output_size(side, 2, stride=2),) * 2
        checks.expect_shape(submission.max_pool(image), expected, f"max_pool({side}x{side} image)")


@graded(points=2)
def test_max_pool_keeps_the_largest_value(submission, checks):
    image = np.random.default_rng(2).integers(0, 100, size=(8, 8)).astype(np.float32)
    got = submission.max_pool(image)
    hint = (
        "You averaged each block; max pooling keeps the largest value." if matches(got, average_pool(image, 2)) else ""
    )
    checks.expect_close(got, max_pool2d(image, 2), "max_pool(8x8 image)", hint=hint)


@graded(points=2)
def test_build_classic_cnn_layers(submission, checks):
    got = submission.build_classic_cnn()
    if not isinstance(got, keras.Model):
        checks.expect(False, f"build_classic_cnn() should return a keras.Model, got {describe(got)}.")
        return
    difference = first_layer_difference(got, reference_classic_cnn())
    checks.expect(difference is None, f"build_classic_cnn(): {difference}")


@graded(points=2)
def test_build_classic_cnn_parameter_counts(submission, checks):
    got = submission.build_classic_cnn()
    counts = (
        [layer.count_params() for layer in model_layers(got) if layer.count_params()]
        if isinstance(got, keras.Model)
        else []
    )
    names = ("first Conv2D", "second Conv2D", "hidden Dense", "output Dense")
    for index, (name, official) in enumerate(zip(names, CLASSIC_CNN_PARAMETERS)):
        found = counts[index] if index < len(counts) else None
        checks.expect(
            found == official, f"build_classic_cnn(): the {name} should have {official:,} parameters, got {found}."
        )


@graded(points=2)
def test_conv_output_shape_of_the_classic_stack(submission, checks):
    for layers in (CLASSIC_STACK, CLASSIC_STACK + [("flatten",)]):
        got = submission.conv_output_shape((28, 28, 1), layers)
        expected = stack_output_shape((28, 28, 1), layers)
        checks.expect(
            isinstance(got, (tuple, list)) and tuple(got) == expected,
            f"conv_output_shape((28, 28, 1), {layers}): expected {expected}, got {describe(got)}.",
        )
