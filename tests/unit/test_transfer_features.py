"""keras_vision.transfer: cached features, the head trained on them, fine-tuning and frozen BN.

A small MobileNet (alpha=0.25, weights=None, 32x32 inputs) stands in for every architecture.
"""

import keras
import numpy as np
import pytest

from keras_vision.transfer import (
    APPLICATIONS,
    FeatureCache,
    build_classifier,
    copy_head,
    extract_features,
    find_base,
    fine_tune,
    freeze_blocks,
    train_head_on_features,
)
from keras_vision.transfer import features as features_module


@pytest.fixture(scope="module")
def classifier():
    keras.utils.set_random_seed(0)
    return build_classifier("mobilenet", 3, (32, 32, 3), weights=None, alpha=0.25)


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, (6, 32, 32, 3)).astype("float32")


@pytest.fixture
def compute_calls(monkeypatch):
    """Counts the forward passes `extract_features` makes."""
    calls = []
    original = features_module._compute_features

    def counting(model, x, batch_size):
        calls.append(len(x))
        return original(model, x, batch_size)

    monkeypatch.setattr(features_module, "_compute_features", counting)
    return calls


def test_memory_cache_hit_skips_the_model(classifier, images, compute_calls):
    cache = FeatureCache()
    first = extract_features(classifier, images, batch_size=4, cache=cache)
    second = extract_features(classifier, images, batch_size=4, cache=cache)
    assert compute_calls == [6]
    assert (cache.misses, cache.hits) == (1, 1)
    np.testing.assert_array_equal(first, second)
    assert first.shape == (6, 256)  # MobileNet alpha=0.25 ends with int(1024 * 0.25) channels


def test_disk_cache_survives_a_new_cache_object(classifier, images, compute_calls, tmp_path):
    first = extract_features(classifier, images, cache=FeatureCache(tmp_path))
    assert len(list(tmp_path.glob("*.npy"))) == 1
    again = FeatureCache(tmp_path)
    np.testing.assert_array_equal(extract_features(classifier, images, cache=again), first)
    assert compute_calls == [6] and again.hits == 1


@pytest.mark.parametrize("change", ["one_pixel", "fewer_images", "weights"])
def test_cache_misses_when_inputs_or_weights_change(images, compute_calls, change):
    model = build_classifier("mobilenet", 3, (32, 32, 3), weights=None, alpha=0.25)
    cache = FeatureCache()
    extract_features(model, images, cache=cache)
    if change == "one_pixel":
        images = images.copy()
        images[0, 0, 0, 0] += 1
    elif change == "fewer_images":
        images = images[:5]
    else:
        layer = find_base(model)[0].get_layer("conv1")
        layer.set_weights([w + 0.01 for w in layer.get_weights()])
    extract_features(model, images, cache=cache)
    assert len(compute_calls) == 2 and cache.misses == 2


def test_classifier_features_equal_base_on_preprocessed_images(classifier, images):
    # The in-model adapter must do what the data pipeline would do outside the model.
    base, app = find_base(classifier)
    outside = extract_features(base, APPLICATIONS.get("mobilenet").preprocess_input(images))
    np.testing.assert_allclose(extract_features(classifier, images), outside, rtol=1e-4, atol=1e-5)


def test_head_on_features_learns_separable_classes():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 400)
    centers = rng.normal(0, 1, (4, 16)).astype("float32") * 3
    features = centers[labels] + rng.normal(0, 0.5, (400, 16)).astype("float32")
    keras.utils.set_random_seed(0)
    head, history = train_head_on_features(
        features, labels, num_classes=4, epochs=15, batch_size=32, learning_rate=1e-2
    )
    assert history["accuracy"][-1] > 0.95
    assert [layer.name for layer in head.layers] == ["features", "head_predictions"]


def test_head_on_features_rejects_mismatched_labels():
    with pytest.raises(ValueError, match=r"`features` must be \(N, D\)"):
        train_head_on_features(np.zeros((4, 3)), np.zeros(5), num_classes=2)


def test_copied_head_gives_the_classifier_the_same_predictions(classifier, images):
    features = extract_features(classifier, images)
    head, _ = train_head_on_features(features, np.array([0, 1, 2, 0, 1, 2]), num_classes=3, epochs=1)
    assert copy_head(head, classifier) == ["head_predictions"]
    expected = head.predict(features, verbose=0)
    np.testing.assert_allclose(classifier.predict(images, verbose=0), expected, rtol=1e-4, atol=1e-6)


def test_copy_head_checks_shapes(classifier):
    head = features_module.build_feature_head(256, 5)
    with pytest.raises(ValueError, match=r"Layer 'head_predictions' has weights of shapes"):
        copy_head(head, classifier)


def test_frozen_batchnorm_keeps_its_statistics_in_fit():
    keras.utils.set_random_seed(0)
    model = build_classifier("mobilenet", 3, (32, 32, 3), weights=None, alpha=0.25)
    base, _ = find_base(model)
    freeze_blocks(model, ["stem"])
    frozen_bn, free_bn = base.get_layer("conv1_bn"), base.get_layer("conv_pw_13_bn")
    before = {bn.name: [w.copy() for w in bn.get_weights()] for bn in (frozen_bn, free_bn)}
    kernel = base.get_layer("conv1").get_weights()[0].copy()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(1).uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    model.fit(x, np.arange(8) % 3, epochs=1, batch_size=8, verbose=0)
    # BatchNormalization weights: gamma, beta, moving_mean, moving_variance.
    for got, want in zip(frozen_bn.get_weights(), before["conv1_bn"]):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(base.get_layer("conv1").get_weights()[0], kernel)
    moving_mean = free_bn.get_weights()[2]
    assert not np.allclose(moving_mean, before["conv_pw_13_bn"][2])


def test_fine_tune_unfreezes_top_blocks_with_frozen_batchnorm():
    model = build_classifier("mobilenet", 3, (32, 32, 3), weights=None, alpha=0.25)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    setup = fine_tune(model, n_blocks=1, learning_rate=1e-4)
    base, _ = find_base(model)
    assert setup.unfrozen_blocks == ["stage5"]
    assert "conv_pw_13_bn" in setup.frozen_batchnorm and not base.get_layer("conv_pw_13_bn").trainable
    assert base.get_layer("conv_pw_13").trainable and not base.get_layer("conv_pw_11").trainable
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(1e-4)
    trainable = {w.path for w in model.trainable_weights}
    assert {"conv_pw_13/kernel", "head_predictions/kernel"} <= trainable
    assert not {path for path in trainable if path.startswith(("conv1/", "conv_pw_11/", "conv_pw_13_bn/"))}
    x = np.random.default_rng(0).uniform(0, 255, (4, 32, 32, 3)).astype("float32")
    model.fit(x, np.array([0, 1, 2, 0]), epochs=1, verbose=0)


def test_fine_tune_rejects_bad_learning_rate(classifier):
    with pytest.raises(ValueError, match=r"`learning_rate` must be positive"):
        fine_tune(classifier, n_blocks=1, learning_rate=0)
