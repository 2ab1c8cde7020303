"""Transfer learning with `keras.applications`: registry, classifiers, freezing, cached features.

The story of the topic, in the order the course meets it:

1. `APPLICATIONS`: the pretrained architectures (DenseNet121, ResNet50, VGG16, MobileNet,
   MobileNetV2, EfficientNetB0) with their `preprocess_input`, input sizes, weights files and
   block structure.
2. `build_classifier`: an ImageNet base with a new head, adapting any image (28x28 grayscale
   included) to it inside the model.
3. `list_blocks`, `freeze_blocks`, `unfreeze_top`, `trainable_params`: freezing by block name.
4. `extract_features`, `FeatureCache`, `train_head_on_features`, `copy_head`: train the head on
   features computed once.
5. `fine_tune`: unfreeze the top blocks and continue with a small learning rate.
6. `set_batchnorm_momentum`, `SCRATCH_BN_MOMENTUM`, `from_scratch`: batch norm when training from
   scratch.

Importing this package is cheap: `APPLICATIONS` needs no TensorFlow; everything else imports
Keras when first used.
"""

from __future__ import annotations

import importlib

from keras_vision.transfer.applications import APPLICATIONS, Application, get_application

_LAZY = {
    "ApplicationPreprocessing": "adapt",
    "build_base": "build",
    "build_classifier": "build",
    "find_base": "blocks",
    "list_blocks": "blocks",
    "freeze_blocks": "blocks",
    "unfreeze_top": "blocks",
    "trainable_params": "blocks",
    "FeatureCache": "features",
    "extract_features": "features",
    "feature_extractor": "features",
    "build_feature_head": "features",
    "train_head_on_features": "features",
    "copy_head": "features",
    "SCRATCH_BN_MOMENTUM": "batchnorm",
    "from_scratch": "batchnorm",
    "set_batchnorm_momentum": "batchnorm",
    "fine_tune": "finetune",
    "FineTuneSetup": "finetune",
    "keras_home": "weights",
    "resolve_weights": "weights",
}

__all__ = ["APPLICATIONS", "Application", "get_application", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"keras_vision.transfer.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'keras_vision.transfer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
