"""Grad-CAM: where in the image a classifier found the evidence for a class.

The last convolutional feature maps `A_k` (one per channel k) still know *where* things are; the
dense head after them knows *what*. Grad-CAM weighs each map by how much the class score `y_c`
(before the softmax) rises with it, averaged over the map, and keeps the positive part:

    alpha_k = mean_ij d y_c / d A_k[i, j]
    heat    = ReLU( sum_k alpha_k A_k )       upsampled to the image, scaled to [0, 1]

Transfer models keep their pretrained base as one nested `keras.Model` (see
`keras_vision.transfer.build`). A model built from "the base's inner layer output" to "the
classifier's output" is not one graph, and Keras reports "Graph disconnected"
(tensorflow/tensorflow#44462). Here the layer is found by name, also inside nested models, and
the model is run in three pieces: the layers before the nested model, the nested model
returning both the layer's maps and its own output, and the layers after it, all under one
gradient tape.

Grad-CAM++ (the default) replaces the mean gradient by a weighted sum of the positive gradients,
so that a class whose evidence covers a whole object (not its single strongest spot) lights the
whole object up.

References: Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via
Gradient-based Localization", ICCV 2017; Chattopadhyay et al., "Grad-CAM++: Improved Visual
Explanations for Deep Convolutional Networks", WACV 2018.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

import cv2
import keras
import matplotlib
import numpy as np
import tensorflow as tf

from keras_vision.evaluation.metrics import misclassified, to_class_ids
from keras_vision.evaluation.plots import _displayable, _message_figure, plot_image_grid

#: Layers that follow a convolution without being one: never the default Grad-CAM layer.
_NOT_FEATURE_MAPS = (
    keras.layers.InputLayer,
    keras.layers.MaxPooling2D,
    keras.layers.AveragePooling2D,
    keras.layers.Dropout,
    keras.layers.ZeroPadding2D,
)


def find_layer(model: keras.Model, name: str | None = None) -> tuple[str, ...]:
    """The path of names to a layer of `model`, looking inside nested models.

    Args:
        model: A Keras model, possibly with nested models (a transfer model's base).
        name: The layer's name. Defaults to `None`: the last layer with 4-D output (a feature
            map) that is not a pooling, padding or dropout layer, searched from the output end,
            inside the nested model that holds it.

    Returns:
        Names from the outer model inwards, e.g. `("mobilenet_0.25_224", "conv_pw_13_relu")` or
        `("block2_conv",)`.

    Raises:
        ValueError: if no layer has that name (the message lists candidates), or no layer has
            4-D output.
    """
    path = _search(model, name)
    if path is None:
        maps = [".".join(p) for p in _feature_map_paths(model)]
        wanted = f"named {name!r}" if name else "with a 4-D output (a convolutional feature map)"
        raise ValueError(
            f"Model {model.name!r} has no layer {wanted}, nested models included. "
            f"Layers with feature maps: {', '.join(maps[-8:]) or 'none'}. Received: layer={name!r}."
        )
    return path


def _search(model: keras.Model, name: str | None) -> tuple[str, ...] | None:
    for layer in reversed(model.layers):
        if isinstance(layer, keras.Model):
            inner = _search(layer, name)
            if inner is not None:
                return (layer.name, *inner)
        if (name is None and _is_feature_map(layer)) or (name is not None and layer.name == name):
            return (layer.name,)
    return None


def _is_feature_map(layer) -> bool:
    shape = getattr(layer, "output", None)
    shape = getattr(shape, "shape", None)
    return shape is not None and len(shape) == 4 and not isinstance(layer, (_NOT_FEATURE_MAPS, keras.Model))


def _feature_map_paths(model: keras.Model, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            paths += _feature_map_paths(layer, (*prefix, layer.name))
        elif _is_feature_map(layer):
            paths.append((*prefix, layer.name))
    return paths


#: Grad-CAM variants: how each feature map is weighted from the class score's gradients.
METHODS = ("gradcam", "gradcam++")


def gradcam(
    model: keras.Model,
    images,
    *,
    class_index=None,
    layer: str | Sequence[str] | None = None,
    method: str = "gradcam++",
) -> np.ndarray:
    """Grad-CAM heat maps of `images` for one class each.

    Args:
        model: A classifier (softmax or logits output), possibly with a nested base model.
        images: A batch as the model takes it `(N, H, W, C)` (preprocessed as for `predict`).
        class_index: The class of each heat map: an int for all, one per image, or `None` for
            the predicted class. Defaults to `None`.
        layer: Name of the feature-map layer, found inside nested models too, or several names
            whose maps (each scaled to [0, 1] at the image's size) are averaged. Defaults to the
            last convolutional feature map (see `find_layer`).
        method: `"gradcam++"` (each map weighted by its positive gradients, each position
            weighted by the second-order term of Chattopadhyay et al.) or `"gradcam"` (each map
            weighted by its mean gradient). Defaults to `"gradcam++"`: on the nested MobileNet
            0.25 of `benchmarks/gradcam.py` it puts 0.50 of the true class's heat inside the
            object's box (a quarter of the image), plain Grad-CAM 0.47.

    Returns:
        float32 `(N, H, W)` heat maps in [0, 1] at the images' size (all zeros where no
        feature map speaks for the class).

    Raises:
        ValueError: for an unknown `layer` or `method`, or a class index out of range.

    Reference: Chattopadhyay et al., "Grad-CAM++: Improved Visual Explanations for Deep
    Convolutional Networks", WACV 2018.
    """
    if method not in METHODS:
        raise ValueError(
            f"Unknown Grad-CAM method {method!r}. Valid methods: {', '.join(METHODS)}. Received: {method!r}."
        )
    names = [layer] if layer is None or isinstance(layer, str) else list(layer)
    if not names:
        raise ValueError("`layer` must name at least one layer. Received: an empty list.")
    images = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    size = (int(images.shape[2]), int(images.shape[1]))
    heat = [_class_activation_maps(model, images, class_index, find_layer(model, name), method) for name in names]
    heat = [np.stack([cv2.resize(c, size, interpolation=cv2.INTER_LINEAR) for c in cams]) for cams in heat]
    return _unit_peak(np.mean(heat, axis=0)) if len(heat) > 1 else heat[0]


def _class_activation_maps(model, images, class_index, path, method: str) -> np.ndarray:
    """`(N, h, w)` maps at the layer's own resolution, each scaled to a peak of 1."""
    run = _activation_model(model, path)
    with _logits(model), tf.GradientTape() as tape:
        maps, scores = run(images)
        maps = tf.convert_to_tensor(maps)
        tape.watch(maps)
        scores = tf.convert_to_tensor(scores)
        classes = _classes(class_index, scores)
        chosen = tf.gather(scores, classes, axis=1, batch_dims=1)
    grads = tape.gradient(chosen, maps)
    if method == "gradcam":
        weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
    else:  # Grad-CAM++ with the exponential of the score, as in the paper's closed form
        squared, cubed = grads**2, grads**3
        denominator = 2.0 * squared + tf.reduce_sum(maps, axis=(1, 2), keepdims=True) * cubed
        alphas = tf.math.divide_no_nan(squared, denominator)
        weights = tf.reduce_sum(alphas * tf.nn.relu(grads), axis=(1, 2), keepdims=True)
    return _unit_peak(tf.nn.relu(tf.reduce_sum(weights * maps, axis=-1)).numpy().astype(np.float32))


