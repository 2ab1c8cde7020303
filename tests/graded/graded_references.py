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


def block_reference(block, input_shape: tuple, **kwargs):
    """A library block function (e.g. `keras_vision.models.vgg_block`) wrapped in a model."""
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, block(inputs, **kwargs))


def named_layer_difference(model, reference) -> str | None:
    """Compares two models layer by layer BY NAME (names are part of the contract), in any order.

    Returns:
        A sentence about the first missing, extra or different layer, or None when all match.
    """
    from keras_vision.grading.feedback import describe_layer, layer_signature, model_layers

    got = {layer.name: layer for layer in model_layers(model)}
    want = {layer.name: layer for layer in model_layers(reference)}
    missing = [name for name in want if name not in got]
    if missing:
        return (f"no layer is named {missing[0]!r} (expected {describe_layer(layer_signature(want[missing[0]]))}); "
                f"your layers are named {sorted(got)}.")
    extra = [name for name in got if name not in want]
    if extra:
        return f"layer {extra[0]!r} ({describe_layer(layer_signature(got[extra[0]]))}) should not be there."
    for name, layer in want.items():
        if layer_signature(got[name]) != layer_signature(layer):
            return (f"layer {name!r} differs: expected {describe_layer(layer_signature(layer))}; "
                    f"got {describe_layer(layer_signature(got[name]))}.")
    return None


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
    """Records whether a short training run lowers the loss of `model` below `factor` x its start."""
    before, after = loss_before_and_after_training(model, input_shape, num_classes)
    checks.expect(np.isfinite(after) and after < factor * before,
                  f"{call}: a short training run on an easy task should lower the loss below {factor:g} x its "
                  f"start; it went from {before:.3f} to {after:.3f}. Check the activations (relu inside, softmax "
                  "at the end) and that every layer is connected to the output.")
