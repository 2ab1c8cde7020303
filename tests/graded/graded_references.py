"""Reference values for the graded tests, computed by the library and by Keras, never by solutions.

Everything here runs in the trusted process (the one that scores), never in the student's worker.
"""

import dataclasses

import cv2
import keras
import numpy as np

from keras_vision.augment import AugmentConfig, generator_batch, image_data_generator
from keras_vision.convolution import output_size
from keras_vision.data import load_sample_image, resize_images
from keras_vision.enhance import block_max, darken, max_filter
from keras_vision.grading.testkit.feedback import expect_keras_model
from keras_vision.grading.testkit.testing import describe

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


def dark_photo(name: str, size: tuple[int, int]) -> np.ndarray:
    """A real photograph embedded in scikit-image, shrunk to `size` (area) and darkened (uint8)."""
    photo = resize_images(load_sample_image(name)[None], size, interpolation="area")[0]
    return darken(photo, gamma=1.8, scale=0.4, noise=0.01, seed=0)  # the lowlight experiment's darkening


def repeated_block_max(image: np.ndarray, size: int) -> np.ndarray:
    """The library's block maxima, each repeated over its block and cropped to the image."""
    maxima = block_max(image, size)
    return np.repeat(np.repeat(maxima, size, axis=0), size, axis=1)[: image.shape[0], : image.shape[1]]


def max_filter_centred(image: np.ndarray, size: int) -> np.ndarray:
    """A max filter whose even window starts `size // 2` before the pixel (the mistake, for the hint)."""
    return max_filter(image[::-1, ::-1], size)[::-1, ::-1]


def clahe_each_channel(rgb: np.ndarray, clip_limit: float, tiles: int) -> np.ndarray:
    """CLAHE on R, G and B separately (the mistake, for the hint)."""
    equalizer = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(tiles, tiles))
    return np.stack([equalizer.apply(np.ascontiguousarray(rgb[:, :, c])) for c in range(3)], axis=-1)


def clahe_from_bgr(rgb: np.ndarray, clip_limit: float, tiles: int) -> np.ndarray:
    """CLAHE on L after reading the RGB image as BGR (the mistake, for the hint)."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_BGR2LAB)
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(tiles, tiles)).apply(
        np.ascontiguousarray(lab[:, :, 0])
    )
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


#: The `ImageDataGenerator` attributes that describe an augmentation (ex04).
GENERATOR_ATTRIBUTES = (
    "rotation_range",
    "width_shift_range",
    "height_shift_range",
    "shear_range",
    "zoom_range",
    "horizontal_flip",
    "vertical_flip",
    "fill_mode",
    "cval",
    "rescale",
    "featurewise_center",
    "featurewise_std_normalization",
    "samplewise_center",
    "samplewise_std_normalization",
    "zca_whitening",
    "channel_shift_range",
    "brightness_range",
)


def generator_differences(got_kwargs, expected) -> list[str]:
    """How `ImageDataGenerator(**got_kwargs)` differs from the generator `expected`, one line per setting.

    Both generators are compared after construction, so `zoom_range=0.1` and `[0.9, 1.1]` agree and
    omitted defaults count as given. A dict that does not build a generator is one difference.
    """
    import tensorflow as tf

    if not isinstance(got_kwargs, dict):
        return [f"expected a dict of keyword arguments, got {type(got_kwargs).__name__}"]
    try:
        got = tf.keras.preprocessing.image.ImageDataGenerator(**got_kwargs)
    except (TypeError, ValueError) as error:
        return [f"ImageDataGenerator(**settings) fails: {error}"]
    differences = []
    for name in GENERATOR_ATTRIBUTES:
        mine, theirs = getattr(got, name), getattr(expected, name)
        same = np.allclose(mine, theirs) if name == "zoom_range" else mine == theirs
        if not same:
            differences.append(f"{name} is {mine!r}, expected {theirs!r}")
    return differences


def course_config(rotation, shift, zoom, horizontal_flip=True):
    """The augmentation `generator_settings` describes, as the library's config."""
    return AugmentConfig(
        rotation_range=rotation,
        width_shift_range=shift,
        height_shift_range=shift,
        zoom_range=zoom,
        horizontal_flip=horizontal_flip,
        fill_mode="nearest",
        featurewise_center=True,
        featurewise_std_normalization=True,
    )


