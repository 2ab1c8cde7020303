"""keras_vision.superres: degradation, metrics against scikit-image, SRCNN against the paper's
parameter counts, the perceptual loss, data, evaluation and a tiny training run."""

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
    load_evaluation_photos,
    load_pet_photos,
    load_photo_folder,
    load_training_photos,
    make_patches,
    make_test_pairs,
)
from keras_vision.superres.losses import PerceptualLoss, make_loss, vgg16_feature_extractor
from keras_vision.superres.predict import plot_superres_comparison, super_resolve
from keras_vision.superres.train import TimeBudget, train_srcnn

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


def test_train_srcnn_builds_in_the_strategy_and_learns(tmp_path):
    """Four epochs on the patches of one image: the variables are the strategy's, the loss falls."""
    keras.utils.set_random_seed(0)
    inputs, targets = make_patches([smooth_image(64, 64, seed=3)], scale=2, patch_size=16, stride=8)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    model, result = train_srcnn(
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
    model, result = train_srcnn(
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
    metrics = run_experiment(superres_config(tmp_path, losses="mse", strategy="mirrored"))
    mse = metrics["models"]["mse"]
    assert {"psnr", "ssim", "psnr_baseline", "ssim_baseline", "psnr_gain", "ssim_gain", "per_image"} <= set(mse)
    assert {"params", "trainable_params", "seconds", "seconds_per_epoch", "epochs"} <= set(mse)
    assert mse["params"] == (9 * 9 * 3 * 64 + 64) + (64 * 32 + 32) + (5 * 5 * 32 * 3 + 3)  # RGB 9-1-5
    assert list(mse["per_image"]) == ["grey", "photo0", "photo1"] and mse["epochs"] == 1
    assert mse["psnr_gain"] == pytest.approx(mse["psnr"] - mse["psnr_baseline"])
    run = tmp_path / "runs" / "superres"
    assert (run / "mse" / "model.keras").is_file() and (run / "mse_comparison.png").read_bytes()[:8] == PNG_MAGIC
    assert not list(run.glob("superres_metrics.json"))  # the runner writes metrics.json, and only it
    table = (run / "results.md").read_text()
    assert "bicubic PSNR (dB)" in table and "PSNR gain (dB)" in table and "| mse |" in table


def test_photographs_too_small_for_a_patch_or_for_ssim_are_usage_errors(tmp_path):
    small = write_photos(tmp_path / "small", count=1, size=(12, 12))
    with pytest.raises(UsageError, match="patch_size=16.*Lower --patch-size"):
        run_experiment(superres_config(tmp_path, data_dir=small, losses="mse"))
    with pytest.raises(UsageError, match="at least 15 pixels on each side at --scale 2.*grey, photo0"):
        run_experiment(superres_config(tmp_path, eval_dir=small, losses="mse"))


@pytest.mark.slow
def test_superres_experiment_trains_both_losses(tmp_path):
    metrics = run_experiment(superres_config(tmp_path, losses="mse,perceptual"))
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
        losses="mse",
        epochs=1,
        patch_size=32,
        patch_stride=112,
        verbose="silent",
        out=tmp_path / "runs",
    )
    with tfds.testing.mock_data(num_examples=2):
        metrics = run_experiment(config)
    assert metrics["num_patches"] == 2 * 3 * 3  # windows at 0, 112, 224 in each 256x256 photo
    assert len(metrics["models"]["mse"]["per_image"]) == 2  # Pet's test split