def _unit_peak(cams: np.ndarray) -> np.ndarray:
    peaks = cams.reshape(len(cams), -1).max(axis=1).reshape(-1, 1, 1)
    return np.where(peaks > 0, cams / np.maximum(peaks, 1e-12), 0.0).astype(np.float32)


def _classes(class_index, scores) -> tf.Tensor:
    count, num_classes = int(scores.shape[0]), int(scores.shape[-1])
    if class_index is None:
        return tf.argmax(scores, axis=-1, output_type=tf.int32)
    classes = np.broadcast_to(np.asarray(class_index, dtype=np.int64).reshape(-1), (count,))
    if classes.min() < 0 or classes.max() >= num_classes:
        raise ValueError(f"`class_index` must be in [0, {num_classes}). Received: {class_index!r}.")
    return tf.constant(classes, dtype=tf.int32)


def _activation_model(model: keras.Model, path: Sequence[str]):
    """A function `x -> (feature maps of the layer at path, model output)`, nested models split apart."""
    if len(path) == 1:
        return keras.Model(model.inputs, [model.get_layer(path[0]).output, model.outputs[0]])
    nested = model.get_layer(path[0])
    inner = _activation_model(nested, path[1:])
    node = _node_in(model, nested)
    before = keras.Model(model.inputs, node.input_tensors[0])
    after = keras.Model(node.output_tensors[0], model.outputs[0])

    def run(x):
        maps, features = inner(before(x, training=False))
        return maps, after(features, training=False)

    return run


