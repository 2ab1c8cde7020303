"""Data augmentation: `ImageDataGenerator` as the course teaches it, and a fast pipeline beside it.

    from keras_vision.augment import AugmentConfig, FastAugmenter, AugmentedBatches, image_data_generator

    config = AugmentConfig(rotation_range=15, width_shift_range=0.1, height_shift_range=0.1,
                           zoom_range=0.1, horizontal_flip=True,
                           preprocessing_function=gaussian_noise(10.0, seed=0))
    generator = image_data_generator(config)              # the classic (deprecated) way
    model.fit(generator.flow(x_train, y_train, batch_size=128), epochs=10)
    augmenter = FastAugmenter(config, seed=0)              # same transforms, one warp per image
    model.fit(AugmentedBatches(x_train, y_train, augmenter, batch_size=128, workers=2), epochs=10)

Modules:

- `config`: `AugmentConfig`, one checked description used by both ways.
- `generator`: `image_data_generator` and helpers for `flow` / `flow_from_directory`.
- `noise`: `gaussian_noise`, the worked custom `preprocessing_function`.
- `statistics`: feature-wise statistics (`featurewise_statistics`) and normalisation.
- `affine`: random parameters with `ImageDataGenerator`'s distribution, one matrix per image,
  OpenCV warps with SciPy's border rules.
- `pipeline`: `FastAugmenter` (whole batches, threads) and `AugmentedBatches` (a `PyDataset`).
- `figure`: `augmentation_figure`, one image under random augmentations.
- `equivalents`: the same geometry as Keras preprocessing layers or an albumentations pipeline.
- `throughput`: `measure_throughput`, images per second of each pipeline, side by side.
- `report`: `augmentation_report`, the figure and the speed table (the `augmentation` experiment).
- `layers`: `augmentation_layers`, random flips, shifts and zooms as Keras layers inside a model;
  `strategy_layers`, the named strategies none / flip / geometric / full (colour jitter) of the
  small-set transfer project, with `AugmentationStrengths`.
- `crop_flip`: `augment_pad_crop_flip`, the standard CIFAR augmentation (pad, random crop, flip) in `tf.data`.
"""

from keras_vision.augment.affine import TransformParameters, inverse_matrices, sample_parameters, warp_images
from keras_vision.augment.config import FILL_MODES, AugmentConfig
from keras_vision.augment.crop_flip import augment_pad_crop_flip
from keras_vision.augment.equivalents import albumentations_like, keras_layers_like
from keras_vision.augment.figure import augmentation_figure
from keras_vision.augment.generator import flow_from_class_folders, generator_batch, image_data_generator
from keras_vision.augment.layers import STRATEGIES, AugmentationStrengths, augmentation_layers, strategy_layers
from keras_vision.augment.noise import gaussian_noise
from keras_vision.augment.pipeline import AugmentedBatches, FastAugmenter
from keras_vision.augment.report import augmentation_report
from keras_vision.augment.statistics import featurewise_statistics
from keras_vision.augment.throughput import PIPELINES, measure_throughput

__all__ = [
    "FILL_MODES",
    "AugmentConfig",
    "AugmentationStrengths",
    "AugmentedBatches",
    "FastAugmenter",
    "PIPELINES",
    "STRATEGIES",
    "TransformParameters",
    "albumentations_like",
    "augmentation_figure",
    "augment_pad_crop_flip",
    "augmentation_layers",
    "augmentation_report",
    "featurewise_statistics",
    "flow_from_class_folders",
    "gaussian_noise",
    "generator_batch",
    "image_data_generator",
    "inverse_matrices",
    "keras_layers_like",
    "measure_throughput",
    "sample_parameters",
    "strategy_layers",
    "warp_images",
]
