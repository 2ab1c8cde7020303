"""The NumPy reference ops against Keras layers (an independent computation) and the size rule."""

import numpy as np
import pytest

from keras_vision.convolution import VERTICAL_EDGE_KERNEL, convolve2d, max_pool2d, output_size

CASES = [  # (image shape, kernel shape, stride, padding)
    ((9, 11), (3, 3), 1, "valid"),
    ((9, 11, 3), (3, 3, 3), 2, "valid"),
    ((8, 8, 2), (3, 3), 1, "same"),
    ((7, 10, 1), (5, 3, 1), 2, "same"),
]


@pytest.mark.parametrize("image_shape, kernel_shape, stride, padding", CASES)
def test_convolve2d_equals_conv2d(image_shape, kernel_shape, stride, padding):
    import keras

    rng = np.random.default_rng(0)
    image = rng.random(image_shape, dtype=np.float32)
    kernel = rng.standard_normal(kernel_shape).astype(np.float32)
    channels = image_shape[2] if len(image_shape) == 3 else 1
    full = kernel if kernel.ndim == 3 else np.repeat(kernel[..., None], channels, axis=-1)
    conv = keras.layers.Conv2D(1, kernel_shape[:2], strides=stride, padding=padding, use_bias=False)
    conv.build((1, image_shape[0], image_shape[1], channels))
    conv.set_weights([full[..., None]])
    expected = np.asarray(conv(image.reshape(1, image_shape[0], image_shape[1], channels)))[0, ..., 0]
    np.testing.assert_allclose(convolve2d(image, kernel, stride=stride, padding=padding), expected, atol=1e-5)


@pytest.mark.parametrize(
    "shape, pool, stride, padding",
    [((6, 6), 2, None, "valid"), ((7, 9, 3), 2, None, "valid"), ((7, 9, 2), 3, 2, "same"), ((5, 5), 2, 1, "valid")],
)
def test_max_pool2d_equals_keras(shape, pool, stride, padding):
    import keras

    image = np.random.default_rng(1).integers(0, 255, shape).astype(np.float32)
    batch = image.reshape(1, shape[0], shape[1], -1)
    expected = np.asarray(keras.layers.MaxPooling2D(pool, strides=stride, padding=padding)(batch))[0]
    got = max_pool2d(image, pool, stride=stride, padding=padding)
    np.testing.assert_array_equal(got, expected[..., 0] if len(shape) == 2 else expected)


def test_vertical_edge_kernel_finds_a_vertical_edge():
    image = np.zeros((5, 6), np.float32)
    image[:, :3] = 1.0  # bright left half, dark right half
    response = convolve2d(image, VERTICAL_EDGE_KERNEL)
    assert response.shape == (3, 4)
    np.testing.assert_array_equal(response, [[0, 3, 3, 0]] * 3)


@pytest.mark.parametrize(
    "size, window, stride, padding, expected",
    [
        (28, 3, 1, "valid", 26),
        (26, 2, 2, "valid", 13),
        (13, 3, 1, "valid", 11),
        (11, 2, 2, "valid", 5),
        (28, 3, 1, "same", 28),
        (7, 3, 2, "same", 4),
    ],
)
def test_output_size_follows_the_course_network(size, window, stride, padding, expected):
    assert output_size(size, window, stride=stride, padding=padding) == expected


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: output_size(5, 3, padding="full"), "Valid paddings: valid, same"),
        (lambda: output_size(2, 3), "does not fit"),
        (lambda: convolve2d(np.zeros((4, 4, 2)), np.zeros((3, 3, 3))), r"\(kh, kw, 2\)"),
        (lambda: max_pool2d(np.zeros(4)), r"\(H, W\) or \(H, W, C\)"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()
