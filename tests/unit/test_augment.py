"""keras_vision.augment: the config, ImageDataGenerator from it, and the fast pipeline's parity with it.

References come from Keras' own `ImageDataGenerator` (`apply_transform`, `get_random_transform`,
`fit`, `standardize`), never from the code under test.
"""

import cv2
import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from keras_vision.augment import (
    AugmentConfig,
    AugmentedBatches,
    FastAugmenter,
    albumentations_like,
    augmentation_figure,
    augmentation_report,
    featurewise_statistics,
    flow_from_class_folders,
    gaussian_noise,
    generator_batch,
    image_data_generator,
    inverse_matrices,
    keras_layers_like,
    measure_throughput,
    sample_parameters,
    warp_images,
)

ImageDataGenerator = tf.keras.preprocessing.image.ImageDataGenerator
# Keras' legacy generator calls SciPy through a deprecated namespace; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Please import `affine_transform`:DeprecationWarning")
STRONG = dict(
    rotation_range=30,
    width_shift_range=0.2,
    height_shift_range=0.1,
    shear_range=20,
    zoom_range=0.3,
    horizontal_flip=True,
    vertical_flip=True,
)


def smooth_images(count, height, width, channels=3, seed=0, dtype=np.float32):
    """Blurred noise in [0, 255]: bilinear resampling differs little on it, as on photographs."""
    rng = np.random.default_rng(seed)
    images = [
        cv2.GaussianBlur(rng.uniform(0, 255, (height, width, channels)), (0, 0), 2).reshape(height, width, channels)
        for _ in range(count)
    ]
    return np.clip(np.stack(images), 0, 255).astype(dtype)


def tiny_classifier(input_shape, classes=2):
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(4, 3, name="block1_conv1")(inputs)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    model = keras.Model(inputs, keras.layers.Dense(classes, activation="softmax", name="predictions")(x))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


# --- AugmentConfig -----------------------------------------------------------------------------

BAD_CONFIGS = [
    ({"rotation_range": -1}, "rotation_range"),
    ({"width_shift_range": float("nan")}, "width_shift_range"),
    ({"height_shift_range": "0.1"}, "height_shift_range"),
    ({"shear_range": 90}, "shear_range"),
    ({"zoom_range": 1.0}, "zoom_range"),
    ({"zoom_range": (1.2, 0.8)}, "zoom_range"),
    ({"zoom_range": (0.0, 1.0)}, "zoom_range"),
    ({"horizontal_flip": 1}, "horizontal_flip"),
    ({"fill_mode": "mirror"}, "mirror"),
    ({"cval": float("inf")}, "cval"),
    ({"rescale": 0}, "rescale"),
    ({"featurewise_std_normalization": True}, "featurewise_center"),
    ({"samplewise_std_normalization": True}, "samplewise_center"),
    ({"preprocessing_function": 3}, "preprocessing_function"),
]


@pytest.mark.parametrize("kwargs,named", BAD_CONFIGS, ids=[c[1] + str(i) for i, c in enumerate(BAD_CONFIGS)])
def test_config_rejects_bad_values_naming_them(kwargs, named):
    with pytest.raises(ValueError, match=named):
        AugmentConfig(**kwargs)


def test_generator_kwargs_build_the_same_image_data_generator():
    noise = gaussian_noise(5.0, seed=0)
    config = AugmentConfig(
        **STRONG,
        fill_mode="constant",
        cval=3.0,
        rescale=1 / 255,
        featurewise_center=True,
        featurewise_std_normalization=True,
        preprocessing_function=noise,
    )
    generator = image_data_generator(config)
    assert isinstance(generator, ImageDataGenerator)
    for name in (
        "rotation_range",
        "width_shift_range",
        "height_shift_range",
        "shear_range",
        "horizontal_flip",
        "vertical_flip",
        "fill_mode",
        "cval",
        "rescale",
        "featurewise_center",
        "featurewise_std_normalization",
    ):
        assert getattr(generator, name) == getattr(config, name), name
    assert list(generator.zoom_range) == [0.7, 1.3]
    assert generator.preprocessing_function is noise


def test_zoom_as_a_number_means_the_interval_keras_uses():
    assert AugmentConfig(zoom_range=0.2).zoom_range == tuple(ImageDataGenerator(zoom_range=0.2).zoom_range)


# --- the fast pipeline against ImageDataGenerator ------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_identity_config_returns_the_input_exactly(dtype):
    images = smooth_images(5, 9, 11, seed=1).astype(dtype)
    out = FastAugmenter(AugmentConfig(), seed=0).augment(images)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, images.astype(np.float32))


def test_zero_parameters_leave_the_image_unchanged_through_the_warp():
    images = smooth_images(3, 10, 10, seed=2)
    params = sample_parameters(AugmentConfig(), 3, images.shape[1:], np.random.default_rng(0))
    np.testing.assert_array_equal(warp_images(images, inverse_matrices(params, 10, 10)), images)


