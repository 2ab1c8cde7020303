"""The course's preprocessing helpers: shapes, dtypes, values and error messages."""

import numpy as np
import pytest
from PIL import Image

from keras_vision.data import (
    add_channel_axis,
    grayscale_to_rgb,
    load_image,
    one_hot,
    pad_to_min_size,
    resize_images,
    scale_pixels,
    sparse_labels,
)
from keras_vision.errors import CorruptDataError

U8 = np.array([[0, 51, 255]], dtype=np.uint8)

SHAPE_CASES = [
    # (function, input shape, output shape)
    (add_channel_axis, (2, 28, 28), (2, 28, 28, 1)),
    (add_channel_axis, (2, 28, 28, 1), (2, 28, 28, 1)),
    (grayscale_to_rgb, (2, 5, 6), (2, 5, 6, 3)),
    (grayscale_to_rgb, (2, 5, 6, 1), (2, 5, 6, 3)),
    (lambda x: pad_to_min_size(x, 32), (2, 28, 28), (2, 32, 32)),
    (lambda x: pad_to_min_size(x, (32, 30)), (2, 28, 28, 3), (2, 32, 30, 3)),
    (lambda x: pad_to_min_size(x, 16), (2, 28, 20, 1), (2, 28, 20, 1)),
    (lambda x: resize_images(x, (7, 9)), (2, 28, 28), (2, 7, 9)),
    (lambda x: resize_images(x, 40, interpolation="nearest"), (2, 28, 28, 1), (2, 40, 40, 1)),
    (lambda x: resize_images(x, (16, 12), interpolation="area"), (3, 32, 32, 3), (3, 16, 12, 3)),
]


@pytest.mark.parametrize("fn,shape,expected", SHAPE_CASES)
def test_shapes_and_dtype_are_kept(fn, shape, expected):
    x = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    out = fn(x)
    assert out.shape == expected and out.dtype == np.uint8


BAD_SHAPES = [
    (add_channel_axis, (28, 28), "(N, H, W)"),
    (add_channel_axis, (2, 28, 28, 3), "(N, H, W)"),
    (grayscale_to_rgb, (2, 5, 6, 3), "(N, H, W, 1)"),
    (lambda x: pad_to_min_size(x, 32), (28, 28), "(N, H, W)"),
    (lambda x: resize_images(x, 8), (28,), "(N, H, W)"),
    (lambda x: resize_images(x, 8, interpolation="lanczos9"), (1, 4, 4), "Valid: nearest"),
    (lambda x: resize_images(x, (0, 8)), (1, 4, 4), "positive int"),
]


@pytest.mark.parametrize("fn,shape,words", BAD_SHAPES)
def test_wrong_inputs_say_what_was_expected(fn, shape, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        fn(np.zeros(shape, np.uint8))


def test_scale_pixels_divides_by_255():
    out = scale_pixels(U8)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, 0.2, 1.0]], rtol=1e-6)
    with pytest.raises(ValueError, match="Already scaled"):
        scale_pixels(out)


@pytest.mark.parametrize("labels", [np.array([2, 0, 1]), np.array([[2], [0], [1]]), [2, 0, 1]])
def test_one_hot_accepts_both_label_shapes(labels):
    out = one_hot(labels, 4)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])


@pytest.mark.parametrize(
    "labels,words",
    [
        ([0, 4], r"0..3; found \[4\]"),
        ([-1], r"found \[-1\]"),
        (np.zeros((2, 2)), "shape"),
    ],
)
def test_one_hot_rejects_bad_labels(labels, words):
    with pytest.raises(ValueError, match=words):
        one_hot(labels, 4)


@pytest.mark.parametrize("labels", [[[3], [1]], [3, 1], [[0, 0, 0, 1], [0, 1, 0, 0]]])
def test_sparse_labels(labels):
    out = sparse_labels(np.array(labels, dtype=np.uint8))
    assert out.dtype == np.int64 and out.tolist() == [3, 1]


def test_pad_centres_the_image():
    x = np.ones((1, 28, 28), np.uint8)
    out = pad_to_min_size(x, 33)
    assert out[0, 2:30, 2:30].all() and out.sum() == 28 * 28  # 5 extra rows: 2 before, 3 after
    assert not out[0, :2].any() and not out[0, 30:].any()


def test_resize_keeps_a_flat_image_flat():
    x = np.full((2, 10, 10, 3), (10, 200, 30), np.uint8)
    assert (resize_images(x, (23, 17), interpolation="bicubic") == (10, 200, 30)).all()


@pytest.mark.parametrize(
    "grayscale,target_size,shape",
    [
        (False, None, (1, 6, 8, 3)),
        (True, None, (1, 6, 8, 1)),
        (False, (3, 4), (1, 3, 4, 3)),
    ],
)
def test_load_image_gives_a_float_batch_of_one(tmp_path, grayscale, target_size, shape):
    Image.new("RGB", (8, 6), (200, 100, 0)).save(tmp_path / "a.png")
    out = load_image(tmp_path / "a.png", target_size=target_size, grayscale=grayscale)
    assert out.shape == shape and out.dtype == np.float32
    expected = [0.299 * 200 + 0.587 * 100] if grayscale else [200, 100, 0]  # ITU-R BT.601 luma
    np.testing.assert_allclose(out[0, 0, 0], expected, atol=1)


def test_load_image_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.png"):
        load_image(tmp_path / "missing.png")
    (tmp_path / "bad.jpg").write_bytes(b"no image here")
    with pytest.raises(CorruptDataError, match="bad.jpg"):
        load_image(tmp_path / "bad.jpg")
