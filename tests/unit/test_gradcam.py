"""Grad-CAM on models whose answer is known by construction, flat and with a nested base."""

import keras
import numpy as np
import pytest

from keras_vision.evaluation import gradcam, heat_share, overlay_heatmap, plot_misclassified_gradcam
from keras_vision.evaluation.gradcam import find_layer


def _identity_conv(name: str) -> keras.layers.Conv2D:
    return keras.layers.Conv2D(1, 1, use_bias=False, activation="relu", kernel_initializer="ones", name=name)


def _head(x):
    """Average pooling, then logits (+1, -1) x mean: class 0 is 'bright', class 1 'dark'."""
    x = keras.layers.GlobalAveragePooling2D(name="head_pool")(x)
    dense = keras.layers.Dense(2, activation="softmax", name="head_predictions")
    out = dense(x)
    dense.set_weights([np.array([[1.0, -1.0]], np.float32), np.zeros(2, np.float32)])
    return out


def flat_model() -> keras.Model:
    inputs = keras.Input((8, 8, 1), name="image")
    return keras.Model(inputs, _head(_identity_conv("features")(inputs)), name="flat")


def nested_model() -> keras.Model:
    base_in = keras.Input((8, 8, 1))
    base = keras.Model(base_in, _identity_conv("features")(keras.layers.Identity(name="stem")(base_in)), name="base")
    inputs = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Rescaling(1.0, name="input_adapter_scale")(inputs)
    return keras.Model(inputs, _head(base(x)), name="nested")


def square_image() -> np.ndarray:
    image = np.zeros((1, 8, 8, 1), np.float32)
    image[0, 2:5, 5:8, 0] = 1.0
    image[0, 3, 6, 0] = 2.0
    return image


@pytest.mark.parametrize("build", [flat_model, nested_model], ids=["flat", "nested"])
def test_heat_map_of_identity_features_is_the_image(build):
    # Features = ReLU(image); each map's weight is +1/64 for class 0, so the map is the image / its max.
    model, image = build(), square_image()
    heat = gradcam(model, image, class_index=0)
    np.testing.assert_allclose(heat[0], image[0, ..., 0] / 2.0, atol=1e-6)
    assert heat_share(heat[0], image[0, ..., 0] > 0) == pytest.approx(1.0)


@pytest.mark.parametrize("build", [flat_model, nested_model], ids=["flat", "nested"])
def test_a_class_the_features_argue_against_has_an_empty_map(build):
    heat = gradcam(build(), square_image(), class_index=1)  # weight -1/64: ReLU keeps nothing
    assert heat.shape == (1, 8, 8) and np.all(heat == 0)
    assert np.isnan(heat_share(heat[0], np.ones((8, 8), bool)))


def test_predicted_class_is_the_default_and_the_softmax_is_restored():
    model, image = nested_model(), square_image()
    before = model.predict(image, verbose=0)
    np.testing.assert_allclose(gradcam(model, image), gradcam(model, image, class_index=0))
    np.testing.assert_allclose(model.predict(image, verbose=0), before)


def test_layers_are_found_inside_nested_models_by_name():
    model = nested_model()
    assert find_layer(model) == ("base", "features")
    assert find_layer(model, "stem") == ("base", "stem")
    assert find_layer(flat_model()) == ("features",)
    with pytest.raises(ValueError, match="no layer named 'conv9'.*base.features"):
        find_layer(model, "conv9")


def test_class_index_out_of_range_is_a_clear_error():
    with pytest.raises(ValueError, match=r"class_index.*\[0, 2\)"):
        gradcam(flat_model(), square_image(), class_index=5)


def test_overlay_and_misclassified_figure(tmp_path):
    model = nested_model()
    images = np.concatenate([square_image(), np.zeros_like(square_image())])
    overlay = overlay_heatmap(images[0], gradcam(model, images[:1])[0])
    assert overlay.shape == (8, 8, 3) and overlay.dtype == np.uint8
    # The bright square is labelled 1 ('dark'), so the model's class-0 answer is a mistake.
    path = plot_misclassified_gradcam(
        model, images, [1, 1], model.predict(images, verbose=0), ["bright", "dark"], tmp_path / "m.png"
    )
    assert path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("method", ["gradcam", "gradcam++"])
@pytest.mark.parametrize("build", [flat_model, nested_model], ids=["flat", "nested"])
def test_both_methods_give_the_known_map_and_argue_against_nothing(build, method):
    # Constant positive gradients: Grad-CAM++'s weights are then a positive constant too, so both maps are the image.
    model, image = build(), square_image()
    np.testing.assert_allclose(gradcam(model, image, class_index=0, method=method)[0], image[0, ..., 0] / 2, atol=1e-6)
    assert np.all(gradcam(model, image, class_index=1, method=method) == 0)


def test_layers_averaged_and_bad_method_refused():
    model, image = nested_model(), square_image()
    # "stem" passes the image through unchanged and "features" is ReLU(image): both maps are the image.
    np.testing.assert_allclose(
        gradcam(model, image, class_index=0, layer=["stem", "features"])[0], image[0, ..., 0] / 2
    )
    with pytest.raises(ValueError, match="Unknown Grad-CAM method 'cam'. Valid methods: gradcam, gradcam\\+\\+"):
        gradcam(model, image, method="cam")
    with pytest.raises(ValueError, match="at least one layer"):
        gradcam(model, image, layer=[])