def _node_in(model: keras.Model, nested: keras.Model):
    """The call of `nested` inside `model`'s graph (a nested model may be called elsewhere too)."""
    for node in nested._inbound_nodes:
        with contextlib.suppress(ValueError):
            keras.Model(model.inputs, node.output_tensors[0])
            return node
    raise ValueError(f"The nested model {nested.name!r} is not called on the inputs of {model.name!r}.")


@contextlib.contextmanager
def _logits(model: keras.Model):
    """Scores before the softmax: the output layer's softmax is switched off for the block."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    softmax = activation is not None and getattr(activation, "__name__", "") == "softmax"
    if softmax:
        last.activation = keras.activations.linear
    try:
        yield
    finally:
        if softmax:
            last.activation = activation


def overlay_heatmap(image, heatmap, *, alpha: float = 0.45, colormap: str = "jet") -> np.ndarray:
    """The image with its heat map blended on top, as an RGB uint8 image.

    Args:
        image: Grey `(H, W)`, `(H, W, 1)` or colour `(H, W, 3)`; uint8 or float (shown as
            `plot_image_grid` would show it).
        heatmap: `(h, w)` values in [0, 1]; resized to the image.
        alpha: Weight of the heat map. Defaults to `0.45`.
        colormap: A matplotlib colour map. Defaults to `"jet"`.

    Returns:
        uint8 `(H, W, 3)`.
    """
    picture = _displayable(np.asarray(image)[None])[0]
    if picture.ndim == 2:
        picture = np.repeat(picture[..., None], 3, axis=-1)
    heat = cv2.resize(np.asarray(heatmap, np.float32), picture.shape[1::-1], interpolation=cv2.INTER_LINEAR)
    coloured = matplotlib.colormaps[colormap](np.clip(heat, 0.0, 1.0))[..., :3]
    return np.clip(255.0 * ((1 - alpha) * picture + alpha * coloured), 0, 255).astype(np.uint8)


def heat_share(heatmap, mask) -> float:
    """The share of a heat map's mass inside `mask` (boolean, same size): 1.0 = all inside.

    Returns:
        A float in [0, 1], or NaN for an all-zero heat map.
    """
    heat = np.asarray(heatmap, dtype=np.float64)
    total = heat.sum()
    return float(heat[np.asarray(mask, bool)].sum() / total) if total > 0 else float("nan")


def plot_misclassified_gradcam(
    model: keras.Model,
    inputs,
    y_true,
    probs,
    class_names: Sequence[str],
    path: str | Path,
    *,
    images=None,
    max_images: int = 12,
    layer: str | None = None,
) -> Path:
    """The first mistakes, each as the image and its Grad-CAM map of the predicted class.

    Args:
        model: The classifier.
        inputs: The model's inputs `(N, H, W, C)`, preprocessed as for `predict`.
        y_true: Labels (class ids or one-hot).
        probs: The model's outputs on `inputs` (or predicted class ids).
        class_names: Names indexed by class id.
        path: The PNG file to write.
        images: The images to show, when `inputs` are not displayable. Defaults to `inputs`.
        max_images: At most this many mistakes. Defaults to `12`.
        layer: The feature-map layer (see `gradcam`). Defaults to the last one.

    Returns:
        The path written (a figure saying so when nothing is misclassified).
    """
    true, pred = to_class_ids(y_true, name="y_true"), to_class_ids(probs, name="probs")
    wrong = misclassified(true, pred)[:max_images]
    shown = np.asarray(inputs if images is None else images)
    if len(wrong) == 0:
        return _message_figure("No misclassified images.", path)
    heat = gradcam(model, np.asarray(inputs)[wrong], class_index=pred[wrong], layer=layer)
    pictures, titles = [], []
    for k, i in enumerate(wrong):
        pictures += [shown[i], overlay_heatmap(shown[i], heat[k])]
        titles += [f"{class_names[true[i]]} -> {class_names[pred[i]]}", f"Grad-CAM: {class_names[pred[i]]}"]
    return plot_image_grid(pictures, path, titles=titles, cols=min(8, 2 * len(wrong)))