def course_generator(rotation, shift, zoom, horizontal_flip=True):
    """The generator `generator_settings` describes, built by the library."""
    return image_data_generator(course_config(rotation, shift, zoom, horizontal_flip))


def check_first_batch(checks, submission, config, *, count, batch_size, seed):
    """`first_augmented_batch` with `config`'s settings against the library's fitted generator."""
    images, labels = colour_images(count, seed=count + seed), np.arange(count) % 3
    generator = image_data_generator(config)
    generator.fit(images)
    expected_x, expected_y = generator_batch(generator, images, labels, batch_size=batch_size, seed=seed)
    got = submission.first_augmented_batch(images, labels, config.generator_kwargs(), batch_size, seed)
    call = f"first_augmented_batch({count} images, labels, settings, batch_size={batch_size}, seed={seed})"
    if not checks.expect(
        isinstance(got, (tuple, list)) and len(got) == 2, f"{call}: return (x, y), got {describe(got)}."
    ):
        return
    x, y = got
    unfitted = image_data_generator(
        dataclasses.replace(config, featurewise_center=False, featurewise_std_normalization=False)
    )
    hint = "Use flow(images, labels, batch_size=batch_size, shuffle=False, seed=seed)."
    if matches(x, generator_batch(unfitted, images, labels, batch_size=batch_size, seed=seed)[0], atol=1e-3):
        hint = "The images are not normalised: call generator.fit(images) before flow."
    checks.expect_close(
        x,
        expected_x,
        f"{call}: images compared with the library's ImageDataGenerator batch",
        atol=1e-3,
        weight=3,
        hint=hint,
    )
    checks.expect_close(y, expected_y, f"{call}: labels", hint="Keep the images in order: shuffle=False.")


def colour_images(count, height=12, width=12, channels=3, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, size=(count, height, width, channels)) * rng.uniform(0.3, 1.0, channels)).astype(
        np.uint8
    )


def check_settings(checks, submission, args, kwargs=None):
    kwargs = kwargs or {}
    got = submission.generator_settings(*args, **kwargs)
    call = f"generator_settings({', '.join(map(repr, args))}{''.join(f', {k}={v!r}' for k, v in kwargs.items())})"
    differences = generator_differences(got, course_generator(*args, **kwargs))
    checks.expect(not differences, f"{call}: " + "; ".join(differences) + ".", weight=3)


def conv2d_transpose_reference(
    image: np.ndarray, kernel: np.ndarray, bias=None, *, stride: int, padding: str
) -> np.ndarray:
    """A Keras Conv2DTranspose with `kernel` (kh, kw, C_out, C_in) and `bias` as its weights, on one image
    (H, W, C_in)."""
    image = image if image.ndim == 3 else image[..., None]
    kernel = kernel if kernel.ndim == 4 else kernel[:, :, None, None]
    layer = keras.layers.Conv2DTranspose(
        kernel.shape[2], kernel.shape[:2], strides=stride, padding=padding, use_bias=bias is not None
    )
    layer.build((None, *image.shape))
    layer.set_weights([kernel.astype(np.float32)] + ([np.asarray(bias, np.float32)] if bias is not None else []))
    return np.asarray(layer(image.astype(np.float32)[None]))[0]


#: The precondition of the model tests (`keras_vision.grading.testkit.feedback.expect_keras_model`), by the name
#: the tests of ex06, ex08 and ex09 import.
check_is_model = expect_keras_model


