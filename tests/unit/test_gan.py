"""`keras_vision.gan`: builders, losses, the DCGAN train_step through `fit` (with a real resume),
sample grids and GIF, and the generative scores against independent computations."""

import json
import math

import keras
import numpy as np
import pytest
import scipy.linalg
from PIL import Image

from keras_vision.gan import (
    DCGAN,
    MinibatchStddev,
    build_dcgan,
    build_discriminator,
    build_generator,
    confident_share,
    discriminator_loss,
    frechet_distance,
    generator_loss,
    inner_checkerboard,
    inner_features,
    label_entropy,
    tile_grid,
    train_dcgan,
    write_gif,
)
from keras_vision.gan.scores import EpochScores, Scorer, read_scores, sample_scores
from keras_vision.models import build_classic_cnn
from keras_vision.training import read_history_csv, set_seed


@pytest.fixture(autouse=True)
def _seed():
    set_seed(0)


def random_spd(d, rng):
    a = rng.normal(size=(d, d))
    return a @ a.T + 0.1 * np.eye(d)


# ---------------------------------------------------------------- scores


def test_frechet_distance_of_diagonal_gaussians_matches_the_closed_form():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    s1, s2 = rng.uniform(0.1, 3, 5), rng.uniform(0.1, 3, 5)
    # Closed form for commuting (diagonal) covariances: sum (sqrt(s1) - sqrt(s2))^2 + ||mu1 - mu2||^2.
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    assert frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("d", [1, 3, 8])
def test_frechet_distance_of_full_gaussians_matches_scipy_sqrtm(d):
    rng = np.random.default_rng(d)
    mu1, mu2, s1, s2 = rng.normal(size=d), rng.normal(size=d), random_spd(d, rng), random_spd(d, rng)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * np.real(scipy.linalg.sqrtm(s1 @ s2)))
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-8)
    assert frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-9)


def test_frechet_distance_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same D"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))


def test_label_entropy_and_confident_share():
    uniform = np.eye(10)[np.arange(100) % 10]
    assert label_entropy(uniform) == pytest.approx(math.log(10))
    assert label_entropy(np.eye(10)[np.zeros(50, int)]) == 0.0
    probs = np.array([[0.95, 0.05], [0.5, 0.5], [0.1, 0.9], [0.2, 0.8]])
    assert confident_share(probs) == 0.5  # 0.95 and 0.9 reach 0.9