@pytest.mark.parametrize("fill_mode", ["nearest", "constant", "reflect", "wrap"])
@pytest.mark.parametrize("shape", [(24, 24, 3), (20, 26, 1)], ids=["square_rgb", "rectangular_grey"])
def test_fixed_transforms_match_apply_transform(fill_mode, shape):
    config = AugmentConfig(**STRONG, fill_mode=fill_mode, cval=17.0)
    generator = image_data_generator(config)
    images = smooth_images(12, *shape, seed=3)
    params = sample_parameters(config, len(images), shape, np.random.default_rng(4))
    ours = warp_images(images, inverse_matrices(params, *shape[:2]), fill_mode=fill_mode, cval=17.0)
    for index, image in enumerate(images):
        expected = generator.apply_transform(image, params.as_generator_dict(index))
        difference = np.abs(ours[index] - expected)
        # Bilinear in both: equal up to float rounding, except the odd pixel whose source lies within
        # rounding distance of the image border (filled on one side, interpolated on the other).
        assert np.mean(difference > 1e-2) < 0.01, (index, np.mean(difference > 1e-2))


def test_uint8_batches_match_apply_transform_within_rounding():
    config = AugmentConfig(
        rotation_range=15, width_shift_range=0.1, height_shift_range=0.1, zoom_range=0.1, horizontal_flip=True
    )
    generator = image_data_generator(config)
    images = smooth_images(16, 32, 32, seed=5, dtype=np.uint8)
    out = FastAugmenter(config, threads=2).augment(images, rng=np.random.default_rng(6))
    params = sample_parameters(config, len(images), images.shape[1:], np.random.default_rng(6))
    expected = np.stack(
        [
            generator.apply_transform(image.astype(np.float32), params.as_generator_dict(i))
            for i, image in enumerate(images)
        ]
    )
    difference = np.abs(out - expected)
    assert difference.mean() < 0.5 and np.percentile(difference, 99) <= 2.0


def test_random_parameters_stay_within_and_cover_the_configured_ranges():
    config = AugmentConfig(
        rotation_range=15,
        width_shift_range=0.1,
        height_shift_range=0.2,
        shear_range=10,
        zoom_range=(0.8, 1.1),
        horizontal_flip=True,
    )
    height, width = 40, 50
    params = sample_parameters(config, 4000, (height, width, 3), np.random.default_rng(0))
    limits = {"theta": 15, "tx": 0.2 * height, "ty": 0.1 * width, "shear": 10}
    for name, limit in limits.items():
        values = getattr(params, name)
        assert values.min() >= -limit and values.max() <= limit, name
        assert values.min() < -0.95 * limit and values.max() > 0.95 * limit, name
    for zoom in (params.zx, params.zy):
        assert 0.8 <= zoom.min() < 0.81 and 1.09 < zoom.max() <= 1.1
    assert 0.45 < params.flip_horizontal.mean() < 0.55 and not params.flip_vertical.any()


def test_random_parameters_follow_image_data_generators_distribution():
    config = AugmentConfig(
        rotation_range=15, width_shift_range=3, height_shift_range=0.2, zoom_range=0.1, horizontal_flip=True
    )
    generator = image_data_generator(config)
    np.random.seed(0)
    keras_draws = [generator.get_random_transform((30, 40, 3)) for _ in range(3000)]
    ours = sample_parameters(config, 3000, (30, 40, 3), np.random.default_rng(1))
    for name in ("theta", "tx", "zx", "zy"):
        assert stats.ks_2samp(getattr(ours, name), [d[name] for d in keras_draws]).pvalue > 1e-3, name
    # An integer shift draws whole pixels: the same set of values as Keras.
    assert set(ours.ty.tolist()) == {float(d["ty"]) for d in keras_draws}
    assert abs(ours.flip_horizontal.mean() - np.mean([d["flip_horizontal"] for d in keras_draws])) < 0.05


def test_featurewise_statistics_equal_image_data_generators_fit():
    images = np.random.default_rng(7).integers(0, 256, size=(50, 8, 9, 3), dtype=np.uint8)
    for rescale in (None, 1 / 255):
        generator = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True, rescale=rescale)
        generator.fit(images)
        mean, std = featurewise_statistics(images, rescale=rescale)
        assert mean.shape == std.shape == (1, 1, 3)
        np.testing.assert_allclose(mean, generator.mean, rtol=1e-5)
        np.testing.assert_allclose(std, generator.std, rtol=1e-5)


