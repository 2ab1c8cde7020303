"""keras_vision.superres: degradation, metrics against scikit-image, SRCNN against the paper's
parameter counts, ESPCN and FSRCNN (learned upsampling), the perceptual loss and its offline
fallback, data and flips, evaluation and tiny training runs."""

import cv2
import keras
import numpy as np
import pytest
import tensorflow as tf
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from keras_vision.errors import UsageError
from keras_vision.evaluation import image_to_image_report
from keras_vision.experiments import EXPERIMENTS, run_experiment
from keras_vision.superres import (
    SR_MODELS,
    build_espcn,
    build_fsrcnn,
    build_sr_model,
    build_srcnn,
    degrade,
    downscale,
    modcrop,
    psnr_arrays,
    psnr_y,
    rgb_to_y,
    ssim_arrays,
    ssim_y,
    upscale,
)
from keras_vision.superres.data import (
    flipped_patches,
    load_evaluation_photos,
    load_pet_photos,
    load_photo_folder,
    load_training_photos,
    make_patches,
    make_test_pairs,
)
from keras_vision.superres.losses import (
    PerceptualLoss,
    make_loss,
    vgg16_feature_extractor,
    vgg16_weights_or_random,
)
from keras_vision.superres.predict import plot_superres_comparison, super_resolve
from keras_vision.superres.train import TimeBudget, optimizer_steps, train_sr_model
from keras_vision.upsample import PixelShuffle

