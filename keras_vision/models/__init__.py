"""Keras model builders: plain functions returning `keras.Model`s with named layers.

In the order the course meets them:

- `build_classic_cnn`: the small CNN of the convolution lesson.
- `build_ann`, `build_fcn`, `build_cifar10_cnn`: baselines trained from scratch (`baselines`).
- `vgg_block`, `vgg_from_layout`, `build_vgg`: VGG-11/13/16/19 (`vgg`).
- `residual_block`, `bottleneck_block`, `resnet_from_layout`, `build_resnet`: ResNet-18 to -152
  (`resnet`); `plain_block`, `build_cifar_resnet`: the CIFAR ResNets of depth 6n + 2 and their
  plain twins.
- `layer_table`, `format_layer_table`: an architecture as data.
- `trainable_params`, `set_batchnorm_momentum`: what training changes (`training_state`).
- `dtype_policy` (`precision`), `with_standardization` (`standardize`): how a model computes.

The VGG and ResNet builders use the layer names of `keras.applications.VGG16`/`ResNet50`, so
ImageNet weights load into them by name and `keras_vision.transfer.freeze_blocks` works on them.
"""

from keras_vision.models.baselines import FCN_LAYOUTS, build_ann, build_cifar10_cnn, build_fcn, conv_bn_block
from keras_vision.models.classic import build_classic_cnn
from keras_vision.models.precision import dtype_policy
from keras_vision.models.resnet import (
    CIFAR_RESNET_LAYOUTS,
    RESNET_LAYOUTS,
    bottleneck_block,
    build_cifar_resnet,
    build_resnet,
    plain_block,
    residual_block,
    resnet_from_layout,
)
from keras_vision.models.standardize import with_standardization
from keras_vision.models.summary import format_layer_table, layer_table
from keras_vision.models.training_state import SCRATCH_BN_MOMENTUM, set_batchnorm_momentum, trainable_params
from keras_vision.models.vgg import VGG_LAYOUTS, build_vgg, vgg_block, vgg_from_layout

__all__ = [
    "CIFAR_RESNET_LAYOUTS",
    "FCN_LAYOUTS",
    "RESNET_LAYOUTS",
    "SCRATCH_BN_MOMENTUM",
    "VGG_LAYOUTS",
    "bottleneck_block",
    "build_ann",
    "build_cifar10_cnn",
    "build_cifar_resnet",
    "build_classic_cnn",
    "build_fcn",
    "build_resnet",
    "build_vgg",
    "conv_bn_block",
    "dtype_policy",
    "format_layer_table",
    "layer_table",
    "plain_block",
    "residual_block",
    "resnet_from_layout",
    "set_batchnorm_momentum",
    "trainable_params",
    "vgg_block",
    "vgg_from_layout",
    "with_standardization",
]
