"""Scores of a generative model, with a classifier of the same images as the judge.

A GAN has no test accuracy. What can be measured is how its samples look to a network that knows
the real images; here the course's own MNIST CNN (`keras_vision.models.build_classic_cnn`),
trained once on the real training set (`load_scorer` caches it per dataset):

- **classifier FID** (`frechet_distance` of `feature_statistics`): fit a Gaussian to the
  classifier's penultimate features (`fc1`, 128 values) of N generated images and of N real test
  images, and measure the Fréchet distance between the two Gaussians,

      ||mu_1 - mu_2||^2 + trace(S_1 + S_2 - 2 (S_1 S_2)^(1/2)).

  It is the FID of Heusel et al. with the MNIST CNN in place of Inception. It depends on N and on
  the feature extractor, so it is only ever compared with the same distance between the real
  training and test sets (`real_floor`): a generator is as good as real data when it reaches it.
- **confident share**: the share of samples the classifier labels with probability >= 0.9 (an
  unreadable digit gets a hesitant prediction);
- **label entropy**: the entropy (nats) of the distribution of predicted labels; `ln 10 = 2.303`
  when all ten digits are generated equally often, low when the generator collapsed onto a few;
- **checkerboard energy** (`keras_vision.upsample.checkerboard_energy`): the share of the samples'
  variation in the stride-2 sub-pixel phase pattern, the fingerprint of transposed convolutions;
- **inner checkerboard** (`inner_checkerboard`): the same share in what the generator's last
  upsampling block makes, before the output convolution. A trained generator can learn to cancel
  the pattern in that last convolution (the discriminator sees it), so the samples may be clean
  while the upsampler's fingerprint is still there one layer earlier.

Reference: Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
Equilibrium", NeurIPS 2017 (FID); Salimans et al., NeurIPS 2016 (the Inception score's idea of
confident, diverse labels).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from keras_vision.errors import CorruptDataError
from keras_vision.files import save_model
from keras_vision.gan.samples import to_unit
from keras_vision.models import build_classic_cnn
from keras_vision.upsample import checkerboard_energy

#: The classifier layer whose activations are the features (the classic CNN's Dense(128)).
FEATURE_LAYER = "fc1"
#: A prediction counts as confident at or above this probability.
CONFIDENCE = 0.9


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (unbiased, N - 1) of features (N, D): the Gaussian FID compares.

    Raises:
        ValueError: for anything but a 2-D array with at least two rows.
    """
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"`features` must be (N, D) with N >= 2. Received: shape {features.shape}.")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet (2-Wasserstein) distance squared between two Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    `||mu1 - mu2||^2 + tr(sigma1) + tr(sigma2) - 2 tr((sigma1 sigma2)^(1/2))`. The trace of the
    square root is computed stably from symmetric matrices: with `R = sigma1^(1/2)` (from an
    eigendecomposition), `(sigma1 sigma2)^(1/2)` has the eigenvalues of the square root of the
    symmetric positive semi-definite `R sigma2 R`.

    Args:
        mu1, mu2: Means, shape (D,).
        sigma1, sigma2: Covariances, shape (D, D), symmetric positive semi-definite.

    Returns:
        A float >= 0 (0 for identical Gaussians, up to rounding).
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    d = mu1.shape[0]
    if mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(
            f"Means must be (D,) and covariances (D, D) with the same D. Received: mu1 {mu1.shape}, "
            f"sigma1 {sigma1.shape}, mu2 {mu2.shape}, sigma2 {sigma2.shape}."
        )
    root1 = _psd_sqrt(sigma1)
    inner = np.linalg.eigvalsh((root1 @ sigma2 @ root1 + (root1 @ sigma2 @ root1).T) / 2)
    trace_sqrt = np.sum(np.sqrt(np.clip(inner, 0, None)))
    distance = np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt
    return float(max(distance, 0.0))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def features_distance(features_a, features_b) -> float:
    """`frechet_distance` between the Gaussians fitted to two feature sets (N, D) and (M, D)."""
    return frechet_distance(*feature_statistics(features_a), *feature_statistics(features_b))


def confident_share(probs, threshold: float = CONFIDENCE) -> float:
    """Share of rows of `probs` (N, classes) whose largest probability is at least `threshold`."""
    probs = np.asarray(probs)
    return float(np.mean(probs.max(axis=1) >= threshold))


def label_entropy(probs) -> float:
    """Entropy in nats of the predicted labels' distribution (argmax of each row of `probs`).

    `ln(classes)` when every class is predicted equally often, 0 when all samples get one label.
    """
    probs = np.asarray(probs)
    counts = np.bincount(probs.argmax(axis=1), minlength=probs.shape[1])
    share = counts[counts > 0] / counts.sum()
    return float(-np.sum(share * np.log(share)))


# --------------------------------------------------------------------------------------------
# The judge: the course's MNIST CNN
# --------------------------------------------------------------------------------------------