def test_sample_scores_of_real_like_images_are_a_distance_of_zero_to_themselves():
    scorer = Scorer.from_classifier(build_classic_cnn((28, 28, 1), 10))
    images = np.random.default_rng(0).uniform(0, 1, (40, 28, 28, 1)).astype("float32")
    features, _ = scorer(images)
    scores = sample_scores(scorer, images, features)
    assert scores["fid"] == pytest.approx(0.0, abs=1e-6)
    assert set(scores) == {"fid", "confident_share", "label_entropy", "checkerboard"}
    with pytest.raises(ValueError, match="fc1"):
        Scorer.from_classifier(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")]))


def test_inner_checkerboard_finds_the_transposed_convolutions_fingerprint():
    """At initialisation a stride-2 transposed convolution leaves a strong 2x2 pattern (uneven
    overlap); nearest resize + convolution leaves almost none (measured: about 0.2-0.3 vs 0.001)."""
    noise = np.random.default_rng(0).normal(size=(32, 64)).astype("float32")
    energies = {}
    for upsampler in ("transpose", "resize"):
        set_seed(0)
        energies[upsampler] = inner_checkerboard(build_generator(upsampler=upsampler), noise)
    assert energies["transpose"] > 0.1 > 20 * energies["resize"], energies
    with pytest.raises(ValueError, match="block<N>_conv"):
        inner_checkerboard(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")]), noise[:, :4])


# ---------------------------------------------------------------- models and losses


@pytest.mark.parametrize(
    "upsampler, layer", [("transpose", keras.layers.Conv2DTranspose), ("resize", keras.layers.UpSampling2D)]
)
def test_generator_uses_the_upsampler_and_makes_images_in_minus1_1(upsampler, layer):
    generator = build_generator(16, upsampler=upsampler, filters=(8, 4), base_filters=8)
    assert tuple(generator.output_shape) == (None, 28, 28, 1)
    kinds = [type(each) for each in generator.layers]
    assert kinds.count(layer) == 2 and generator.get_layer("block2_bn") is not None
    images = np.asarray(generator(np.random.default_rng(0).normal(size=(3, 16)).astype("float32") * 100))
    assert np.abs(images).max() <= 1.0
    assert generator.get_layer("output_conv").activation is keras.activations.tanh


def test_builders_reject_bad_arguments():
    with pytest.raises(ValueError, match="transpose"):
        build_generator(upsampler="pixelshuffle")
    with pytest.raises(ValueError, match="divisible"):
        build_generator(image_shape=(30, 30, 1))
    with pytest.raises(ValueError, match="dropout"):
        build_discriminator(dropout=1.5)
    with pytest.raises(ValueError, match="agree"):
        DCGAN(build_generator(filters=(8, 4), base_filters=8), build_discriminator((32, 32, 1)))


def test_discriminator_gives_one_logit_per_image():
    discriminator = build_discriminator(filters=(4, 8))
    assert tuple(discriminator.output_shape) == (None, 1)
    assert [each.name for each in discriminator.layers if isinstance(each, keras.layers.Conv2D)] == [
        "block1_conv",
        "block2_conv",
    ]


def test_minibatch_stddev_tells_a_batch_of_copies_from_a_varied_batch(tmp_path):
    rng = np.random.default_rng(0)
    varied = rng.normal(size=(5, 4, 4, 3)).astype("float32")
    out = np.asarray(MinibatchStddev()(varied))
    assert out.shape == (5, 4, 4, 4) and np.allclose(out[..., :3], varied)
    expected = np.mean(np.sqrt(varied.var(axis=0) + 1e-8))  # population variance over the batch, per feature
    assert np.allclose(out[..., 3], expected, rtol=1e-5)
    copies = np.repeat(varied[:1], 5, axis=0)
    assert np.asarray(MinibatchStddev()(copies))[..., 3].max() < 1e-3 < expected
    discriminator = build_discriminator(filters=(4, 8, 16), dropout=0.0, minibatch_stddev=True)
    assert discriminator.get_layer("minibatch_stddev").output.shape[1:] == (4, 4, 17)
    discriminator.save(tmp_path / "d.keras")
    again = keras.models.load_model(tmp_path / "d.keras")
    images = rng.uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    assert np.allclose(again(images), discriminator(images), atol=1e-6)


def test_minibatch_stddev_of_copies_has_finite_gradients_in_float16():
    copies = keras.ops.convert_to_tensor(np.ones((8, 4, 4, 2), np.float16))
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(copies)
        total = keras.ops.sum(MinibatchStddev()(copies))
    assert np.isfinite(np.asarray(tape.gradient(total, copies), np.float32)).all()


def test_losses_match_binary_cross_entropy_by_hand():
    real, fake = np.array([[2.0], [-1.0], [0.5]]), np.array([[0.3], [-2.0], [1.0]])
    softplus = lambda z: np.log1p(np.exp(z))  # noqa: E731  BCE(target t, logit z) = softplus(z) - t z
    bce = lambda t, z: np.mean(softplus(z) - t * z)  # noqa: E731
    assert float(discriminator_loss(real, fake)) == pytest.approx(bce(1.0, real) + bce(0.0, fake), rel=1e-5)
    assert float(discriminator_loss(real, fake, label_smoothing=0.1)) == pytest.approx(
        bce(0.9, real) + bce(0.0, fake), rel=1e-5
    )
    assert float(generator_loss(fake)) == pytest.approx(bce(1.0, fake), rel=1e-5)


# ---------------------------------------------------------------- training, grids, resume


def blobs(n=64, seed=0):
    """Images in [-1, 1]: a bright square at a random place on a dark background."""
    rng = np.random.default_rng(seed)
    images = -np.ones((n, 28, 28, 1), np.float32)
    for image, (r, c) in zip(images, rng.integers(2, 18, size=(n, 2))):
        image[r : r + 8, c : c + 8] = 1.0
    return images


class InterruptAt(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def test_dcgan_trains_through_fit_and_resumes_after_an_interruption(tmp_path, monkeypatch):
    import keras_vision.gan.train as train_module

    scorer = Scorer.from_classifier(build_classic_cnn((28, 28, 1), 10, filters=4, dense_units=8))
    reference, _ = scorer(blobs(32, seed=1) / 2 + 0.5)
    kwargs = dict(epochs=3, batch_size=16, scorer=scorer, reference_features=reference, score_count=32, verbose=0)
    gan = build_dcgan("transpose", latent_dim=8, width=4)
    real_fit = train_module.fit
    monkeypatch.setattr(
        train_module, "fit", lambda *a, **k: real_fit(*a, **{**k, "callbacks": [*k["callbacks"], InterruptAt(2)]})
    )
    with pytest.raises(KeyboardInterrupt):
        train_dcgan(gan, blobs(), tmp_path, **kwargs)
    monkeypatch.setattr(train_module, "fit", real_fit)
    after_two = [w.copy() for w in gan.generator.get_weights()]
    average_after_two = [w.copy() for w in gan.ema_generator.get_weights()]
    d_steps = int(gan.d_optimizer.iterations)
    assert d_steps == 2 * (64 // 16) and (tmp_path / "backup").is_dir()

    resumed = build_dcgan("transpose", latent_dim=8, width=4, seed=5)  # other weights: the backup must win
    seen = {}

    class Probe(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen["weights"] = self.model.generator.get_weights()
            seen["average"] = self.model.ema_generator.get_weights()
            seen["steps"] = int(self.model.d_optimizer.iterations)

    monkeypatch.setattr(
        train_module, "fit", lambda *a, **k: real_fit(*a, **{**k, "callbacks": [*k["callbacks"], Probe()]})
    )
    result = train_dcgan(resumed, blobs(), tmp_path, resume=True, **kwargs)
    assert seen["steps"] == d_steps
    for restored, saved in zip(seen["weights"] + seen["average"], after_two + average_after_two):
        np.testing.assert_array_equal(restored, saved)
    assert result.epochs == 3 and int(resumed.g_optimizer.iterations) == 3 * (64 // 16)
    history = read_history_csv(tmp_path / "history.csv")
    assert {"d_loss", "g_loss", "d_real", "d_fake"} <= set(history) and len(history["g_loss"]) == 3
    assert read_scores(tmp_path / "scores.csv")["epoch"] == [1.0, 2.0, 3.0]
    frames = sorted(p.name for p in (tmp_path / "samples").glob("epoch_*.png"))
    assert frames == ["epoch_001.png", "epoch_002.png", "epoch_003.png"]
    with Image.open(tmp_path / "samples" / "progress.gif") as gif:
        assert gif.n_frames == 3
    assert (tmp_path / "model.keras").is_file() and not (tmp_path / "backup").exists()
    assert json.loads((tmp_path / "history.json").read_text())["d_loss"] == history["d_loss"]


def test_the_sampler_is_a_moving_average_of_the_generator():
    gan = build_dcgan("resize", latent_dim=8, width=4, learning_rate=2e-3)
    assert gan.sampler is gan.ema_generator and gan.ema_decay == 0.999
    before = [w.copy() for w in gan.generator.get_weights()]
    np.testing.assert_array_equal(gan.ema_generator.get_weights()[0], before[0])  # starts as a copy
    gan.fit(blobs(16), batch_size=16, epochs=1, verbose=0)  # one step: decay min(0.999, 2 / 11)
    decay = 2 / 11
    after = gan.generator.get_weights()
    assert not np.allclose(after[0], before[0])
    for average, old, new in zip(gan.ema_generator.get_weights(), before, after):
        np.testing.assert_allclose(average, decay * old + (1 - decay) * new, rtol=1e-5, atol=1e-6)
    noise = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    np.testing.assert_allclose(gan.generate(noise), gan.ema_generator.predict(noise, verbose=0), atol=1e-6)

    plain = DCGAN(build_generator(8, filters=(8, 4), base_filters=8), build_discriminator(filters=(4, 8)), ema_decay=0)
    assert plain.ema_generator is None and plain.sampler is plain.generator
    with pytest.raises(ValueError, match="ema_decay"):
        DCGAN(build_generator(8, filters=(8, 4), base_filters=8), build_discriminator(filters=(4, 8)), ema_decay=1.0)


def test_discriminator_steps_lower_its_loss_on_a_fixed_batch():
    gan = build_dcgan("resize", latent_dim=8, width=4, learning_rate=2e-3)
    real = blobs(32)
    noise = np.random.default_rng(0).normal(size=(32, 8)).astype("float32")
    fake = gan.generator(noise, training=False)

    def d_loss():
        return float(discriminator_loss(gan.discriminator(real), gan.discriminator(fake)))

    before = d_loss()
    gan.fit(real, batch_size=32, epochs=5, verbose=0)
    assert d_loss() < before


class SamplerOnly:
    """What `EpochScores` uses of a DCGAN: its sampler, `latent_dim` and `generate`."""

    def __init__(self, sampler):
        self.sampler, self.latent_dim = sampler, int(sampler.input_shape[-1])

    def generate(self, noise):
        return self.sampler.predict(noise, verbose=0)


def test_epoch_scores_rewrite_an_older_file_by_column_and_skip_the_inner_score_without_blocks(tmp_path):
    scorer = Scorer.from_classifier(build_classic_cnn((28, 28, 1), 10, filters=4, dense_units=8))
    reference, _ = scorer(blobs(16, seed=1) / 2 + 0.5)
    path = tmp_path / "scores.csv"
    path.write_text("epoch,fid,confident_share,label_entropy,checkerboard,seconds\n1,9.5,0.25,2,0.0002,3\n")
    callback = EpochScores(scorer, reference, path, count=16, inner_count=8)
    callback.set_model(SamplerOnly(build_generator(8, filters=(8, 4), base_filters=8)))
    callback.on_epoch_end(1)  # epoch 2, resumed with a version that adds inner_checkerboard
    scores = read_scores(path)
    assert scores["epoch"] == [1.0, 2.0] and scores["seconds"][0] == 3.0 and scores["fid"][0] == 9.5
    assert math.isnan(scores["inner_checkerboard"][0]) and 0 <= scores["inner_checkerboard"][1] <= 1

    plain = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(28 * 28, activation="tanh"), keras.layers.Reshape((28, 28, 1))]
    )  # no blockN_conv layer
    callback = EpochScores(scorer, reference, tmp_path / "plain.csv", count=16)
    callback.set_model(SamplerOnly(plain))
    callback.on_epoch_end(0)
    assert "inner_checkerboard" not in read_scores(tmp_path / "plain.csv")


def test_tile_grid_and_gif(tmp_path):
    images = np.stack([np.full((4, 5), v) for v in (0.0, 0.5, 1.0)])
    grid = tile_grid(images, cols=2, pad=1)
    assert grid.shape == (2 * 5 + 1, 2 * 6 + 1) and grid.dtype == np.uint8
    assert grid[1, 1] == 0 and grid[1, 7] == 128 and grid[6, 1] == 255
    frames = []
    for k in range(3):
        frames.append(tmp_path / f"epoch_{k + 1:03d}.png")
        Image.fromarray(np.roll(grid, k, axis=1)).save(frames[-1])  # different frames (a GIF merges equal ones)
    with Image.open(write_gif(frames, tmp_path / "run.gif")) as gif:
        assert gif.n_frames == 3
    with pytest.raises(ValueError, match="empty"):
        write_gif([], tmp_path / "none.gif")


def test_load_scorer_refuses_a_damaged_or_foreign_file_in_one_line(tmp_path):
    from keras_vision.errors import CorruptDataError
    from keras_vision.gan import load_scorer

    images = blobs(20, seed=3) / 2 + 0.5
    data = (images, np.arange(20) % 10)
    damaged = tmp_path / "damaged.keras"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CorruptDataError, match=r"damaged.keras cannot be used.*Delete it"):
        load_scorer("mnist", data, data, path=damaged)
    other = tmp_path / "other.keras"
    build_classic_cnn((32, 32, 1), 10, filters=4, dense_units=8).save(other)
    with pytest.raises(CorruptDataError, match=r"takes images \(32, 32, 1\), not \(28, 28, 1\)"):
        load_scorer("mnist", data, data, path=other)
    cached = tmp_path / "cache" / "scorer.keras"
    trained = load_scorer("mnist", data, data, path=cached, epochs=1)
    assert cached.is_file() and not list(cached.parent.glob(".*partial*"))  # written whole, atomically
    loaded = load_scorer("mnist", data, data, path=cached)
    np.testing.assert_allclose(loaded(images[:4])[1], trained(images[:4])[1], rtol=1e-5, atol=1e-6)


def test_comparison_figures_are_drawn_to_the_paths_given(tmp_path):
    from keras_vision.gan import plot_checkerboard, plot_final_samples

    gan = build_dcgan("transpose", latent_dim=8, width=4)
    noise = np.random.default_rng(0).normal(size=(16, 8)).astype("float32")
    samples = (np.asarray(gan.generate(noise)) + 1) / 2
    inner = inner_features(gan.sampler, noise)
    grids = plot_final_samples(
        {"transpose": samples, "copy": samples}, {"transpose": 1.5, "copy": 2.0}, tmp_path / "a.png"
    )
    checker = plot_checkerboard({"transpose": (samples, inner)}, {"transpose": (0.1, 0.2)}, tmp_path / "b.png")
    assert grids.read_bytes()[:8] == checker.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png"]
