"""Hidden graded tests of ex07_lowlight: colour and partial blocks, other CLAHE settings, float input.

Students see only the status and points of these tests; `after_due_date` ones appear after the
deadline.
"""

from graded_references import dark_photo, repeated_block_max

from keras_vision.enhance import clahe, max_filter
from keras_vision.evaluation.image_quality import entropy, mean_brightness
from keras_vision.grading.testkit.testing import graded


@graded(points=1, visibility="hidden")
def test_max_filter_on_a_colour_photo_with_a_window_of_five(submission, checks):
    photo = dark_photo("astronaut", (13, 17))
    checks.expect_close(submission.max_filter(photo, 5), max_filter(photo, 5), "max_filter(13x17x3 uint8 photo, 5)")


@graded(points=1, visibility="hidden")
def test_bin_brighten_with_partial_blocks_on_colour(submission, checks):
    photo = dark_photo("chelsea", (7, 10))
    checks.expect_close(
        submission.bin_brighten(photo, 3), repeated_block_max(photo, 3), "bin_brighten(7x10x3 photo, 3)"
    )


@graded(points=1, visibility="hidden")
def test_clahe_on_lightness_with_other_settings(submission, checks):
    photo = dark_photo("rocket", (60, 90))
    got = submission.clahe_on_lightness(photo, clip_limit=4.0, tile_grid=3)
    checks.expect_close(
        got,
        clahe(photo, clip_limit=4.0, tile_grid=3),
        "clahe_on_lightness(photo, clip_limit=4.0, tile_grid=3)",
        atol=0.5,
    )


@graded(points=1, visibility="after_due_date")
def test_measures_of_a_float_colour_photo(submission, checks):
    photo = dark_photo("coffee", (30, 45)) / 255.0
    for name, reference, tolerance in (("mean_brightness", mean_brightness, 1e-5), ("entropy", entropy, 1e-3)):
        got, expected = submission_float(getattr(submission, name)(photo)), reference(photo)
        checks.expect(
            got is not None and abs(got - expected) < tolerance,
            f"{name}(float RGB photo): expected {expected:.6f}, got {got}.",
        )


def submission_float(value):
    """`value` as a Python float, or None when it is not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
