"""`mnist_densenet`: DenseNet121 adapted to 28x28 grey digits, trained with three freezing choices.

`build_classifier("densenet121", 10, (28, 28, 1))` changes the network's first and last layers:
an input adapter turns the grey digit into three channels and resizes it to 32x32 (the smallest
input DenseNet121 accepts) and applies DenseNet's `preprocess_input`; a new head
(global average pooling, Dense(10, softmax)) replaces the ImageNet classifier. Three variants of
that model train the same way:

    all_trainable          every layer learns
    freeze_denseblock1     dense block 1 frozen (Keras' `conv2_*` layers)
    freeze_denseblock1_2   dense blocks 1 and 2 frozen (`conv2_*` and `conv3_*`)

The run trains all three (or those `--variants` names) and draws ONE figure with the training and
validation curves of all (`curves.png`) and the results table of test accuracy, trainable
parameters and seconds per epoch (printed, and saved as `results.md` / `results.csv`).

The batch-norm pitfall (see `keras_vision.transfer.batchnorm`): trained briefly from scratch with
Keras' default BatchNormalization momentum (0.99), DenseNet121 learns the training set yet scores
near chance in inference mode. Without pretrained weights the run sets the momentum to 0.9.
"""

from __future__ import annotations

import keras

from keras_vision.data import DATASETS, load_mnist, locate
from keras_vision.data.split import holdout_split, take
from keras_vision.experiments.catalog import MnistDenseNetConfig
from keras_vision.experiments.classifiers import Candidate, compare_classifiers, split_sizes
from keras_vision.experiments.scratch import variant_names
from keras_vision.training import cosine_decay, whole_batches
from keras_vision.transfer import build_classifier, freeze_blocks, from_scratch, prepare_batchnorm

ARCH = "densenet121"
#: Variant name -> DenseNet blocks (torchvision names) frozen in it.
VARIANTS = {
    "all_trainable": (),
    "freeze_denseblock1": ("denseblock1",),
    "freeze_denseblock1_2": ("denseblock1", "denseblock2"),
}
RANDOM_FROZEN_NOTE = (
    "Without pretrained weights the frozen blocks keep their random initial filters: the variants "
    "then compare how much accuracy and time training fewer parameters costs or saves, not what "
    "ImageNet features bring."
)
TIMING_NOTE = (
    "seconds_per_epoch is the training time divided by the epochs, so it includes building the "
    "TensorFlow graph of the training step once (about a minute for DenseNet121 on a 2-core CPU)."
)


def run(config: MnistDenseNetConfig) -> dict:
    names = variant_names(config.variants, VARIANTS)  # before loading: that can be slow
    (x_train, y_train), (x_test, y_test) = load_mnist(config.data_dir)
    x_train, y_train = take(x_train[..., None], y_train, config.train_limit)
    x_test, y_test = take(x_test[..., None], y_test, config.test_limit)
    train, validation = (
        whole_batches(*split, config.batch_size) for split in holdout_split(x_train, y_train, config.validation_split)
    )
    notes, frozen_layers = [], {}
    candidates = {
        variant: Candidate(
            variant_builder(config, variant, blocks, notes, frozen_layers),
            config.epochs,
            extra={"frozen_blocks": list(blocks)},
        )
        for variant, blocks in VARIANTS.items()
        if variant in names
    }
    result = compare_classifiers(
        config,
        candidates,
        train,
        validation,
        (x_test, y_test),
        class_names=DATASETS.get("mnist").class_names,
        title=f"DenseNet121 on MNIST ({config.base_size}x{config.base_size}), weights={config.weights}",
    )
    for variant, count in frozen_layers.items():
        result["models"][variant]["frozen_layers"] = count
    notes += [RANDOM_FROZEN_NOTE] if from_scratch(config.weights) else []
    notes.append(TIMING_NOTE)
    print("\n\n".join(notes))
    return {
        "models": result["models"],
        "notes": notes,
        "data": {
            "source": locate("mnist", config.data_dir),
            **split_sizes(train, validation, (x_test, y_test)),
        },
        "figures": result["figures"],
    }


def variant_builder(config: MnistDenseNetConfig, variant: str, frozen_blocks, notes: list, frozen_layers: dict):
    """`build(total_steps)` of one variant: DenseNet121 for 28x28x1 digits, `frozen_blocks` frozen, compiled.

    The batch-norm note goes to `notes` (once) and the number of frozen layers to `frozen_layers`.
    """

    def build(total_steps: int) -> keras.Model:
        model = build_classifier(ARCH, 10, (28, 28, 1), weights=config.weights, base_size=config.base_size)
        note = prepare_batchnorm(model, config.weights)
        notes.extend([note] if note not in notes else [])
        frozen = freeze_blocks(model, frozen_blocks) if frozen_blocks else []
        frozen_layers[variant] = len(frozen)
        print(f"\n{variant}: frozen {', '.join(frozen_blocks) or 'nothing'} ({len(frozen)} layers)")
        model.compile(
            optimizer=keras.optimizers.Adam(cosine_decay(config.learning_rate, total_steps=total_steps)),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    return build