def test_standardize_follows_image_data_generators_order():
    config = AugmentConfig(
        rescale=0.5,
        samplewise_center=True,
        samplewise_std_normalization=True,
        featurewise_center=True,
        featurewise_std_normalization=True,
        preprocessing_function=lambda image: image * 2.0 + 1.0,
    )
    images = smooth_images(6, 7, 8, seed=8)
    generator = image_data_generator(config)
    generator.fit(images)
    augmenter = FastAugmenter(config).fit(images)
    expected = np.stack([generator.standardize(image.copy()) for image in images])
    np.testing.assert_allclose(augmenter.augment(images), expected, rtol=1e-4, atol=1e-4)


def test_featurewise_normalisation_before_fit_is_a_clear_error():
    augmenter = FastAugmenter(AugmentConfig(featurewise_center=True))
    with pytest.raises(ValueError, match="fit"):
        augmenter.augment(np.zeros((2, 4, 4, 3), np.uint8))


@pytest.mark.parametrize(
    "images",
    [np.zeros((4, 4, 3)), np.zeros((2, 4, 4, 5)), np.array([["a"]])],
    ids=["one_image", "five_channels", "strings"],
)
def test_augment_rejects_other_shapes(images):
    with pytest.raises(ValueError, match="images"):
        FastAugmenter(AugmentConfig(horizontal_flip=True)).augment(images)


# --- Gaussian noise --------------------------------------------------------------------------------


def test_gaussian_noise_adds_fresh_noise_of_the_given_deviation():
    image = np.full((64, 64, 3), 100.0, dtype=np.float32)
    add_noise = gaussian_noise(10.0, seed=0)
    first, second = add_noise(image), add_noise(image)
    assert first.dtype == np.float32 and first.shape == image.shape
    for noisy in (first, second):
        noise = noisy - image
        assert abs(noise.mean()) < 0.5 and 9.5 < noise.std() < 10.5
    assert not np.allclose(first, second)
    np.testing.assert_array_equal(gaussian_noise(10.0, seed=0)(image), first)
    np.testing.assert_array_equal(image, 100.0)  # the input is not modified


@pytest.mark.parametrize("stddev", [-1.0, float("nan"), "10", True])
def test_gaussian_noise_rejects_bad_deviations(stddev):
    with pytest.raises(ValueError, match="stddev"):
        gaussian_noise(stddev)


# --- feeding model.fit -------------------------------------------------------------------------------


