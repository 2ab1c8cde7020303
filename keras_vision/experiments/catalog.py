"""Every experiment of `python -m keras_vision.run`, declared without importing it.

A declaration names the module that runs the experiment (`run(config) -> metrics`), its options
(a `RunConfig` subclass: one field per option), its `--quick` preset and its headline metrics.
Adding a topic's experiment is one options class (if it has options of its own) and one
`EXPERIMENTS.register` call here, plus its module in this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from keras_vision.experiments.base import EXPERIMENTS, Experiment, RunConfig, inherit, option
from keras_vision.experiments.tables import (
    Metric,
    ACCURACY,
    EPOCHS,
    PARAMS,
    SECONDS_PER_EPOCH,
    TOP5_ACCURACY,
    TRAINABLE_PARAMS,
)


@dataclass(frozen=True)
class ClassifierConfig(RunConfig):
    """Options of an experiment that trains classifiers on a split of the training set."""

    validation_split: float = option(0.1, help="share of the training set held out for validation (its last examples)",
                                     group="data")
    learning_rate: float = option(1e-3, help="peak learning rate (cosine decay to 0)", group="training")


@dataclass(frozen=True)
class TransferConfig(ClassifierConfig):
    """Options of a transfer-learning experiment: which ImageNet base, with which weights."""

    arch: str = option("mobilenetv2", help="architecture NAME[:KEY=VALUE...], e.g. mobilenet:alpha=0.25")
    weights: str = option("imagenet", help="'imagenet', 'none' (random) or a weights file (.h5)")


@dataclass(frozen=True)
class MnistConfig(ClassifierConfig):
    epochs: int = inherit("epochs", 3)


EXPERIMENTS.register("mnist", Experiment(
    name="mnist", module="keras_vision.experiments.mnist", config=MnistConfig,
    summary="classic CNN (Conv64-Pool-Conv64-Pool-Dense128-Dense10) on MNIST, plus a filter/pooling figure",
    quick={"epochs": 1, "train_limit": 6_000, "test_limit": 1_000},
    headline=(ACCURACY, PARAMS, SECONDS_PER_EPOCH), datasets=("mnist",),
))


@dataclass(frozen=True)
class MnistDenseNetConfig(TransferConfig):
    epochs: int = inherit("epochs", 2)
    base_size: int = option(32, help="side DenseNet121 sees (32 is its minimum): digits are resized to it")


EXPERIMENTS.register("mnist_densenet", Experiment(
    name="mnist_densenet", module="keras_vision.experiments.mnist_densenet", config=MnistDenseNetConfig,
    summary="DenseNet121 adapted to 28x28 grey digits: all layers vs dense block 1 vs blocks 1-2 frozen",
    quick={"train_limit": 6_000, "test_limit": 5_000},
    headline=(ACCURACY, TRAINABLE_PARAMS, SECONDS_PER_EPOCH, EPOCHS), datasets=("mnist",),
))


@dataclass(frozen=True)
class Cifar100Config(TransferConfig):
    epochs: int = inherit("epochs", 3)
    image_size: int = option(96, help="side the base sees: the 32x32 images are upsampled inside the model")
    head_epochs_per_epoch: int = option(5, help="epochs of the head on cached features, per --epochs")
    dropout: float = option(0.2, help="dropout before the new head")
    fine_tune_blocks: int = option(2, help="top blocks of the base unfrozen for fine-tuning")
    fine_tune_learning_rate: float = option(1e-4, help="learning rate of fine-tuning")


EXPERIMENTS.register("cifar100", Experiment(
    name="cifar100", module="keras_vision.experiments.cifar100", config=Cifar100Config,
    summary="transfer learning on CIFAR-100: head on cached ImageNet features, then fine-tuning",
    quick={"epochs": 1, "train_limit": 5_000, "test_limit": 1_000},
    headline=(ACCURACY, TOP5_ACCURACY, TRAINABLE_PARAMS, SECONDS_PER_EPOCH), datasets=("cifar100",),
))


@dataclass(frozen=True)
class FolderConfig(TransferConfig):
    epochs: int = inherit("epochs", 10)
    batch_size: int = inherit("batch_size", 32)
    arch: str = inherit("arch", "mobilenetv2,mobilenet", base=TransferConfig)
    image_size: int = option(96, help="side every image is resized to when loaded")
    head_only_learning_rate: float = option(5e-3, help="peak learning rate when only the head learns (pretrained base)")
    warmup_fraction: float = option(0.1, help="share of the steps warming the learning rate up from 0")
    translation: float = option(0.1, help="random shift, as a fraction of the image size")
    zoom: float = option(0.1, help="random zoom, as a fraction of the image size")


EXPERIMENTS.register("folder", Experiment(
    name="folder", module="keras_vision.experiments.folder", config=FolderConfig,
    summary="your class-folder images (--data-dir): several architectures, augmentation, class weights",
    quick={"epochs": 5, "train_limit": 2_000, "test_limit": 500},
    headline=(ACCURACY, TOP5_ACCURACY, TRAINABLE_PARAMS, SECONDS_PER_EPOCH),
))


@dataclass(frozen=True)
class GanConfig(RunConfig):
    """Options of the DCGAN comparison (`keras_vision.gan.compare_upsamplers`)."""

    epochs: int = inherit("epochs", 6)
    batch_size: int = inherit("batch_size", 128)
    dataset: str = option("mnist", help="the images the GANs learn (and the scorer is trained on)",
                          choices=("mnist", "fashion_mnist"), group="data")
    variants: str = option("transpose,resize", help="comma-separated upsamplers of the generator")
    latent_dim: int = option(64, help="length of the generator's noise vector")
    width: int = option(16, help="channels of the generator's last block (earlier blocks double it)")
    learning_rate: float = option(2e-4, help="Adam's learning rate of both networks (beta_1 = 0.5)", group="training")
    label_smoothing: float = option(0.1, help="one-sided label smoothing of the real targets", group="training")
    sample_count: int = option(10_000, help="generated and real test images of the final scores", metavar="N")
    epoch_sample_count: int = option(2_000, help="generated images scored after every epoch", metavar="N")
    scorer: Path | None = option(None, help="the MNIST CNN scorer (.keras); default: trained once, cached "
                                 "in $KERAS_HOME/keras_vision/scorers/", metavar="FILE")


#: Headline metrics of `gan`: judged by the dataset's classic CNN (see keras_vision.gan.scores).
GAN_HEADLINE = (
    Metric("fid", "classifier FID", "{:.2f}"),
    Metric("fid_over_floor", "FID / real floor", "{:.1f}"),
    Metric("confident_share", "p >= 0.9", "{:.1%}"),
    Metric("label_entropy", "label entropy (nats)", "{:.3f}"),
    Metric("checkerboard", "checkerboard", "{:.4f}"),
    SECONDS_PER_EPOCH,
)

EXPERIMENTS.register("gan", Experiment(
    name="gan", module="keras_vision.experiments.gan", config=GanConfig,
    summary="DCGAN with a transposed-convolution vs a resize+conv generator: classifier FID, labels, checkerboard",
    quick={"epochs": 3, "train_limit": 12_000, "sample_count": 2_000, "epoch_sample_count": 1_000},
    headline=GAN_HEADLINE, datasets=("mnist", "fashion_mnist"),
))
