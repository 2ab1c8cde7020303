"""A DCGAN whose generator upsamples by transposed convolution or by resize + convolution.

- `models`: `build_generator(upsampler="transpose"|"resize")`, `build_discriminator`.
- `dcgan`: `DCGAN`, a `keras.Model` with its own `train_step` and a moving average of the
  generator that makes the samples; `discriminator_loss`, `generator_loss`.
- `samples`: fixed-noise sample grids every epoch and a GIF of the run (`SampleGrids`).
- `scores`: generative scores judged by the course's MNIST CNN: classifier FID
  (`frechet_distance`), confident share, label entropy, checkerboard energy of the samples and inside
  the generator (`inner_checkerboard`).
- `train`: `build_dcgan` (inside a strategy's scope to distribute it), `train_dcgan` (through
  `keras_vision.training.fit`, resumable).
- `figures`: `plot_final_samples` (the variants' grids side by side), `plot_checkerboard`.

The `gan` experiment (`keras_vision.experiments.gan`) composes these pieces.
"""

from keras_vision.gan.dcgan import DCGAN, discriminator_loss, generator_loss
from keras_vision.gan.figures import plot_checkerboard, plot_final_samples
from keras_vision.gan.models import MinibatchStddev, build_discriminator, build_generator
from keras_vision.gan.samples import SampleGrids, save_grid, tile_grid, to_unit, write_gif
from keras_vision.gan.scores import (
    EpochScores,
    Scorer,
    confident_share,
    feature_statistics,
    features_distance,
    frechet_distance,
    inner_checkerboard,
    inner_features,
    label_entropy,
    load_scorer,
    real_floor,
    sample_scores,
)
from keras_vision.gan.train import build_dcgan, to_signed, train_dcgan

__all__ = [
    "DCGAN",
    "EpochScores",
    "MinibatchStddev",
    "SampleGrids",
    "Scorer",
    "build_dcgan",
    "build_discriminator",
    "build_generator",
    "confident_share",
    "discriminator_loss",
    "feature_statistics",
    "features_distance",
    "frechet_distance",
    "generator_loss",
    "inner_checkerboard",
    "inner_features",
    "label_entropy",
    "load_scorer",
    "plot_checkerboard",
    "plot_final_samples",
    "real_floor",
    "sample_scores",
    "save_grid",
    "tile_grid",
    "to_signed",
    "to_unit",
    "train_dcgan",
    "write_gif",
]
