"""Transfer learning with `keras.applications`: registry, classifiers, freezing, cached features.

The story of the topic, in the order the course meets it:

1. `APPLICATIONS`: the pretrained architectures (DenseNet121/169/201, ResNet50/101, ResNet50V2,
   VGG16, MobileNet, MobileNetV2, EfficientNetB0, InceptionV3) with their `preprocess_input`, input
   sizes, weights files and block structure.
2. `build_classifier`: an ImageNet base with a new head, adapting any image (28x28 grayscale
   included) to it inside the model.
3. `list_blocks`, `freeze_blocks`, `unfreeze_top`, `trainable_params`: freezing by block name.
4. `extract_features`, `FeatureCache`, `train_head_on_features`, `copy_head`: train the head on
   features computed once.
5. `fine_tune`: unfreeze the top blocks and continue with a small learning rate
   (`unfreeze_for_fine_tuning`: the same without compiling, for a model wrapped in another).
6. `prepare_batchnorm` (`set_batchnorm_momentum`, `SCRATCH_BN_MOMENTUM`): batch norm when training
   from scratch.
7. `parse_arch_spec`, `parse_arch_list`, `variant_name`: architectures named on the command line.

"""

from keras_vision.models.training_state import trainable_params
from keras_vision.transfer.adapt import ApplicationPreprocessing
from keras_vision.transfer.applications import APPLICATIONS, Application, get_application, preprocess_input
from keras_vision.transfer.batchnorm import (
    SCRATCH_BN_MOMENTUM,
    from_scratch,
    prepare_batchnorm,
    set_batchnorm_momentum,
)
from keras_vision.transfer.blocks import find_base, freeze_blocks, list_blocks, unfreeze_top
from keras_vision.transfer.build import build_base, build_classifier
from keras_vision.transfer.features import (
    FeatureCache,
    build_feature_head,
    copy_head,
    extract_features,
    feature_extractor,
    train_head_on_features,
)
from keras_vision.transfer.finetune import FineTuneSetup, fine_tune, unfreeze_for_fine_tuning
from keras_vision.transfer.specs import check_weights_for, parse_arch_list, parse_arch_spec, variant_name
from keras_vision.transfer.weights import keras_home, resolve_weights

__all__ = [
    "APPLICATIONS",
    "Application",
    "ApplicationPreprocessing",
    "FeatureCache",
    "FineTuneSetup",
    "SCRATCH_BN_MOMENTUM",
    "build_base",
    "build_classifier",
    "build_feature_head",
    "check_weights_for",
    "copy_head",
    "extract_features",
    "feature_extractor",
    "find_base",
    "fine_tune",
    "freeze_blocks",
    "from_scratch",
    "get_application",
    "keras_home",
    "list_blocks",
    "parse_arch_list",
    "parse_arch_spec",
    "prepare_batchnorm",
    "preprocess_input",
    "resolve_weights",
    "set_batchnorm_momentum",
    "train_head_on_features",
    "trainable_params",
    "unfreeze_for_fine_tuning",
    "unfreeze_top",
    "variant_name",
]
