"""Training losses for super-resolution: pixel MSE, and MSE plus a VGG16 *perceptual* term.

MSE (what SRCNN minimises) maximises PSNR, but an average of all plausible sharp images is a
blurry one. A perceptual loss (Johnson, Alahi and Fei-Fei, ECCV 2016) also compares the two images
through the feature maps of an image-classification network: images whose VGG16 features agree
look alike even where pixels differ a little. `PerceptualLoss` computes

    loss = MSE(y_true, y_pred) + feature_weight * MSE(phi(y_true), phi(y_pred))

where phi is VGG16 up to `layer` (default `block2_conv2`, Johnson's relu2_2 for super-resolution),
fed the images in VGG16's own preprocessing (RGB [0, 1] -> [0, 255] -> BGR minus the ImageNet mean).

A real run uses `weights="imagenet"` (trained features; `keras_vision.transfer.resolve_weights`
finds them in the Keras cache or says which file to place where). `weights=None` (random features)
is allowed so that everything runs and is tested offline; a path to the VGG16 no-top `.h5` file
works too. The feature term of random features is not perceptual; report which weights a run used.
"""

from __future__ import annotations

import keras

from keras_vision.errors import WeightsNotFoundError
from keras_vision.transfer.applications import APPLICATIONS
from keras_vision.transfer.weights import resolve_weights

#: VGG16 layers a perceptual loss may compare (each is followed by ReLU inside the layer).
VGG16_FEATURE_LAYERS = (
    "block1_conv1",
    "block1_conv2",
    "block2_conv1",
    "block2_conv2",
    "block3_conv1",
    "block3_conv2",
    "block3_conv3",
    "block4_conv3",
    "block5_conv3",
)


def vgg16_feature_extractor(layer: str, *, weights=None, channels: int = 3) -> keras.Model:
    """VGG16 from its input to `layer`, frozen, taking RGB images in [0, 1].

    Args:
        layer: One of `VGG16_FEATURE_LAYERS`, e.g. `"block2_conv2"` (Johnson's relu2_2).
        weights: `None` (random), `"imagenet"` or the path of the VGG16 no-top weights file.
            Defaults to `None`.
        channels: Channels of the images (3). Defaults to `3`.

    Returns:
        A frozen `keras.Model` (named `vgg16_features`) from (None, None, 3) images to features.

    Raises:
        ValueError: for an unknown layer or weights value.
        WeightsNotFoundError: for ImageNet weights that are neither cached nor downloadable.
    """
    if layer not in VGG16_FEATURE_LAYERS:
        raise ValueError(f"Unknown VGG16 feature layer {layer!r}. Valid layers: {', '.join(VGG16_FEATURE_LAYERS)}.")
    if channels != 3:
        raise ValueError(f"A VGG16 perceptual loss needs RGB images (3 channels). Received: channels={channels}.")
    app = APPLICATIONS.get("vgg16")
    base = keras.applications.VGG16(
        include_top=False, weights=resolve_weights(weights, app), input_shape=(None, None, 3)
    )
    inputs = keras.Input(shape=(None, None, 3), name="vgg16_features_input")
    features = keras.Model(base.input, base.get_layer(layer).output)(app.preprocess_input(inputs * 255.0))
    model = keras.Model(inputs, features, name="vgg16_features")
    model.trainable = False
    return model


