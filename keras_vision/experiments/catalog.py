"""Every experiment of `python -m keras_vision.run`, declared without importing it.

A declaration names the module that runs the experiment (`run(config) -> metrics`), its options
(a `RunConfig` subclass: one field per option), its `--quick` preset and its headline metrics.
Adding a topic's experiment is one options class (if it has options of its own) and one
`EXPERIMENTS.register` call here, plus its module in this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from keras_vision.experiments.base import EXPERIMENTS, Experiment
from keras_vision.experiments.options import (
    FLIP_MODES,
    ClassifierOptions,
    DataOptions,
    DistributionOptions,
    RunConfig,
    TrainingOptions,
    TransferOptions,
    inherit,
    option,
)
from keras_vision.experiments.tables import (
    ACCURACY,
    CLIPPED,
    ENTROPY,
    EPOCHS,
    MEAN_BRIGHTNESS,
    PARAMS,
    PSNR,
    PSNR_GAIN,
    RMS_CONTRAST,
    SECONDS,
    SECONDS_PER_EPOCH,
    SHARPNESS,
    SSIM,
    SSIM_GAIN,
    TOP5_ACCURACY,
    TRAINABLE_PARAMS,
    VAL_ACCURACY,
    Metric,
)


@dataclass(frozen=True)
class ClassifierConfig(ClassifierOptions, DistributionOptions, TrainingOptions, DataOptions):
    """Options of an experiment that trains classifiers on a split of the training set."""


@dataclass(frozen=True)
class TransferConfig(TransferOptions, ClassifierConfig):
    """Options of a transfer-learning experiment: which ImageNet base, with which weights."""


@dataclass(frozen=True)
class MnistConfig(ClassifierConfig):
    epochs: int = inherit("epochs", 3)


EXPERIMENTS.register(
    "mnist",
    Experiment(
        name="mnist",
        module="keras_vision.experiments.mnist",
        config=MnistConfig,
        summary="classic CNN (Conv64-Pool-Conv64-Pool-Dense128-Dense10) on MNIST, plus a filter/pooling figure",
        quick={"epochs": 1, "train_limit": 6_000, "test_limit": 1_000},
        headline=(ACCURACY, PARAMS, SECONDS_PER_EPOCH),
        datasets=("mnist",),
    ),
)


@dataclass(frozen=True)
class MnistDenseNetConfig(ClassifierConfig):
    epochs: int = inherit("epochs", 2)
    weights: str = inherit("weights", "imagenet")
    base_size: int = option(32, help="side DenseNet121 sees (32 is its minimum): digits are resized to it")
    variants: str = option(
        "", help="comma-separated variants (all_trainable, freeze_denseblock1, freeze_denseblock1_2; empty: all)"
    )


EXPERIMENTS.register(
    "mnist_densenet",
    Experiment(
        name="mnist_densenet",
        module="keras_vision.experiments.mnist_densenet",
        config=MnistDenseNetConfig,
        summary="DenseNet121 adapted to 28x28 grey digits: all layers vs dense block 1 vs blocks 1-2 frozen",
        quick={"train_limit": 6_000, "test_limit": 5_000},
        headline=(ACCURACY, TRAINABLE_PARAMS, SECONDS_PER_EPOCH, EPOCHS),
        datasets=("mnist",),
    ),
)


@dataclass(frozen=True)
class Cifar100Config(TransferConfig):
    epochs: int = inherit("epochs", 3)
    image_size: int = option(96, help="side the base sees: the 32x32 images are upsampled inside the model", minimum=32)
    head_epochs_per_epoch: int = option(5, help="epochs of the head on cached features, per --epochs", minimum=1)
    dropout: float = option(0.2, help="dropout before the new head")
    fine_tune_blocks: int = option(2, help="top blocks of the base unfrozen for fine-tuning", minimum=0)
    fine_tune_learning_rate: float = option(1e-4, help="learning rate of fine-tuning", minimum=1e-12)


EXPERIMENTS.register(
    "cifar100",
    Experiment(
        name="cifar100",
        module="keras_vision.experiments.cifar100",
        config=Cifar100Config,
        summary="transfer learning on CIFAR-100: head on cached ImageNet features, then fine-tuning",
        quick={"epochs": 1, "train_limit": 5_000, "test_limit": 1_000},
        headline=(ACCURACY, TOP5_ACCURACY, TRAINABLE_PARAMS, SECONDS_PER_EPOCH),
        datasets=("cifar100",),
    ),
)


@dataclass(frozen=True)
class FolderConfig(TransferConfig):
    epochs: int = inherit("epochs", 10)
    batch_size: int = inherit("batch_size", 32)
    arch: str = inherit("arch", "mobilenetv2,mobilenet")
    image_size: int = option(96, help="side every image is resized to when loaded", minimum=32)
    augmentations: str = option(
        "none,flip,geometric,full",
        help="augmentation strategies compared (comma-separated): none, flip, geometric (flips, rotation, shift, "
        "zoom, shear), full (geometric + colour jitter)",
    )
    fine_tune: str = option(
        "all", help="phase 2 after the head: none (head only), all (every layer) or N (the top N blocks of the base)"
    )
    head_only_learning_rate: float = option(
        5e-3, help="peak learning rate of phase 1, only the head learning (pretrained base)", minimum=1e-12
    )
    fine_tune_learning_rate: float = option(2e-4, help="peak learning rate of phase 2 (fine-tuning)", minimum=1e-12)
    fine_tune_epochs: int | None = option(
        None, help="epochs of phase 2 (none: --epochs)", minimum=1, metavar="N", group="training"
    )
    warmup_fraction: float = option(0.1, help="share of each phase's steps warming the learning rate up from 0")
    # The strengths: milder than AugmentationStrengths' defaults, which left a fine-tuned MobileNet 0.25
    # underfitting the 9-class CIFAR set (75 % training accuracy; +0.9 instead of +4.0 validation points).
    flip: str = option(
        "horizontal", help="flip of the flip/geometric/full strategies", choices=FLIP_MODES, group="augmentation"
    )
    rotation: float = option(10.0, help="largest rotation, degrees", minimum=0.0, group="augmentation")
    translation: float = option(0.1, help="largest shift, as a fraction of the size", minimum=0.0, group="augmentation")
    zoom: float = option(
        0.1, help="largest zoom in or out, as a fraction of the size", minimum=0.0, group="augmentation"
    )
    shear: float = option(0.0, help="largest shear (Keras RandomShear factor)", minimum=0.0, group="augmentation")
    brightness: float = option(0.1, help="largest brightness shift, fraction of 255", minimum=0.0, group="augmentation")
    contrast: float = option(0.1, help="contrast factor in [1 - c, 1 + c]", minimum=0.0, group="augmentation")
    saturation: float = option(0.1, help="saturation factor in [1 - s, 1 + s]", minimum=0.0, group="augmentation")
    hue: float = option(
        0.02, help="largest hue shift, fraction of the colour circle", minimum=0.0, group="augmentation"
    )


EXPERIMENTS.register(
    "folder",
    Experiment(
        name="folder",
        module="keras_vision.experiments.folder",
        config=FolderConfig,
        summary="your class-folder images (--data-dir): head then fine-tuning, per architecture and augmentation "
        "strategy, error analysis",
        quick={"epochs": 5, "train_limit": 2_000, "test_limit": 500, "augmentations": "none,full"},
        headline=(VAL_ACCURACY, ACCURACY, TOP5_ACCURACY, TRAINABLE_PARAMS, SECONDS_PER_EPOCH),
    ),
)


@dataclass(frozen=True)
class LowlightConfig(RunConfig):
    data_dir: Path | None = inherit("data_dir", None)
    pool_size: int = option(3, help="side of the max-pooling window", minimum=1)
    clip_limit: float = option(2.0, help="CLAHE clip limit", minimum=0.01)
    tile_grid: int = option(8, help="CLAHE tiles along each axis", minimum=1)
    gamma: float = option(0.5, help="gamma exponent of the baseline (below 1 brightens)", minimum=0.01)
    darken_gamma: float = option(1.8, help="tone exponent of the synthetic darkening", minimum=0.01)
    darken_scale: float = option(0.4, help="exposure factor of the synthetic darkening, at most 1", minimum=0.01)
    darken_noise: float = option(0.01, help="noise standard deviation of the synthetic darkening", minimum=0.0)
    samples: str = option(
        "all", help="embedded photographs darkened for the synthetic set: comma-separated names, or all"
    )
    max_side: int | None = option(None, help="shrink photographs whose longer side exceeds N pixels", minimum=32)
    figure_rows: int = option(4, help="photographs per figure", minimum=1)


EXPERIMENTS.register(
    "lowlight",
    Experiment(
        name="lowlight",
        module="keras_vision.experiments.lowlight",
        config=LowlightConfig,
        summary="dark photos brightened by max pooling vs CLAHE vs gamma: synthetic-dark (PSNR/SSIM) and real "
        "(--data-dir)",
        quick={"samples": "coins,coffee", "max_side": 128},
        headline=(PSNR, SSIM, MEAN_BRIGHTNESS, RMS_CONTRAST, ENTROPY, CLIPPED, SHARPNESS),
        section=("synthetic", "real"),
    ),
)


@dataclass(frozen=True)
class AugmentationConfig(DistributionOptions, TrainingOptions, DataOptions):
    strategy: str = option(
        "default",
        help="tf.distribute strategy: default (one device) or mirrored (this machine's devices); not multi_worker: "
        "ImageDataGenerator.flow is a Python iterator, which cannot be sharded across workers",
        choices=("default", "mirrored"),
        group="distribution",
    )
    train_limit: int | None = inherit("train_limit", 5_000)
    test_limit: int | None = inherit("test_limit", 512)
    eval_limit: int | None = option(
        None, help="test images scoring the trained CNNs (none: all)", minimum=1, metavar="N", group="data"
    )
    epochs: int = inherit("epochs", 15)
    batch_size: int = inherit("batch_size", 32)
    train: bool = option(
        True, help="train the small CNN without augmentation, with ImageDataGenerator and with the fast pipeline"
    )
    learning_rate: float = option(
        1e-3, help="Adam's peak learning rate of the trainings (cosine decay)", minimum=1e-12, group="training"
    )
    workers: int = option(2, help="loader threads of the fast pipeline while training", minimum=1, group="training")
    repeats: int = option(
        1,
        help="train each pipeline with N seeds (--seed, --seed + 1, ...); metrics.json keeps each seed, the table the "
        "mean and the standard deviation",
        minimum=1,
        metavar="N",
        group="training",
    )
    rotation: float = option(
        0.0, help="rotation range in degrees (the course's design card: 15; see the module docstring)", minimum=0.0
    )
    shift: float = option(0.1, help="width and height shift, as a fraction of the size", minimum=0.0)
    zoom: float = option(0.0, help="zoom range (the design card: 0.1)", minimum=0.0)
    horizontal_flip: bool = option(True, help="mirror left-right half the time")
    fill_mode: str = option(
        "nearest", help="how uncovered pixels are filled", choices=("nearest", "constant", "reflect", "wrap")
    )
    noise: float = option(
        0.0, help="Gaussian noise stddev in pixel units (shown in the figure; speed compares geometry)", minimum=0.0
    )
    sizes: str = option("32,128", help="image sides (comma-separated) the pipelines are timed at")
    rounds: int = option(3, help="timing rounds (the median is reported)", minimum=1)
    seconds: float = option(1.0, help="seconds per pipeline per round", minimum=0.01)


EXPERIMENTS.register(
    "augmentation",
    Experiment(
        name="augmentation",
        module="keras_vision.experiments.augmentation",
        config=AugmentationConfig,
        summary="one CIFAR-10 image under 16 random augmentations; images/s of ImageDataGenerator, Keras layers, "
        "albumentations and the fast pipeline; a small CNN trained without and with each",
        quick={
            "test_limit": 256,
            "rounds": 1,
            "seconds": 0.5,
            "train_limit": 1_000,
            "eval_limit": 1_000,
            "epochs": 3,
        },
        headline=(
            Metric("imagedatagenerator", "ImageDataGenerator img/s", "{:,.0f}"),
            Metric("keras_layers", "Keras layers img/s", "{:,.0f}"),
            Metric("albumentations", "albumentations img/s", "{:,.0f}"),
            Metric("fast", "fast img/s", "{:,.0f}"),
            Metric("fast_vs_imagedatagenerator", "fast / ImageDataGenerator", "{:.1f}x"),
            ACCURACY,
            Metric("test_accuracy_sd", "sd over seeds", "{:.2%}"),
            Metric("train_accuracy", "train accuracy", "{:.2%}"),
            Metric("gap", "train - test", "{:+.2%}"),
            SECONDS_PER_EPOCH,
        ),
        section=("sizes", "training"),
        datasets=("cifar10",),
    ),
)


@dataclass(frozen=True)
class UpsamplingConfig(RunConfig):
    factor: int = option(2, help="upsampling factor (the transposed convolution's stride)", minimum=1)
    kernel_size: int = option(3, help="kernel side of both upsamplers")
    filters: int = option(8, help="channels of the scored upsamplers")
    interpolation: str = option(
        "nearest",
        help="UpSampling2D interpolation",
        choices=("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"),
    )
    trials: int = option(10, help="random initialisations averaged per score", minimum=1)


EXPERIMENTS.register(
    "upsampling",
    Experiment(
        name="upsampling",
        module="keras_vision.experiments.upsampling",
        config=UpsamplingConfig,
        summary="Conv2DTranspose vs UpSampling2D+Conv2D: checkerboard scores at initialisation and a figure",
        quick={"trials": 3},
        headline=(Metric("checkerboard", "checkerboard score", "{:.4f}"),),
        section="models",
    ),
)


@dataclass(frozen=True)
class SuperresConfig(DistributionOptions, TrainingOptions):
    data_dir: Path | None = inherit("data_dir", None)
    epochs: int = inherit("epochs", 200)
    batch_size: int = inherit("batch_size", 32)
    scale: int = option(2, help="super-resolution factor", choices=(2, 3, 4))
    source: str = option(
        "samples",
        help="training photographs: embedded samples, a folder (--data-dir) or "
        "Oxford-IIIT Pet through tensorflow-datasets",
        choices=("samples", "folder", "pet"),
    )
    eval_dir: Path | None = option(
        None, help="folder of evaluation images, e.g. ../shared/data/sr/CSet14", metavar="DIR", group="data"
    )
    download: bool = option(False, help="let tensorflow-datasets download Oxford-IIIT Pet", group="data")
    limit: int | None = option(None, help="at most this many Pet images", minimum=1, group="data")
    models: str = option(
        "srcnn,espcn",
        help="networks: srcnn (bicubic, then convolutions), espcn (sub-pixel convolution inside), "
        "fsrcnn (transposed convolution inside)",
    )
    losses: str = option(
        "mse,perceptual", help="losses, each trained per network: mse, perceptual (MSE + VGG16 features)"
    )
    flips: bool = option(True, help="flip training patches at random (augmentation)")
    layout: str = option("9-1-5", help="SRCNN layout", choices=("9-1-5", "9-3-5", "9-5-5"))
    residual: bool = option(True, help="predict the residual over the bicubic upscale")
    patch_size: int = option(33, help="training patch side", minimum=4)
    patch_stride: int = option(14, help="step between training patches", minimum=1)
    learning_rate: float = option(1e-3, help="Adam's learning rate", minimum=1e-12, group="training")
    max_train_seconds: float | None = option(
        300.0, help="training time budget per model (none: no budget)", minimum=1.0, group="training"
    )
    vgg_weights: str = option(
        "imagenet",
        help="VGG16 weights of the perceptual loss: imagenet (random, with a warning, when they cannot be had), "
        "none (random features) or a file",
    )
    vgg_layer: str = option(
        "block2_conv2",
        help="VGG16 layer the perceptual loss compares",
        choices=(
            "block1_conv1",
            "block1_conv2",
            "block2_conv1",
            "block2_conv2",
            "block3_conv1",
            "block3_conv2",
            "block3_conv3",
            "block4_conv3",
            "block5_conv3",
        ),
    )
    feature_weight: float = option(1e-3, help="weight of the perceptual feature term", minimum=0.0)


EXPERIMENTS.register(
    "superres",
    Experiment(
        name="superres",
        module="keras_vision.experiments.superres",
        config=SuperresConfig,
        summary="super-resolution: SRCNN (bicubic first) vs ESPCN/FSRCNN (learned upsampling inside), MSE and VGG16 "
        "perceptual losses, against bicubic (Y-PSNR/SSIM, params, ms per image)",
        quick={"epochs": 2, "max_train_seconds": 30.0},
        headline=(
            Metric("psnr_baseline", "bicubic PSNR (dB)", "{:.2f}"),
            Metric("psnr", "SR PSNR (dB)", "{:.2f}"),
            PSNR_GAIN,
            Metric("ssim", "SR SSIM", "{:.4f}"),
            SSIM_GAIN,
            PARAMS,
            Metric("ms_per_image", "ms/image", "{:.1f}"),
            Metric("steps", "steps", "{:,}"),
            SECONDS,
        ),
    ),
)


@dataclass(frozen=True)
class ScratchConfig(DistributionOptions, TrainingOptions, DataOptions):
    """Options of the from-scratch comparisons: which variants, and their epochs."""

    epochs: int | None = option(
        None, help="epochs of every variant (none: each variant's own)", minimum=1, metavar="N", group="training"
    )
    validation_split: float = inherit("validation_split", 0.1)
    variants: str = option("", help="comma-separated variants to train (empty: all)")


FROM_SCRATCH_HEADLINE = (ACCURACY, PARAMS, SECONDS_PER_EPOCH, EPOCHS)

EXPERIMENTS.register(
    "fashion_mnist",
    Experiment(
        name="fashion_mnist",
        module="keras_vision.experiments.scratch:run_fashion_mnist",
        config=ScratchConfig,
        summary="dense 784-128-10 vs the classic CNN on Fashion-MNIST (/255, 28x28x1, one-hot, categorical "
        "cross-entropy)",
        quick={"epochs": 2, "train_limit": 6_000, "test_limit": 1_000},
        headline=FROM_SCRATCH_HEADLINE,
        datasets=("fashion_mnist",),
    ),
)


@dataclass(frozen=True)
class Cifar10Config(ScratchConfig):
    batch_size: int = inherit("batch_size", 128)


EXPERIMENTS.register(
    "cifar10",
    Experiment(
        name="cifar10",
        module="keras_vision.experiments.scratch:run_cifar10",
        config=Cifar10Config,
        summary="FCN 3072-100-20-10 and 3072-512-256-10 vs a CNN (batch norm, crop + flip, weight decay, cosine LR) "
        "on CIFAR-10",
        quick={"epochs": 2, "train_limit": 5_000, "test_limit": 1_000},
        headline=FROM_SCRATCH_HEADLINE,
        datasets=("cifar10",),
    ),
)


@dataclass(frozen=True)
class GanConfig(DistributionOptions, TrainingOptions, DataOptions):
    """Options of the DCGAN comparison (`keras_vision.experiments.gan`)."""

    epochs: int = inherit("epochs", 6)
    batch_size: int = inherit("batch_size", 64)
    dataset: str = option(
        "mnist",
        help="the images the GANs learn (and the scorer is trained on)",
        choices=("mnist", "fashion_mnist"),
        group="data",
    )
    variants: str = option("transpose,resize", help="comma-separated upsamplers of the generator")
    latent_dim: int = option(64, help="length of the generator's noise vector", minimum=1)
    width: int = option(
        16,
        help="channels of the generator's last block (earlier blocks double it; the discriminator has 2x, 4x and 8x)",
        minimum=1,
    )
    learning_rate: float = option(
        2e-3,
        help="Adam's peak learning rate of both networks (beta_1 = 0.5), cosine decay to 0",
        minimum=1e-12,
        group="training",
    )
    label_smoothing: float = option(
        0.1, help="one-sided label smoothing of the real targets", minimum=0.0, group="training"
    )
    sample_count: int = option(
        10_000, help="generated and real test images of the final scores", minimum=2, metavar="N"
    )
    epoch_sample_count: int = option(2_000, help="generated images scored after every epoch", minimum=2, metavar="N")
    scorer: Path | None = option(
        None,
        help="the MNIST CNN scorer (.keras); default: trained once, cached in $KERAS_HOME/keras_vision/scorers/",
        metavar="FILE",
    )


#: Headline metrics of `gan`: judged by the dataset's classic CNN (see keras_vision.gan.scores).
GAN_HEADLINE = (
    Metric("fid", "classifier FID", "{:.2f}"),
    Metric("fid_over_floor", "FID / real floor", "{:.1f}"),
    Metric("confident_share", "p >= 0.9", "{:.1%}"),
    Metric("label_entropy", "label entropy (nats)", "{:.3f}"),
    Metric("checkerboard", "checkerboard", "{:.3g}"),
    Metric("inner_checkerboard", "checkerboard inside", "{:.3g}"),
    SECONDS_PER_EPOCH,
)

EXPERIMENTS.register(
    "gan",
    Experiment(
        name="gan",
        module="keras_vision.experiments.gan",
        config=GanConfig,
        summary="DCGAN with a transposed-convolution vs a resize+conv generator: classifier FID, labels, checkerboard",
        quick={"epochs": 3, "train_limit": 12_000, "sample_count": 2_000, "epoch_sample_count": 1_000},
        headline=GAN_HEADLINE,
        datasets=("mnist", "fashion_mnist"),
    ),
)


@dataclass(frozen=True)
class ResnetConfig(DistributionOptions, TrainingOptions, DataOptions):
    """Options of `resnet`: plain vs residual CIFAR-10 networks of two depths."""

    train_limit: int | None = inherit("train_limit", 10_000)
    epochs: int = inherit("epochs", 30)
    batch_size: int = inherit("batch_size", 128)
    depths: str = option("20,56", help="the two depths 6n + 2 compared (8, 14, 20, 32, 44, 56, 110), comma-separated")
    shortcut: str = option(
        "zeros",
        help="residual shortcuts where the shape changes: zeros (option A, no weights) or projection (1x1 conv)",
        choices=("zeros", "projection"),
    )
    augment: bool = option(True, help="pad 4, random crop and flip the training images (the paper's augmentation)")
    zero_init_residual: bool = option(
        True,
        help="start each residual block's last batch-norm scale at 0, so each block starts as the identity "
        "(Goyal et al. 2017, section 5.1); the plain networks keep scale 1",
    )
    learning_rate: float = option(
        0.1, help="SGD's peak learning rate (momentum 0.9, one warm-up epoch, cosine)", minimum=1e-12, group="training"
    )
    weight_decay: float = option(1e-4, help="decoupled weight decay of SGD", minimum=0.0, group="training")
    mixed_precision: bool = option(
        True, help="compute in bfloat16 with float32 weights (fewer CPU seconds per step)", group="training"
    )


EXPERIMENTS.register(
    "resnet",
    Experiment(
        name="resnet",
        module="keras_vision.experiments.resnet",
        config=ResnetConfig,
        summary="plain vs residual CIFAR-10 networks of 20 and 56 layers (He et al. 2016, 4.2): the deep plain "
        "one trains worse",
        quick={
            "train_limit": 1_000,
            "test_limit": 500,
            "epochs": 10,
            "batch_size": 32,
            "learning_rate": 0.05,
            "augment": False,
        },
        headline=(
            Metric("train_error", "training error", "{:.2%}"),
            Metric("test_error", "test error", "{:.2%}"),
            ACCURACY,
            PARAMS,
            SECONDS_PER_EPOCH,
        ),
        datasets=("cifar10",),
    ),
)


@dataclass(frozen=True)
class TrainedMnistConfig(ClassifierConfig):
    """Options of an experiment that uses a trained MNIST classifier: a run's, or the `mnist` model trained first."""

    epochs: int = inherit("epochs", 3)
    model: Path | None = option(
        None,
        help="run folder (or .keras file) of a trained MNIST classifier; none: train the mnist model first",
        metavar="RUN_DIR",
    )
    calibration_images: int = option(300, help="training images calibrating the full-integer int8 export", minimum=1)
    backend: str = option(
        "auto",
        help="LiteRT interpreter: ai-edge-litert, TensorFlow's, or the first installed",
        choices=("auto", "litert", "tensorflow"),
    )


