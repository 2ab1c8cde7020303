"""Reference values for the graded tests, computed by the library and by Keras, never by solutions.

Everything here runs in the trusted process (the one that scores), never in the student's worker.
"""

import keras
import numpy as np

from keras_vision.convolution import output_size

#: Official parameter counts of the classic network's layers with weights (28x28x1 input).
CLASSIC_CNN_PARAMETERS = (640, 36_928, 204_928, 1_290)


def conv2d_reference(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """A Keras Conv2D with `kernel` as its only, fixed weight (no bias), applied to `image` (H, W)."""
    layer = keras.layers.Conv2D(1, kernel.shape, use_bias=False, padding="valid")
    layer.build((None, *image.shape, 1))
    layer.set_weights([kernel.astype(np.float32)[:, :, None, None]])
    return np.asarray(layer(image.astype(np.float32)[None, :, :, None]))[0, :, :, 0]


def stack_output_shape(input_shape: tuple, layers: list) -> tuple:
    """The output shape of a conv/pool/flatten stack, from `keras_vision.convolution.output_size`."""
    shape = tuple(input_shape)
    for kind, *spec in layers:
        if kind == "flatten":
            shape = (int(np.prod(shape)),)
            continue
        height, width, channels = shape
        if kind == "conv":
            filters, window, stride = spec[0], spec[1], (spec[2] if len(spec) > 2 else 1)
        else:
            window = spec[0]
            filters, stride = channels, (spec[1] if len(spec) > 1 else window)
        shape = (output_size(height, window, stride=stride), output_size(width, window, stride=stride), filters)
    return shape


def average_pool(image: np.ndarray, size: int) -> np.ndarray:
    """Mean of every block: the common mistake max pooling is checked against (for the hint only)."""
    h, w = image.shape[0] // size, image.shape[1] // size
    blocks = image[: h * size, : w * size].reshape(h, size, w, size, *image.shape[2:]).astype(np.float64)
    return blocks.mean(axis=(1, 3))


def matches(got, expected, atol: float = 1e-4) -> bool:
    """True when `got` has the shape and values of `expected` (for choosing a hint)."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(expected) and bool(np.allclose(got, expected, atol=atol))


def conv2d_transpose_reference(image: np.ndarray, kernel: np.ndarray, bias=None, *, stride: int, padding: str) -> np.ndarray:
    """A Keras Conv2DTranspose with `kernel` (kh, kw, C_out, C_in) and `bias` as its weights, on one image (H, W, C_in)."""
    image = image if image.ndim == 3 else image[..., None]
    kernel = kernel if kernel.ndim == 4 else kernel[:, :, None, None]
    layer = keras.layers.Conv2DTranspose(kernel.shape[2], kernel.shape[:2], strides=stride, padding=padding,
                                         use_bias=bias is not None)
    layer.build((None, *image.shape))
    layer.set_weights([kernel.astype(np.float32)] + ([np.asarray(bias, np.float32)] if bias is not None else []))
    return np.asarray(layer(image.astype(np.float32)[None]))[0]


def check_is_model(checks, got, call: str) -> bool:
    """A precondition, not a credit: records a failed check only when `got` is not a keras.Model."""
    if isinstance(got, keras.Model):
        return True
    from keras_vision.grading.testing import describe

    return checks.expect(False, f"{call} should return a keras.Model, got {describe(got)}.")


def bright_squares(n: int, seed: int = 0) -> np.ndarray:
    """Real images for the GAN tests: (n, 28, 28, 1) in [-1, 1], an 8x8 bright square on a dark background."""
    rng = np.random.default_rng(seed)
    images = -np.ones((n, 28, 28, 1), np.float32)
    for image, (r, c) in zip(images, rng.integers(2, 18, size=(n, 2))):
        image[r:r + 8, c:c + 8] = 1.0
    return images


def copy_model(model: keras.Model) -> keras.Model:
    """A new model with the same architecture and weights (the reference trains the copy)."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def gan_train_step_reference(generator, discriminator, real, noise, learning_rate: float, label_smoothing: float = 0.0):
    """One discriminator SGD step then one generator SGD step, with the losses of `keras_vision.gan`, on copies.

    Returns:
        `(generator, discriminator, d_loss, g_loss)` like the exercise's `gan_train_step`.
    """
    import tensorflow as tf

    from keras_vision.gan import discriminator_loss, generator_loss

    generator, discriminator = copy_model(generator), copy_model(discriminator)
    real, noise = tf.constant(real, tf.float32), tf.constant(noise, tf.float32)
    fake = generator(noise, training=True)
    with tf.GradientTape() as tape:
        d_loss = discriminator_loss(discriminator(real, training=True), discriminator(fake, training=True),
                                    label_smoothing=label_smoothing)
    weights = discriminator.trainable_variables
    keras.optimizers.SGD(learning_rate).apply_gradients(zip(tape.gradient(d_loss, weights), weights))
    with tf.GradientTape() as tape:
        g_loss = generator_loss(discriminator(generator(noise, training=True), training=True))
    weights = generator.trainable_variables
    keras.optimizers.SGD(learning_rate).apply_gradients(zip(tape.gradient(g_loss, weights), weights))
    return generator, discriminator, float(d_loss), float(g_loss)