RNG = np.random.default_rng(0)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def smooth_image(height, width, seed=0):
    """A float RGB image in [0, 1] with structure at several scales (so SSIM and PSNR vary)."""
    rng = np.random.default_rng(seed)
    noise = rng.random((height // 4 + 1, width // 4 + 1, 3)).astype(np.float32)
    return np.clip(cv2.resize(noise, (width, height), interpolation=cv2.INTER_CUBIC), 0, 1)


# --- degradation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape,scale,expected", [((10, 13, 3), 2, (10, 12)), ((10, 13, 3), 3, (9, 12)), ((8, 8), 4, (8, 8))]
)
def test_modcrop_keeps_the_top_left_multiple_of_scale(shape, scale, expected):
    image = RNG.random(shape)
    cropped = modcrop(image, scale)
    assert cropped.shape[:2] == expected
    np.testing.assert_array_equal(cropped, image[: expected[0], : expected[1]])


@pytest.mark.parametrize("scale", [2, 3])
def test_downscale_and_upscale_equal_tensorflow_antialiased_bicubic(scale):
    hr = smooth_image(13, 17)
    crop = hr[: 13 // scale * scale, : 17 // scale * scale]
    lr = tf.image.resize(crop[None], (13 // scale, 17 // scale), method="bicubic", antialias=True)
    up = tf.image.resize(tf.clip_by_value(lr, 0, 1), crop.shape[:2], method="bicubic", antialias=True)
    np.testing.assert_allclose(downscale(hr, scale), np.clip(lr[0], 0, 1), atol=1e-5)
    np.testing.assert_allclose(degrade(hr, scale), np.clip(up[0], 0, 1), atol=1e-5)
    assert degrade(hr, scale).shape == crop.shape


def test_degradation_accepts_uint8_and_grey_and_rejects_bad_input():
    grey = (RNG.random((12, 12)) * 255).astype(np.uint8)
    assert degrade(grey, 2).shape == (12, 12, 3)
    np.testing.assert_allclose(degrade(np.full((8, 8, 3), 0.3), 2), 0.3, atol=1e-6)  # bicubic keeps constants
    with pytest.raises(ValueError, match="scale"):
        degrade(grey, 1)
    with pytest.raises(ValueError, match="image"):
        upscale(np.ones((4, 4, 2)), 2)


# --- metrics against scikit-image -----------------------------------------------------------


def test_rgb_to_y_is_matlab_bt601_as_in_scikit_image():
    image = RNG.random((6, 7, 3))
    np.testing.assert_allclose(rgb_to_y(image), rgb2ycbcr(image)[..., 0], atol=1e-4)
    assert rgb_to_y(np.zeros((1, 1, 3)))[0, 0] == pytest.approx(16) and rgb_to_y(np.ones((1, 1, 3)))[
        0, 0
    ] == pytest.approx(235)


def test_psnr_and_ssim_equal_scikit_image_on_the_same_y_data():
    hr = smooth_image(40, 36, seed=1)
    noisy = np.clip(hr + np.random.default_rng(2).normal(0, 0.05, hr.shape), 0, 1)
    y_hr, y_noisy = rgb_to_y(hr), rgb_to_y(noisy)
    expected = peak_signal_noise_ratio(y_hr, y_noisy, data_range=255)
    assert psnr_arrays(y_noisy, y_hr) == pytest.approx(expected, abs=1e-9)
    reference = structural_similarity(
        y_hr, y_noisy, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )
    assert ssim_arrays(y_noisy, y_hr) == pytest.approx(reference, abs=1e-9)
    # the Y versions shave the border before measuring
    shaved = (slice(3, -3), slice(3, -3))
    assert psnr_y(hr, noisy, shave=3) == pytest.approx(
        peak_signal_noise_ratio(y_hr[shaved], y_noisy[shaved], data_range=255)
    )
    assert ssim_y(hr, noisy, shave=3) == pytest.approx(
        structural_similarity(
            y_hr[shaved], y_noisy[shaved], data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
        )
    )


def test_metrics_edge_cases():
    image = smooth_image(16, 16)
    assert psnr_arrays(image, image) == float("inf")
    assert ssim_arrays(rgb_to_y(image), rgb_to_y(image)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same shape"):
        psnr_arrays(np.ones((3, 3)), np.ones((3, 4)))
    with pytest.raises(ValueError, match="11x11"):
        ssim_arrays(np.ones((8, 8)), np.ones((8, 8)))
    with pytest.raises(ValueError, match="shave"):
        psnr_y(image, image, shave=8)


# --- SRCNN ----------------------------------------------------------------------------------


@pytest.mark.parametrize("layout,paper_weights", [("9-1-5", 8_032), ("9-5-5", 57_184)])
def test_srcnn_has_the_papers_weight_count(layout, paper_weights):
    """Dong et al. (TPAMI 2016, Sec. 4.3.2) count kernel weights of the one-channel network."""
    model = build_srcnn((None, None, 1), layout=layout)
    kernels = sum(int(np.prod(layer.kernel.shape)) for layer in model.layers if hasattr(layer, "kernel"))
    assert kernels == paper_weights
    sides = [layer.kernel.shape[0] for layer in model.layers if hasattr(layer, "kernel")]
    assert sides == [int(side) for side in layout.split("-")]


def test_srcnn_rgb_layers_are_named_and_keep_the_size():
    model = build_srcnn(layout="9-1-5", residual=True, name="sr")
    assert [layer.name for layer in model.layers] == [
        "sr_input",
        "sr_patch_extraction",
        "sr_mapping",
        "sr_reconstruction",
        "sr_residual",
    ]
    assert model.get_layer("sr_reconstruction").filters == 3
    x = smooth_image(20, 24)[None]
    assert model(x).shape == x.shape
    # residual learning: with a silent reconstruction layer, the output is the input
    recon = model.get_layer("sr_reconstruction")
    recon.set_weights([np.zeros_like(w) for w in recon.get_weights()])
    np.testing.assert_allclose(model(x), x, atol=1e-6)
    with pytest.raises(ValueError, match="9-1-5"):
        build_srcnn(layout="9-9-9")


# --- learned upsampling: ESPCN and FSRCNN ------------------------------------------------------


def test_pixel_shuffle_is_tensorflows_depth_to_space_and_survives_saving(tmp_path):
    x = RNG.random((2, 3, 5, 12)).astype(np.float32)
    np.testing.assert_array_equal(PixelShuffle(2)(x), tf.nn.depth_to_space(x, 2))
    # channel (i * 2 + j) * C + c of pixel (y, x) lands on pixel (2y + i, 2x + j), channel c (C = 3)
    assert PixelShuffle(2)(x)[1, 2 * 2 + 1, 2 * 4 + 0, 2] == x[1, 2, 4, (1 * 2 + 0) * 3 + 2]
    model = keras.Sequential([keras.Input((None, None, 12)), PixelShuffle(2, name="shuffle")])
    model.save(tmp_path / "m.keras")
    np.testing.assert_array_equal(keras.models.load_model(tmp_path / "m.keras")(x), model(x))
    with pytest.raises(ValueError, match="divisible by 4"):
        keras.Sequential([keras.Input((4, 4, 6)), PixelShuffle(2)])


def conv_params(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_espcn_and_fsrcnn_upsample_inside_with_the_papers_layers(scale):
    espcn = build_espcn(scale=scale)
    # Shi et al.: 5x5 (64), 3x3 (32), 3x3 to 3 * scale**2 channels, shuffled (here RGB)
    assert espcn.count_params() == conv_params(5, 3, 64) + conv_params(3, 64, 32) + conv_params(3, 32, 3 * scale**2)
    fsrcnn = build_fsrcnn(scale=scale)
    # Dong et al. FSRCNN(56, 12, 4): 5x5 d, 1x1 s, 4 x 3x3 s, 1x1 d, 9x9 transposed to 3 (+ our 3x3 conv)
    body = conv_params(5, 3, 56) + conv_params(1, 56, 12) + 4 * conv_params(3, 12, 12) + conv_params(1, 12, 56)
    assert fsrcnn.count_params() == body + conv_params(9, 56, 3) + conv_params(3, 3, 3)
    x = RNG.random((1, 10, 7, 3)).astype(np.float32)
    for model in (espcn, fsrcnn, build_espcn(scale=scale, residual=True), build_fsrcnn(scale=scale, residual=True)):
        assert model(x).shape == (1, 10 * scale, 7 * scale, 3)
    assert isinstance(espcn.get_layer("espcn_upsample_shuffle"), PixelShuffle)
    assert isinstance(fsrcnn.get_layer("fsrcnn_upsample_transpose"), keras.layers.Conv2DTranspose)
    assert fsrcnn.get_layer("fsrcnn_upsample_transpose").strides == (scale, scale)


def test_a_residual_network_at_zero_is_the_bicubic_upscale():
    model = build_espcn(scale=2, residual=True)
    for layer in model.layers:
        if layer.weights:
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    lr = smooth_image(20, 24)
    out = super_resolve(model, lr)
    assert psnr_y(upscale(lr, 2), out, shave=2) > 40  # Keras' bicubic upsampling vs Pillow's: the same kernel


def test_sr_models_registry_builds_each_network_and_names_the_valid_ones():
    assert SR_MODELS.names() == ["srcnn", "espcn", "fsrcnn"]
    assert [SR_MODELS.get(n).low_resolution_input for n in SR_MODELS.names()] == [False, True, True]
    assert build_sr_model("espcn", scale=3, residual=False).output_shape == (None, None, None, 3)
    with pytest.raises(UsageError, match="Valid.*srcnn, espcn, fsrcnn"):
        build_sr_model("edsr", scale=2, residual=True)
    with pytest.raises(ValueError, match="scale"):
        build_espcn(scale=1)


# --- losses ---------------------------------------------------------------------------------


def test_perceptual_loss_adds_a_vgg_feature_term_to_mse():
    keras.utils.set_random_seed(0)
    y_true, y_pred = smooth_image(32, 32, 1)[None], smooth_image(32, 32, 2)[None]
    mse = float(keras.losses.MeanSquaredError()(y_true, y_pred))
    assert float(PerceptualLoss("block2_conv2", feature_weight=0.0)(y_true, y_pred)) == pytest.approx(mse, rel=1e-5)
    loss = PerceptualLoss(layer="block1_conv2", feature_weight=1e-3)
    features = loss.features
    feature_mse = float(np.mean((np.asarray(features(y_true)) - np.asarray(features(y_pred))) ** 2))
    assert float(loss(y_true, y_pred)) == pytest.approx(mse + 1e-3 * feature_mse, rel=1e-4)
    assert float(loss(y_true, y_true)) == pytest.approx(0.0, abs=1e-6)
    assert not features.trainable_weights
    restored = PerceptualLoss.from_config(loss.get_config())
    assert (restored.layer, restored.feature_weight) == ("block1_conv2", 1e-3)


def test_vgg_features_load_a_weights_file(tmp_path):
    keras.utils.set_random_seed(1)
    vgg = keras.applications.VGG16(include_top=False, weights=None, input_shape=(None, None, 3))
    path = tmp_path / "vgg16_notop.weights.h5"
    vgg.save_weights(path)
    x = smooth_image(32, 32)[None]
    expected = keras.Model(vgg.input, vgg.get_layer("block1_conv2").output)(
        keras.applications.vgg16.preprocess_input(x * 255.0)
    )
    np.testing.assert_allclose(vgg16_feature_extractor("block1_conv2", weights=path)(x), expected, rtol=1e-4, atol=1e-3)


def test_imagenet_vgg_weights_fall_back_to_random_features_with_a_warning(tmp_path, monkeypatch):
    from keras_vision import network

    monkeypatch.setattr(network, "downloads_available", lambda *args, **kwargs: False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    weights, warning = vgg16_weights_or_random("imagenet")
    assert weights is None and "RANDOM VGG16 features" in warning and "\n" not in warning
    assert "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" in warning
    cached = tmp_path / "keras_home" / "models" / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"")
    assert vgg16_weights_or_random("imagenet") == (str(cached), None)
    assert vgg16_weights_or_random("none") == (None, None)
    with pytest.raises(ValueError, match="weights"):
        vgg16_weights_or_random("vgg.bin")


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: vgg16_feature_extractor("fc1"), "block2_conv2"),
        (lambda: make_loss("l1"), "mse"),
        (lambda: PerceptualLoss("block2_conv2", feature_weight=-1), "feature_weight"),
    ],
)
def test_loss_arguments_are_checked(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- data, evaluation, training -------------------------------------------------------------


def write_photos(folder, count=3, size=(40, 44)):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        image = (smooth_image(*size, seed=i) * 255).astype(np.uint8)
        cv2.imwrite(str(folder / f"photo{i}.png"), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(folder / "grey.png"), (smooth_image(*size, seed=9)[..., 0] * 255).astype(np.uint8))
    return folder


def test_low_resolution_patches_pair_lr_windows_with_hr_windows():
    hr = smooth_image(41, 50)
    cropped = modcrop(hr, 2)  # 40 x 50
    inputs, targets = make_patches([hr], scale=2, patch_size=17, stride=11, low_resolution=True)
    # patch 17 -> 16, stride 11 -> 10 (multiples of the scale): windows at 0, 10, 20 x 0, 10, 20, 30
    assert inputs.shape == (12, 8, 8, 3) and targets.shape == (12, 16, 16, 3)
    np.testing.assert_array_equal(targets[5], cropped[10:26, 10:26])
    np.testing.assert_allclose(inputs[5], downscale(cropped, 2)[5:13, 5:13])
    with pytest.raises(ValueError, match="patch_size"):
        make_patches([hr], scale=2, patch_size=1, stride=4, low_resolution=True)


def test_flipped_patches_flip_input_and_target_together():
    inputs = RNG.random((64, 4, 4, 3)).astype(np.float32)
    targets = np.repeat(np.repeat(inputs, 2, axis=1), 2, axis=2)  # the target is the input, twice as large
    x, y = next(iter(flipped_patches((inputs, targets), batch_size=64, seed=3)))
    x, y = x.numpy(), y.numpy()
    np.testing.assert_array_equal(np.repeat(np.repeat(x, 2, axis=1), 2, axis=2), y)  # same flips
    kinds = []
    for patch in x:
        match = [np.abs(inputs - flip(patch)).sum(axis=(1, 2, 3)).min() == 0 for flip in FLIPS]
        assert any(match)
        kinds.append(match.index(True))
    assert set(kinds) == {0, 1, 2, 3}  # all four flips occur among 64 patches (seeded)
    assert sorted(map(bytes, x)) != sorted(map(bytes, inputs))  # not all patches were left as they were


FLIPS = (lambda p: p, lambda p: p[:, ::-1], lambda p: p[::-1], lambda p: p[::-1, ::-1])


def test_load_photo_folder_reads_rgb_and_grey(tmp_path):
    images, names = load_photo_folder(write_photos(tmp_path / "photos"))
    assert names == ["grey", "photo0", "photo1", "photo2"]
    assert all(image.shape == (40, 44, 3) and image.dtype == np.float32 for image in images)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No image"):
        load_photo_folder(tmp_path / "empty")


def test_make_patches_pairs_degraded_inputs_with_hr_targets():
    hr = smooth_image(41, 50)
    inputs, targets = make_patches([hr], scale=2, patch_size=16, stride=10)
    cropped = modcrop(hr, 2)  # 40 x 50
    assert inputs.shape == targets.shape == (3 * 4, 16, 16, 3)
    np.testing.assert_array_equal(targets[5], cropped[10:26, 10:26])
    np.testing.assert_allclose(inputs[5], degrade(cropped, 2)[10:26, 10:26])
    with pytest.raises(ValueError, match="patch_size"):
        make_patches([hr], scale=2, patch_size=64, stride=14)


def test_oxford_pets_load_through_tfds_mock_data(tmp_path):
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=2):
        images, names = load_pet_photos("train", data_dir=tmp_path)
    assert len(images) == len(names) == 2
    assert all(image.shape == (256, 256, 3) and 0 <= image.min() and image.max() <= 1 for image in images)


def test_missing_pets_raise_data_not_found(tmp_path):
    from keras_vision.errors import DataNotFoundError

    with pytest.raises(DataNotFoundError, match="download"):
        load_pet_photos("train", data_dir=tmp_path)


def identity_network():
    inputs = keras.Input((None, None, 3))
    return keras.Model(inputs, keras.layers.Identity()(inputs))


def test_an_identity_network_scores_like_bicubic_in_the_image_to_image_report(tmp_path):
    hr = [smooth_image(30, 34, seed=s) for s in range(2)]
    targets, bicubic = make_test_pairs(hr, scale=2)
    assert [t.shape for t in targets] == [(30, 34, 3)] * 2
    np.testing.assert_allclose(bicubic[1], degrade(hr[1], 2))
    outputs = [super_resolve(identity_network(), image) for image in bicubic]
    report = image_to_image_report(targets, outputs, baselines=bicubic, names=["a", "b"], shave=2)
    assert report["psnr"] == pytest.approx(report["psnr_baseline"]) and report["psnr_gain"] == pytest.approx(0)
    assert report["ssim"] == pytest.approx(report["ssim_baseline"])
    assert list(report["per_image"]) == ["a", "b"]
    assert report["psnr_baseline"] == pytest.approx(
        np.mean([psnr_y(modcrop(h, 2), degrade(h, 2), shave=2) for h in hr])
    )
    path = plot_superres_comparison(tmp_path / "cmp.png", hr[0], outputs[0], scale=2, crop=16)
    assert path.read_bytes()[:8] == PNG_MAGIC
    with pytest.raises(ValueError, match="size of the cropped target"):
        plot_superres_comparison(tmp_path / "bad.png", hr[0], outputs[0][:-2], scale=2)


def test_training_and_evaluation_photos_come_from_the_chosen_source(tmp_path):
    photos = write_photos(tmp_path / "photos", count=1)
    images, names = load_training_photos("folder", data_dir=photos)
    assert names == ["grey", "photo0"] and images[0].shape == (40, 44, 3)
    assert load_training_photos("samples")[1][0] == "astronaut"
    assert load_evaluation_photos("samples")[1] == ["chelsea"]  # held out from the training samples
    assert load_evaluation_photos("samples", eval_dir=photos)[1] == ["grey", "photo0"]
    with pytest.raises(ValueError, match="Valid sources: samples, folder, pet"):
        load_training_photos("imagenet")
    with pytest.raises(ValueError, match="data_dir"):
        load_training_photos("folder")


def test_train_sr_model_builds_srcnn_in_the_strategy_and_learns(tmp_path):
    """Four epochs on the patches of one image: the variables are the strategy's, the loss falls."""
    keras.utils.set_random_seed(0)
    inputs, targets = make_patches([smooth_image(64, 64, seed=3)], scale=2, patch_size=16, stride=8)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    model, result = train_sr_model(
        (inputs, targets),
        loss=lambda: make_loss("mse"),
        layout="9-1-5",
        residual=True,
        learning_rate=1e-3,
        epochs=4,
        batch_size=16,
        run_dir=tmp_path / "mse",
        strategy=strategy,
        verbose=0,
    )
    assert isinstance(model.get_layer("srcnn_mapping").kernel.value, tf.distribute.DistributedValues)
    assert result.epochs == 4 and result.history["loss"][-1] < 0.3 * result.history["loss"][0]
    assert (tmp_path / "mse" / "model.keras").is_file()


def test_time_budget_stops_at_the_end_of_a_batch(tmp_path):
    inputs, targets = make_patches([smooth_image(64, 64)], scale=2, patch_size=16, stride=4)
    model, result = train_sr_model(
        (inputs, targets),
        loss=lambda: make_loss("mse"),
        layout="9-1-5",
        residual=True,
        learning_rate=1e-3,
        epochs=50,
        batch_size=4,
        run_dir=tmp_path / "budget",
        max_seconds=1e-9,
        verbose=0,
    )
    assert result.epochs == 1  # stopped after its first batch
    with pytest.raises(ValueError, match="seconds"):
        TimeBudget(0)


def superres_config(tmp_path, **options):
    photos = write_photos(tmp_path / "train", count=2, size=(48, 48))
    values = dict(
        source="folder",
        data_dir=photos,
        eval_dir=photos,
        epochs=1,
        patch_size=16,
        patch_stride=16,
        batch_size=8,
        vgg_layer="block1_conv2",
        verbose="silent",
        out=tmp_path / "runs",
    )
    return EXPERIMENTS.get("superres").make_config(**{**values, **options})


def test_superres_experiment_scores_through_the_image_to_image_report(tmp_path):
    metrics = run_experiment(superres_config(tmp_path, models="srcnn", losses="mse", strategy="mirrored"))
    mse = metrics["models"]["srcnn-mse"]
    assert {"psnr", "ssim", "psnr_baseline", "ssim_baseline", "psnr_gain", "ssim_gain", "per_image"} <= set(mse)
    assert {"params", "trainable_params", "seconds", "seconds_per_epoch", "epochs"} <= set(mse)
    assert mse["params"] == (9 * 9 * 3 * 64 + 64) + (64 * 32 + 32) + (5 * 5 * 32 * 3 + 3)  # RGB 9-1-5
    assert list(mse["per_image"]) == ["grey", "photo0", "photo1"] and mse["epochs"] == 1
    assert mse["psnr_gain"] == pytest.approx(mse["psnr"] - mse["psnr_baseline"])
    run = tmp_path / "runs" / "superres"
    assert (run / "srcnn-mse" / "model.keras").is_file()
    assert (run / "srcnn-mse_comparison.png").read_bytes()[:8] == PNG_MAGIC
    assert not list(run.glob("superres_metrics.json"))  # the runner writes metrics.json, and only it
    table = (run / "results.md").read_text()
    assert "bicubic PSNR (dB)" in table and "PSNR gain (dB)" in table and "| srcnn-mse |" in table
    assert "ms/image" in table and mse["ms_per_image"] > 0
    assert mse["steps"] == -(-metrics["num_patches"]["bicubic_input"] // 8)  # one epoch of batches of 8


def test_superres_compares_learned_upsampling_and_warns_once_for_random_vgg_features(tmp_path, monkeypatch, capsys):
    from keras_vision import network

    monkeypatch.setattr(network, "downloads_available", lambda *args, **kwargs: False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    config = superres_config(tmp_path, models="srcnn,espcn,fsrcnn", losses="perceptual")
    metrics = run_experiment(config)
    assert list(metrics["models"]) == ["srcnn-perceptual", "espcn-perceptual", "fsrcnn-perceptual"]
    assert metrics["num_patches"] == {"bicubic_input": 27, "lr_input": 27}  # 3 x 3 windows of 16 in 3 images
    assert metrics["vgg_weights"] == "random (ImageNet weights unavailable)" and metrics["flips"] is True
    warnings = [line for line in capsys.readouterr().err.splitlines() if "RANDOM VGG16 features" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: ")
    for name, record in metrics["models"].items():
        assert record["upsamples_inside"] == (name != "srcnn-perceptual")
        assert record["ms_per_image"] > 0 and record["steps"] == 4 and len(record["per_image"]) == 3
    assert metrics["models"]["espcn-perceptual"]["params"] == build_espcn(scale=2).count_params()
    with pytest.raises(UsageError, match="--models takes some of srcnn, espcn, fsrcnn"):
        run_experiment(superres_config(tmp_path, models="srcnn,vdsr"))


def test_train_sr_model_learns_with_flips_and_refuses_patches_of_the_wrong_kind(tmp_path):
    keras.utils.set_random_seed(0)
    image = smooth_image(64, 64, seed=3)
    patches = make_patches([image], scale=2, patch_size=16, stride=8, low_resolution=True)
    options = dict(scale=2, loss=lambda: make_loss("mse"), residual=False, learning_rate=3e-3, batch_size=16, verbose=0)
    model, result = train_sr_model(
        patches, architecture="espcn", flips=True, seed=0, epochs=6, run_dir=tmp_path / "espcn", **options
    )
    assert result.history["loss"][-1] < 0.3 * result.history["loss"][0]
    assert optimizer_steps(model) == 6 * 4  # 49 patches, batches of 16
    bicubic_patches = make_patches([image], scale=2, patch_size=16, stride=8)
    with pytest.raises(ValueError, match=r"make_patches\(low_resolution=True\)"):
        train_sr_model(bicubic_patches, architecture="espcn", epochs=1, run_dir=tmp_path / "wrong", **options)


def test_photographs_too_small_for_a_patch_or_for_ssim_are_usage_errors(tmp_path):
    small = write_photos(tmp_path / "small", count=1, size=(12, 12))
    with pytest.raises(UsageError, match="patch_size=16.*Lower --patch-size"):
        run_experiment(superres_config(tmp_path, data_dir=small, losses="mse"))
    with pytest.raises(UsageError, match="at least 15 pixels on each side at --scale 2.*grey, photo0"):
        run_experiment(superres_config(tmp_path, eval_dir=small, losses="mse"))


@pytest.mark.slow
def test_superres_experiment_trains_both_losses(tmp_path):
    metrics = run_experiment(superres_config(tmp_path, losses="mse,perceptual", vgg_weights="none"))
    assert set(metrics["models"]) == {"srcnn-mse", "srcnn-perceptual", "espcn-mse", "espcn-perceptual"}
    for name, model in metrics["models"].items():
        assert len(model["per_image"]) == 3 and model["seconds"] > 0
        assert (tmp_path / "runs" / "superres" / name / "model.keras").is_file()


# Bicubic Y-PSNR published with SRCNN (Dong et al., TPAMI 2016, Table 2), MATLAB imresize.
PAPER_BICUBIC = [("CSet5", 2, 33.66), ("CSet5", 3, 30.39), ("CSet14", 2, 30.23), ("CSet14", 3, 27.54)]


@pytest.mark.real_data
@pytest.mark.parametrize("folder,scale,paper_db", PAPER_BICUBIC)
def test_bicubic_baseline_matches_the_srcnn_paper(shared_data, folder, scale, paper_db):
    images, _ = load_photo_folder(shared_data / "sr" / folder)
    mean = np.mean([psnr_y(modcrop(image, scale), degrade(image, scale), shave=scale) for image in images])
    print(f"{folder} x{scale}: bicubic {mean:.2f} dB (paper {paper_db})")
    assert mean == pytest.approx(paper_db, abs=0.15)


def test_superres_experiment_on_mock_oxford_pets(tmp_path):
    import tensorflow_datasets as tfds

    config = EXPERIMENTS.get("superres").make_config(
        source="pet",
        data_dir=tmp_path / "tfds",
        limit=2,
        models="srcnn",
        losses="mse",
        epochs=1,
        patch_size=32,
        patch_stride=112,
        verbose="silent",
        out=tmp_path / "runs",
    )
    with tfds.testing.mock_data(num_examples=2):
        metrics = run_experiment(config)
    assert metrics["num_patches"] == {"bicubic_input": 2 * 3 * 3}  # windows at 0, 112, 224 in each 256x256 photo
    assert len(metrics["models"]["srcnn-mse"]["per_image"]) == 2  # Pet's test split