@dataclass(frozen=True)
class DeployConfig(TrainedMnistConfig):
    timing_images: int = option(200, help="images timed one at a time (one thread) per format", minimum=1)


EXPERIMENTS.register(
    "deploy",
    Experiment(
        name="deploy",
        module="keras_vision.experiments.deploy",
        config=DeployConfig,
        summary="the MNIST CNN exported to LiteRT (float32, dynamic-range int8, full int8): size, ms/image, accuracy",
        quick={"epochs": 1, "train_limit": 6_000, "test_limit": 1_000, "calibration_images": 100, "timing_images": 50},
        headline=(
            Metric("size_bytes", "size (bytes)", "{:,}"),
            Metric("size_ratio", "x smaller than float32", "{:.2f}x"),
            Metric("ms_per_image", "ms/image (1 thread)", "{:.3f}"),
            ACCURACY,
        ),
        section="formats",
        datasets=("mnist",),
    ),
)


@dataclass(frozen=True)
class DigitsConfig(TrainedMnistConfig):
    length: int = option(5, help="digits per sequence", minimum=1)
    sequences: int = option(1000, help="sequences built from MNIST test digits", minimum=1)
    readers: str = option("keras,int8", help="comma-separated classifiers: keras, int8 (its full-integer LiteRT file)")
    figure_rows: int = option(12, help="sequences shown in the figure", minimum=1)
    reader_lines: int = option(
        3000,
        help="lines of MNIST training digits whose crops fine-tune the classifier with an 11th class, 'not one "
        "digit'; 0: read with the MNIST classifier as it is (a model that has the 11th class is used as it is)",
        minimum=0,
    )
    reader_epochs: int = option(2, help="epochs of that fine-tuning", minimum=1)


EXPERIMENTS.register(
    "digits",
    Experiment(
        name="digits",
        module="keras_vision.experiments.digits",
        config=DigitsConfig,
        summary="the robot's digit reader: lines of 4-8 MNIST test digits (gaps, touching, slant, noise) read back",
        quick={
            "epochs": 1,
            "train_limit": 6_000,
            "test_limit": 2_000,
            "sequences": 100,
            "calibration_images": 100,
            "reader_lines": 200,
            "reader_epochs": 1,
        },
        headline=(
            Metric("digit_accuracy", "digit accuracy", "{:.2%}"),
            Metric("sequence_accuracy", "sequence accuracy", "{:.2%}"),
            Metric("ms_per_sequence", "ms/sequence", "{:.1f}"),
        ),
        section="readers",
        datasets=("mnist",),
    ),
)