def block_reference(block, input_shape: tuple, **kwargs):
    """A library block function (e.g. `keras_vision.models.vgg_block`) wrapped in a model."""
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, block(inputs, **kwargs))


def outputs_with_reference_weights(model, reference, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Random weights in `reference`, copied into `model` by layer name; both models' outputs on `x`.

    Equal outputs mean the same wiring (which shortcut, where each ReLU is), not only the same layers.
    """
    rng = np.random.default_rng(0)
    for layer in reference.layers:
        values = [rng.normal(0.0, 0.2, w.shape).astype(np.float32) for w in layer.get_weights()]
        if isinstance(layer, keras.layers.BatchNormalization):  # gamma, beta, mean, variance > 0
            values[-1] = np.abs(values[-1]) + 0.5
        layer.set_weights(values)
        if values:
            model.get_layer(layer.name).set_weights(values)
    return np.asarray(model(x, training=False)), np.asarray(reference(x, training=False))


def learnable_images(count: int, input_shape: tuple, num_classes: int, seed: int = 0):
    """Images whose class shows in their mean colour, and one-hot labels: an easy task to learn."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % num_classes
    colours = rng.uniform(0.0, 1.0, (num_classes, input_shape[-1])).astype(np.float32)
    images = rng.normal(0.0, 0.1, (count, *input_shape)).astype(np.float32) + colours[labels][:, None, None, :]
    return images, np.eye(num_classes, dtype=np.float32)[labels]


def loss_before_and_after_training(model, input_shape: tuple, num_classes: int, *, epochs: int = 8):
    """Trains `model` briefly (Adam, categorical cross-entropy) on `learnable_images`.

    The loss is measured in training mode on all 128 images at once: batch normalization then uses
    the batch's statistics (its moving averages hardly move in 64 steps) and dropout stays on.

    Returns:
        `(loss before, loss after)`.
    """
    keras.utils.set_random_seed(0)
    x, y = learnable_images(128, input_shape, num_classes)
    loss = keras.losses.CategoricalCrossentropy()

    def measure() -> float:
        return float(loss(y, model(x, training=True)))

    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
    before = measure()
    model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, shuffle=True)
    return before, measure()


def check_learns(checks, model, input_shape: tuple, num_classes: int, call: str, *, factor: float = 0.7) -> None:
    """Records whether a short training run lowers the loss of `model` below `factor` x its start.

    A `model` that is not a keras.Model fails that one check (`expect_keras_model`) and is not trained.
    """
    if not expect_keras_model(checks, model, call):
        return
    before, after = loss_before_and_after_training(model, input_shape, num_classes)
    checks.expect(
        np.isfinite(after) and after < factor * before,
        f"{call}: a short training run on an easy task should lower the loss below {factor:g} x its "
        f"start; it went from {before:.3f} to {after:.3f}. Check the activations (relu inside, softmax "
        "at the end) and that every layer is connected to the output.",
    )


def bright_squares(n: int, seed: int = 0) -> np.ndarray:
    """Real images for the GAN tests: (n, 28, 28, 1) in [-1, 1], an 8x8 bright square on a dark background."""
    rng = np.random.default_rng(seed)
    images = -np.ones((n, 28, 28, 1), np.float32)
    for image, (r, c) in zip(images, rng.integers(2, 18, size=(n, 2))):
        image[r : r + 8, c : c + 8] = 1.0
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
        d_loss = discriminator_loss(
            discriminator(real, training=True), discriminator(fake, training=True), label_smoothing=label_smoothing
        )
    weights = discriminator.trainable_variables
    keras.optimizers.SGD(learning_rate).apply_gradients(zip(tape.gradient(d_loss, weights), weights))
    with tf.GradientTape() as tape:
        g_loss = generator_loss(discriminator(generator(noise, training=True), training=True))
    weights = generator.trainable_variables
    keras.optimizers.SGD(learning_rate).apply_gradients(zip(tape.gradient(g_loss, weights), weights))
    return generator, discriminator, float(d_loss), float(g_loss)