def test_generator_flow_feeds_model_fit():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).integers(0, 256, size=(16, 12, 12, 3), dtype=np.uint8)
    y = np.arange(16) % 2
    config = AugmentConfig(
        rotation_range=10,
        horizontal_flip=True,
        featurewise_center=True,
        featurewise_std_normalization=True,
        preprocessing_function=gaussian_noise(5.0, seed=0),
    )
    generator = image_data_generator(config)
    generator.fit(x)
    history = tiny_classifier((12, 12, 3)).fit(generator.flow(x, y, batch_size=8, seed=0), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.all(np.isfinite(history.history["loss"]))


def test_flow_from_directory_feeds_model_fit(tmp_path):
    rng = np.random.default_rng(0)
    for label in ("cat", "dog"):
        (tmp_path / label).mkdir()
        for k in range(3):
            cv2.imwrite(str(tmp_path / label / f"{k}.png"), rng.integers(0, 256, (20, 16, 3), dtype=np.uint8))
    generator = image_data_generator(AugmentConfig(horizontal_flip=True, rescale=1 / 255))
    iterator = flow_from_class_folders(generator, tmp_path, image_size=(10, 10), batch_size=4, seed=0)
    assert iterator.class_indices == {"cat": 0, "dog": 1}
    x, y = next(iterator)
    assert x.shape == (4, 10, 10, 3) and x.max() <= 1.0 and set(y.tolist()) <= {0.0, 1.0}
    history = tiny_classifier((10, 10, 3)).fit(iterator, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_flow_from_an_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no images"):
        flow_from_class_folders(image_data_generator(), tmp_path, image_size=(8, 8))


def test_generator_batch_is_reproducible():
    x = smooth_images(10, 8, 8, seed=9)
    generator = image_data_generator(AugmentConfig(rotation_range=20))
    first, labels = generator_batch(generator, x, np.arange(10), batch_size=4, seed=3)
    again, _ = generator_batch(generator, x, np.arange(10), batch_size=4, seed=3)
    np.testing.assert_array_equal(first, again)
    assert labels.tolist() == [0, 1, 2, 3]


def test_augmented_batches_feed_model_fit_reproducibly():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(1).integers(0, 256, size=(20, 12, 12, 3), dtype=np.uint8)
    y = np.arange(20) % 2
    augmenter = FastAugmenter(
        AugmentConfig(
            rotation_range=15, zoom_range=0.1, horizontal_flip=True, featurewise_center=True, rescale=1 / 255
        ),
        seed=0,
    ).fit(x)
    batches = AugmentedBatches(x, y, augmenter, batch_size=8, seed=0, workers=2)
    assert len(batches) == 3
    images, labels = batches[2]
    assert images.shape == (4, 12, 12, 3) and images.dtype == np.float32 and labels.shape == (4,)
    np.testing.assert_array_equal(batches[1][0], batches[1][0])  # seeded by (seed, epoch, batch)
    history = tiny_classifier((12, 12, 3)).fit(batches, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and batches.epoch >= 1


def test_augmented_batches_check_their_arguments():
    augmenter = FastAugmenter(AugmentConfig())
    with pytest.raises(ValueError, match="same length"):
        AugmentedBatches(np.zeros((4, 5, 5, 3), np.uint8), np.zeros(3), augmenter)
    with pytest.raises(ValueError, match="batch_size"):
        AugmentedBatches(np.zeros((4, 5, 5, 3), np.uint8), None, augmenter, batch_size=0)


# --- the figure ----------------------------------------------------------------------------------------


def test_augmentation_figure_writes_a_png(tmp_path):
    image = smooth_images(1, 24, 24, seed=10, dtype=np.uint8)[0]
    config = AugmentConfig(rotation_range=20, horizontal_flip=True, featurewise_center=True)
    path = augmentation_figure(image, config, tmp_path / "augmentation.png")
    picture = cv2.imread(str(path))
    assert picture is not None and picture.shape[0] > 100
    with pytest.raises(ValueError, match="count"):
        augmentation_figure(image, config, tmp_path / "x.png", count=0)


# --- the same augmentation elsewhere, speed, and the experiment's report ------------------------------

COURSE = dict(rotation_range=15, width_shift_range=0.1, height_shift_range=0.1, zoom_range=0.1, horizontal_flip=True)


def test_keras_layers_like_maps_the_geometry_to_keras_layers():
    model = keras_layers_like(AugmentConfig(**COURSE, fill_mode="reflect"))
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["RandomRotation", "RandomTranslation", "RandomZoom", "RandomFlip"]
    rotation, translation, zoom, _ = model.layers
    assert rotation.factor == (-15 / 360, 15 / 360) and rotation.fill_mode == "reflect"
    assert translation.height_factor == 0.1 and translation.width_factor == 0.1
    assert np.allclose(zoom.height_factor, (-0.1, 0.1))
    images = smooth_images(2, 16, 16, seed=11)
    np.testing.assert_array_equal(np.asarray(model(images, training=False)), images)  # inactive in inference


@pytest.mark.parametrize("builder", [keras_layers_like, albumentations_like], ids=["keras", "albumentations"])
def test_equivalents_refuse_a_shear(builder):
    pytest.importorskip("albumentations") if builder is albumentations_like else None
    with pytest.raises(ValueError, match="shear"):
        builder(AugmentConfig(shear_range=10))


def test_albumentations_like_keeps_shape_and_flips():
    pytest.importorskip("albumentations")
    transform = albumentations_like(AugmentConfig(horizontal_flip=True, vertical_flip=True))
    assert [type(step).__name__ for step in transform.transforms] == ["Affine", "HorizontalFlip", "VerticalFlip"]
    image = smooth_images(1, 12, 10, seed=12, dtype=np.uint8)[0]
    assert transform(image=image)["image"].shape == image.shape


def test_measure_throughput_times_every_pipeline_named():
    images = smooth_images(8, 16, 16, seed=13, dtype=np.uint8)
    measured = measure_throughput(
        images, AugmentConfig(**COURSE), pipelines=("imagedatagenerator", "fast"), batch_size=4, rounds=2, seconds=0.05
    )
    assert set(measured["rates"]) == {"imagedatagenerator", "fast"}
    assert all(len(values) == 2 and min(values) > 0 for values in measured["rounds"].values())
    with pytest.raises(ValueError, match="Valid pipelines"):
        measure_throughput(images, AugmentConfig(), pipelines=("scipy",))


def test_augmentation_report_saves_the_figure_and_compares_speeds(tmp_path):
    images = smooth_images(3, 16, 16, seed=14, dtype=np.uint8)
    report = augmentation_report(
        images,
        AugmentConfig(**COURSE),
        tmp_path / "figures" / "one.png",
        pipelines=("imagedatagenerator", "fast"),
        batch_size=4,
        rounds=1,
        seconds=0.05,
    )
    assert report["figure"] == str(tmp_path / "figures" / "one.png") and cv2.imread(report["figure"]) is not None
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["one.png"]  # nothing else is written
    assert set(report["images_per_second"]) == {"imagedatagenerator", "fast"}
    assert report["fast_speedup"]["imagedatagenerator"] > 0
    with pytest.raises(ValueError, match="image_index"):
        augmentation_report(
            images, AugmentConfig(), tmp_path / "x.png", batch_size=4, rounds=1, seconds=0.05, image_index=3
        )