def vgg16_weights_or_random(weights) -> tuple[str | None, str | None]:
    """The VGG16 weights a perceptual loss can have: `weights`, or random ones when ImageNet's are unavailable.

    `"imagenet"` that is neither in the Keras cache nor downloadable falls back to random weights
    with a warning, instead of stopping a run: the loss still trains, but its feature term then
    compares the responses of random filters (edge- and colour-like at best), not what ImageNet
    taught VGG16 to see, so the "perceptual" model is not the one of the course.

    Args:
        weights: `None` / `"none"`, `"imagenet"` or a weights-file path.

    Returns:
        `(weights, warning)`: what to pass to `PerceptualLoss(weights=...)` (a path for ImageNet,
        `None` for random), and the one-line warning when ImageNet weights fell back, else `None`.

    Raises:
        ValueError: for a malformed value; WeightsNotFoundError for a weights file that does not exist.
    """
    app = APPLICATIONS.get("vgg16")
    if not (isinstance(weights, str) and weights.lower() == "imagenet"):
        return resolve_weights(weights, app), None
    try:
        return resolve_weights(weights, app), None
    except WeightsNotFoundError:
        file = app.weights_file()
        return None, (
            f"VGG16 ImageNet weights are not available offline (place {file} in $KERAS_HOME/models/): the "
            "perceptual loss compares RANDOM VGG16 features, a fixed bank of random filters rather than learned "
            "ones, so its feature term is not perceptual; use --vgg-weights PATH for a copy of the file."
        )


def perceptual_loss(y_true, y_pred, features, *, feature_weight: float):
    """Per-image pixel MSE plus `feature_weight` times the MSE of `features(y_true)` and `features(y_pred)`.

    Args:
        y_true: Target images (N, H, W, C).
        y_pred: Predicted images, same shape.
        features: A model from images to feature maps, e.g. `vgg16_feature_extractor()`.
        feature_weight: Weight of the feature term, e.g. `1e-3`.

    Returns:
        One loss per image, shape (N,) (a backend tensor; `keras.ops.convert_to_numpy` for NumPy).
    """
    ops = keras.ops
    pixel = ops.mean(ops.square(y_true - y_pred), axis=(1, 2, 3))
    feature = ops.mean(ops.square(features(y_true) - features(y_pred)), axis=(1, 2, 3))
    return pixel + feature_weight * feature


@keras.saving.register_keras_serializable(package="keras_vision")
class PerceptualLoss(keras.losses.Loss):
    """Pixel MSE plus `feature_weight` times the MSE of VGG16 features (see the module docstring).

    Args:
        layer: VGG16 layer whose features are compared, one of `VGG16_FEATURE_LAYERS`, e.g.
            `"block2_conv2"` (Johnson's relu2_2).
        feature_weight: Weight of the feature term, >= 0. With random VGG16 weights and
            `block2_conv2`, `1e-3` makes the weighted feature term of a bicubic input about a
            quarter of its pixel term (measured on scikit-image's astronaut at scale 2); re-tune
            it for ImageNet weights, whose features have another magnitude.
        weights: VGG16 weights: `None`, `"imagenet"` (a real run) or a file path. Defaults to `None`.
        name: Loss name. Defaults to `"perceptual"`.
    """

    def __init__(
        self,
        layer: str,
        feature_weight: float,
        weights=None,
        name: str = "perceptual",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        if not feature_weight >= 0:
            raise ValueError(f"`feature_weight` must be >= 0. Received: feature_weight={feature_weight!r}.")
        self.layer, self.feature_weight, self.weights = layer, float(feature_weight), weights
        self.features = vgg16_feature_extractor(layer, weights=weights)

    def call(self, y_true, y_pred):
        return perceptual_loss(y_true, y_pred, self.features, feature_weight=self.feature_weight)

    def get_config(self):
        weights = None if self.weights is None else str(self.weights)
        return {**super().get_config(), "layer": self.layer, "feature_weight": self.feature_weight, "weights": weights}


#: Names of the losses `make_loss` makes (the `superres` experiment's `--losses`).
LOSSES = ("mse", "perceptual")


def make_loss(name: str, **perceptual_options):
    """`"mse"` -> `keras.losses.MeanSquaredError()`; `"perceptual"` -> `PerceptualLoss(**perceptual_options)`.

    Raises:
        ValueError: for another name (the valid ones are listed).
    """
    if name == "mse":
        return keras.losses.MeanSquaredError(name="mse")
    if name == "perceptual":
        return PerceptualLoss(**perceptual_options)
    raise ValueError(f"Unknown super-resolution loss {name!r}. Valid losses: {', '.join(LOSSES)}.")