@dataclass
class Scorer:
    """A trained classifier seen as (penultimate features, class probabilities) of images in [0, 1].

    Attributes:
        model: `keras.Model` from images to `[features, probabilities]`.
        path: The file the classifier was loaded from or saved to.
        test_accuracy: Its accuracy on the real test images, when measured (None otherwise).
    """

    model: keras.Model
    path: Path | None = None
    test_accuracy: float | None = None

    @classmethod
    def from_classifier(cls, classifier: keras.Model, **kwargs) -> Scorer:
        """Wraps a softmax classifier that has a layer named `fc1` (the features)."""
        try:
            features = classifier.get_layer(FEATURE_LAYER).output
        except ValueError:
            raise ValueError(
                f"The classifier {classifier.name!r} has no layer {FEATURE_LAYER!r} to take features "
                f"from; use keras_vision.models.build_classic_cnn."
            ) from None
        return cls(keras.Model(classifier.inputs, [features, classifier.output], name="scorer"), **kwargs)

    def __call__(self, images, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
        """Features (N, 128) and probabilities (N, classes) of images (N, H, W, C) in [0, 1]."""
        features, probs = self.model.predict(np.asarray(images, np.float32), batch_size=batch_size, verbose=0)
        return features, probs


def scorer_path(dataset: str, train_count: int, epochs: int) -> Path:
    """`$KERAS_HOME/keras_vision/scorers/<dataset>_<train_count>x<epochs>_classic_cnn.keras`: `load_scorer`'s cache.

    The key holds the training set's size and the epochs, so that a quick run on a subset never
    leaves a weaker judge for the full run.
    """
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return home / "keras_vision" / "scorers" / f"{dataset}_{train_count}x{epochs}_classic_cnn.keras"


def load_scorer(
    dataset: str,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    path: str | Path | None = None,
    epochs: int = 2,
    seed: int = 0,
) -> Scorer:
    """The classic CNN of `dataset` as a `Scorer`: loaded from `path` if it exists, else trained and saved there.

    Args:
        dataset: Dataset name, the cache key (`mnist`, `fashion_mnist`).
        train: Real training images (N, 28, 28, 1) in [0, 1] and integer labels (N,).
        test: Real test images and labels, to report the classifier's accuracy.
        path: The classifier file (`.keras`). Defaults to `scorer_path(dataset, len(train[0]), epochs)`.
        epochs: Training epochs when it has to be trained. Defaults to `2`.
        seed: Seed of that training. Defaults to `0`.

    Returns:
        A `Scorer` with its test accuracy.

    Raises:
        CorruptDataError: `path` exists but is not a Keras model file with a layer `fc1` taking
            these images (a truncated cache, another model).
    """
    path = Path(path) if path is not None else scorer_path(dataset, len(train[0]), epochs)
    if path.exists():
        classifier = _load_classifier(path, train[0].shape[1:])
    else:
        keras.utils.set_random_seed(seed)
        classifier = build_classic_cnn(train[0].shape[1:], int(train[1].max()) + 1)
        classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        classifier.fit(*train, epochs=epochs, batch_size=128, verbose=0)
        save_model(classifier, path)
    probs = classifier.predict(test[0], batch_size=500, verbose=0)
    accuracy = float(np.mean(probs.argmax(axis=1) == np.asarray(test[1]).reshape(-1)))
    return Scorer.from_classifier(classifier, path=path, test_accuracy=accuracy)


def _load_classifier(path: Path, image_shape) -> keras.Model:
    """The classifier saved at `path`, checked to take `image_shape` images and to have `fc1`."""
    try:
        classifier = keras.models.load_model(path)
        classifier.get_layer(FEATURE_LAYER)
        fits = tuple(classifier.input_shape[1:]) == tuple(image_shape)
    except Exception as error:  # a truncated zip, another file type, a model without fc1: one message
        fits, reason = False, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    else:
        reason = f"it takes images {classifier.input_shape[1:]}, not {tuple(image_shape)}"
    if not fits:
        raise CorruptDataError(
            f"The scorer {path} cannot be used ({reason}). Delete it to train a new one, or pass a classic CNN "
            f"of these images (keras_vision.models.build_classic_cnn) saved as .keras."
        )
    return classifier


def real_floor(scorer: Scorer, train_images, test_images, count: int, *, seed: int = 0) -> dict:
    """The scores of real data: `count` random training images judged against `count` test images.

    Returns:
        `{"fid": ..., "confident_share": ..., "label_entropy": ..., "checkerboard": ...}` of the
        real training images: the values a perfect generator would reach.
    """
    rng = np.random.default_rng(seed)
    picked = np.asarray(train_images)[rng.choice(len(train_images), size=min(count, len(train_images)), replace=False)]
    reference, _ = scorer(np.asarray(test_images)[:count])
    return sample_scores(scorer, picked, reference)


def sample_scores(scorer: Scorer, images, reference_features) -> dict:
    """Every score of a batch of images (N, H, W, C) in [0, 1] against real test features.

    Returns:
        `{"fid", "confident_share", "label_entropy", "checkerboard"}` as floats.
    """
    features, probs = scorer(images)
    return {
        "fid": features_distance(features, reference_features),
        "confident_share": confident_share(probs),
        "label_entropy": label_entropy(probs),
        "checkerboard": checkerboard_energy(images, 2),
    }


#: Layer names of the upsampling blocks' last convolution in `keras_vision.gan.build_generator`.
UPSAMPLER_OUTPUT = re.compile(r"block(\d+)_conv")


def last_upsampler(generator: keras.Model):
    """The generator's last upsampling block's output layer (`blockN_conv`, largest N), or None."""
    blocks = [layer for layer in generator.layers if UPSAMPLER_OUTPUT.fullmatch(layer.name)]
    return max(blocks, key=lambda layer: int(UPSAMPLER_OUTPUT.fullmatch(layer.name).group(1)), default=None)


def inner_features(generator: keras.Model, noise, *, batch_size: int = 250) -> np.ndarray:
    """What the generator's last upsampling block (`blockN_conv`) makes for `noise`: (N, H, W, channels).

    Raises:
        ValueError: when `generator` has no layer named `block<N>_conv`, or `noise` is empty.
    """
    last = last_upsampler(generator)
    if last is None:
        raise ValueError(
            f"{generator.name} has no upsampling block (a layer named block<N>_conv); build it with "
            "keras_vision.gan.build_generator."
        )
    noise = np.asarray(noise, np.float32)
    if noise.ndim != 2 or len(noise) == 0:
        raise ValueError(f"`noise` must be (N, latent_dim) with N >= 1. Received: shape {noise.shape}.")
    inner = keras.Model(generator.inputs, last.output)
    return inner.predict(noise, batch_size=batch_size, verbose=0)


def inner_checkerboard(generator: keras.Model, noise, *, batch_size: int = 250) -> float:
    """Checkerboard energy of `inner_features(generator, noise)`, pooled over its channels.

    What the upsampler hands to the output convolution, before that layer can clean it up.
    """
    return checkerboard_energy(inner_features(generator, noise, batch_size=batch_size), 2)


class EpochScores(keras.callbacks.Callback):
    """Scores `count` samples of a `DCGAN`'s generator after every epoch, appended to a CSV file.

    The file (`scores.csv`: epoch, fid, confident_share, label_entropy, checkerboard,
    inner_checkerboard of the first `inner_count` samples, seconds) is kept across a resumed run,
    like `history.csv`; a file with other columns (an older version's) is rewritten with the new
    ones, blank where its rows have no value. The same noise is used at every epoch.
    `inner_checkerboard` is left out for a generator without `blockN_conv` layers or with
    `inner_count=0`.

    Args:
        scorer: The judge (`load_scorer`).
        reference_features: Features of real test images (`scorer(test_images)[0]`).
        path: The CSV file.
        count: Samples per epoch. Defaults to `2000`.
        inner_count: Samples whose `inner_checkerboard` is measured. Defaults to `500`.
        seed: Seed of the noise. Defaults to `0`.
    """

    def __init__(
        self,
        scorer: Scorer,
        reference_features,
        path: str | Path,
        *,
        count: int = 2000,
        inner_count: int = 500,
        seed: int = 0,
    ):
        super().__init__()
        self.scorer, self.reference, self.path = scorer, reference_features, Path(path)
        self.count, self.inner_count, self.seed = count, inner_count, seed

    def on_epoch_end(self, epoch, logs=None):
        start = time.perf_counter()
        noise = np.random.default_rng(self.seed).normal(size=(self.count, self.model.latent_dim)).astype("float32")
        scores = sample_scores(self.scorer, to_unit(self.model.generate(noise)), self.reference)
        if self.inner_count and last_upsampler(self.model.sampler) is not None:
            scores["inner_checkerboard"] = inner_checkerboard(self.model.sampler, noise[: self.inner_count])
        scores["seconds"] = time.perf_counter() - start
        self._append({"epoch": epoch + 1, **scores})

    def _append(self, row: dict) -> None:
        header = list(row)
        lines = self.path.read_text().split() if self.path.exists() else []
        if lines and lines[0].split(",") != header:  # another version's columns: rewrite them by name
            old = lines[0].split(",")
            lines = [",".join(header)] + [
                ",".join(dict(zip(old, line.split(","))).get(key, "") for key in header) for line in lines[1:]
            ]
            self.path.write_text("\n".join(lines) + "\n")
        with self.path.open("a") as handle:
            if not lines:
                handle.write(",".join(header) + "\n")
            handle.write(",".join(str(v) if key == "epoch" else f"{v:.6g}" for key, v in row.items()) + "\n")


def read_scores(path: str | Path) -> dict[str, list[float]]:
    """Reads an `EpochScores` CSV into `{"epoch": [...], "fid": [...], ...}` (empty if missing)."""
    path = Path(path)
    if not path.exists():
        return {}
    lines = path.read_text().split()
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    return {
        key: [float(row[i]) if i < len(row) and row[i] else float("nan") for row in rows]
        for i, key in enumerate(header)
    }
