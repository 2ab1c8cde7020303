"""`mnist_densenet`: DenseNet121 adapted to 28x28 grey digits, trained with three freezing choices.

`build_classifier("densenet121", 10, (28, 28, 1))` changes the network's first and last layers:
an input adapter turns the grey digit into three channels and resizes it to 32x32 (the smallest
input DenseNet121 accepts) and applies DenseNet's `preprocess_input`; a new head
(global average pooling, Dense(10, softmax)) replaces the ImageNet classifier. Three variants of
that model train the same way:

    all_trainable          every layer learns
    freeze_denseblock1     dense block 1 frozen (Keras' `conv2_*` layers)
    freeze_denseblock1_2   dense blocks 1 and 2 frozen (`conv2_*` and `conv3_*`)

The run draws ONE figure with the training and validation curves of all three (`curves.png`) and
the results table of test accuracy, trainable parameters and seconds per epoch (printed, and
saved as `results.md` / `results.csv`).

The batch-norm pitfall (see `keras_vision.transfer.batchnorm`): trained briefly from scratch with
Keras' default BatchNormalization momentum (0.99), DenseNet121 learns the training set yet scores
near chance in inference mode. Without pretrained weights the run sets the momentum to 0.9.
"""

from __future__ import annotations

import keras

from keras_vision.data import load_mnist, locate
from keras_vision.data.split import holdout_split, take
from keras_vision.evaluation import classification_report, plot_history
from keras_vision.evaluation.records import variant_record
from keras_vision.experiments.catalog import MnistDenseNetConfig
from keras_vision.training import (
    cosine_decay,
    epochs_to_steps,
    fit,
    get_strategy,
    predict_in_whole_batches,
    whole_batches,
)
from keras_vision.transfer import build_classifier, freeze_blocks, from_scratch, prepare_batchnorm, trainable_params

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
    (x_train, y_train), (x_test, y_test) = load_mnist(config.data_dir)
    x_train, y_train = take(x_train[..., None], y_train, config.train_limit)
    x_test, y_test = take(x_test[..., None], y_test, config.test_limit)
    train, validation = (
        whole_batches(*split, config.batch_size) for split in holdout_split(x_train, y_train, config.validation_split)
    )

    results, histories, notes = {}, {}, []
    for variant, blocks in VARIANTS.items():
        results[variant], histories[variant], note = train_variant(
            config, variant, blocks, train, validation, (x_test, y_test)
        )
        notes += [note] if note not in notes else []
    notes += [RANDOM_FROZEN_NOTE] if from_scratch(config.weights) else []
    notes.append(TIMING_NOTE)

    figure = plot_history(
        histories,
        config.run_dir / "curves.png",
        title=f"DenseNet121 on MNIST ({config.base_size}x{config.base_size}), weights={config.weights}",
    )
    print("\n\n".join(notes))
    return {
        "models": results,
        "notes": notes,
        "data": {
            "source": locate("mnist", config.data_dir),
            "train": len(train[0]),
            "validation": len(validation[0]),
            "test": len(x_test),
        },
        "figures": [str(figure)],
    }


def build_variant(config: MnistDenseNetConfig, frozen_blocks: tuple[str, ...], *, steps: int):
    """DenseNet121 for 28x28x1 digits and 10 classes, `frozen_blocks` frozen, compiled.

    Returns:
        `(model, frozen_layer_names, batch-norm note)`.
    """
    model = build_classifier(ARCH, 10, (28, 28, 1), weights=config.weights, base_size=config.base_size)
    note = prepare_batchnorm(model, config.weights)
    frozen = freeze_blocks(model, frozen_blocks) if frozen_blocks else []
    model.compile(
        optimizer=keras.optimizers.Adam(cosine_decay(config.learning_rate, total_steps=steps)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model, frozen, note


def train_variant(config: MnistDenseNetConfig, variant: str, frozen_blocks, train, validation, test):
    """Builds, trains and tests one variant.

    Returns:
        `(record for metrics.json, history, batch-norm note)`.
    """
    steps = epochs_to_steps(config.epochs, num_examples=len(train[0]), batch_size=config.batch_size)
    with get_strategy(config.strategy).scope():
        model, frozen, note = build_variant(config, tuple(frozen_blocks), steps=steps)
    print(
        f"\n{variant}: frozen {', '.join(frozen_blocks) or 'nothing'} "
        f"({len(frozen)} layers), {trainable_params(model):,} trainable parameters"
    )
    result = fit(
        model,
        train,
        validation=validation,
        epochs=config.epochs,
        batch_size=config.batch_size,
        run_dir=config.variant_dir(variant),
        resume=config.resume,
        verbose=config.verbose,
    )
    report = classification_report(test[1], predict_in_whole_batches(model, test[0]))
    record = variant_record(model, result, report, frozen_blocks=list(frozen_blocks), frozen_layers=len(frozen))
    return record, result.history, note
