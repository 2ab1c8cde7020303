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
writes a table of test accuracy, trainable parameters and seconds per epoch (printed, in
`metrics.json`, and as `results.md` / `results.csv`).

The batch-norm pitfall (see `BATCHNORM_NOTE`): trained briefly from scratch with Keras' default
BatchNormalization momentum (0.99), DenseNet121 learns the training set yet scores near chance in
inference mode, because the moving statistics it predicts with still mostly hold their initial
values. Without pretrained weights this experiment sets the momentum to 0.9 before compiling.
"""

from __future__ import annotations

from keras_vision.experiments.base import Preset, RunConfig, experiment
from keras_vision.transfer.batchnorm import SCRATCH_BN_MOMENTUM, from_scratch

ARCH = "densenet121"
#: Variant name -> DenseNet blocks (torchvision names) frozen in it.
VARIANTS = {
    "all_trainable": (),
    "freeze_denseblock1": ("denseblock1",),
    "freeze_denseblock1_2": ("denseblock1", "denseblock2"),
}
#: Side of the image DenseNet121 sees (its minimum); the adapter resizes the 28x28 digits to it.
BASE_SIZE = 32
LEARNING_RATE = 1e-3
DIGITS = tuple(str(d) for d in range(10))

BATCHNORM_NOTE = (
    "Batch-norm pitfall: at inference a BatchNormalization layer normalises with moving averages "
    "of the batch statistics, updated as moving = momentum * moving + (1 - momentum) * batch. "
    "With Keras' default momentum 0.99 those averages forget their initial values (mean 0, "
    "variance 1) only after several hundred steps, so DenseNet121 trained briefly from scratch "
    "predicts with statistics that do not match its activations: measured 97.7 % training but "
    "12.6 % validation accuracy after 3 epochs on 6,000 MNIST images. With momentum 0.9 the "
    "averages follow the batches within a few dozen steps (93 % after one epoch on 15,000 "
    "images). This run trains from scratch, so it sets momentum {momentum} on all {count} "
    "BatchNormalization layers before compiling."
)
PRETRAINED_NOTE = (
    "Batch-norm momentum left at Keras' default (0.99): the moving statistics start from the "
    "pretrained weights, not from 0 and 1. Train from scratch (--weights none) and the run sets "
    "momentum 0.9 on every BatchNormalization layer (see keras_vision.experiments.mnist_densenet)."
)
RANDOM_FROZEN_NOTE = (
    "Without pretrained weights the frozen blocks keep their random initial filters: the variants "
    "then compare how much accuracy and time training fewer parameters costs or saves, not what "
    "ImageNet features bring."
)
TIMING_NOTE = (
    "seconds_per_epoch is the training time divided by the epochs, so it includes building the "
    "TensorFlow graph of the training step once (about a minute for DenseNet121 on a 2-core CPU)."
)


@experiment(
    "mnist_densenet",
    summary="DenseNet121 adapted to 28x28 grey digits: all layers vs dense block 1 vs blocks 1-2 frozen",
    datasets=("mnist",),
    default=Preset(epochs=2, batch_size=64, weights="imagenet"),
    quick=Preset(epochs=2, batch_size=64, train_limit=6_000, test_limit=5_000, weights="imagenet"),
    options=("weights",),
)
def mnist_densenet(config: RunConfig) -> dict:
    from keras_vision.data import load_mnist, locate
    from keras_vision.evaluation import plot_history
    from keras_vision.training import whole_batches

    (x_train, y_train), (x_test, y_test) = load_mnist(config.data_dir)
    x_train, y_train = x_train[: config.train_limit, ..., None], y_train[: config.train_limit]
    x_test, y_test = x_test[: config.test_limit, ..., None], y_test[: config.test_limit]
    n_val = max(1, len(x_train) // 10)  # the last 10 % of the training images validate
    train = whole_batches(x_train[:-n_val], y_train[:-n_val], config.batch_size)
    validation = whole_batches(x_train[-n_val:], y_train[-n_val:], config.batch_size)

    results, histories, notes = {}, {}, []
    for variant, blocks in VARIANTS.items():
        results[variant], histories[variant], variant_notes = train_variant(
            config, variant, blocks, train, validation, (x_test, y_test)
        )
        notes += [note for note in variant_notes if note not in notes]
    notes += [RANDOM_FROZEN_NOTE] if from_scratch(config.weights) else []
    notes.append(TIMING_NOTE)

    figure = plot_history(histories, config.run_dir / "curves.png",
                          title=f"DenseNet121 on MNIST ({BASE_SIZE}x{BASE_SIZE}), weights={config.weights}")
    table = results_table(results)
    tables = write_table(table, config.run_dir)
    print("\n" + format_markdown(table) + "\n\n" + "\n\n".join(notes))
    return {
        "models": results,
        "table": table,
        "notes": notes,
        "data": {
            "source": locate("mnist", config.data_dir),
            "train": len(train[0]),
            "validation": len(validation[0]),
            "test": len(x_test),
        },
        "figures": [str(figure)],
        "tables": [str(path) for path in tables],
    }


def build_variant(weights, frozen_blocks: tuple[str, ...], *, steps: int):
    """DenseNet121 for 28x28x1 digits and 10 classes, `frozen_blocks` frozen, compiled.

    Returns:
        `(model, frozen_layer_names, notes)`.
    """
    import keras

    from keras_vision.training import cosine_decay
    from keras_vision.transfer import build_classifier, freeze_blocks, set_batchnorm_momentum

    model = build_classifier(ARCH, 10, (28, 28, 1), weights=weights, base_size=BASE_SIZE)
    if from_scratch(weights):
        count = set_batchnorm_momentum(model, SCRATCH_BN_MOMENTUM)
        notes = [BATCHNORM_NOTE.format(momentum=SCRATCH_BN_MOMENTUM, count=count)]
    else:
        notes = [PRETRAINED_NOTE]
    frozen = freeze_blocks(model, frozen_blocks) if frozen_blocks else []
    model.compile(
        optimizer=keras.optimizers.Adam(cosine_decay(LEARNING_RATE, total_steps=steps)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model, frozen, notes


def train_variant(config: RunConfig, variant: str, frozen_blocks, train, validation, test):
    """Builds, trains and tests one variant.

    Returns:
        `(numbers for metrics.json, history, notes)`.
    """
    import math

    from keras_vision.training import fit, get_strategy
    from keras_vision.transfer import trainable_params

    steps = config.epochs * math.ceil(len(train[0]) / config.batch_size)
    with get_strategy(config.strategy).scope():
        model, frozen, notes = build_variant(config.weights, tuple(frozen_blocks), steps=steps)
    print(f"\n{variant}: frozen {', '.join(frozen_blocks) or 'nothing'} "
          f"({len(frozen)} layers), {trainable_params(model):,} trainable parameters")
    result = fit(
        model, train, validation=validation, epochs=config.epochs, batch_size=config.batch_size,
        run_dir=config.variant_dir(variant), resume=config.resume, verbose=config.verbose,
    )
    accuracy, loss = accuracy_and_loss(model, *test)
    numbers = {
        "test_accuracy": accuracy,
        "test_loss": loss,
        "trainable_params": trainable_params(model),
        "params": model.count_params(),
        "frozen_blocks": list(frozen_blocks),
        "frozen_layers": len(frozen),
        "seconds": round(result.seconds, 2),
        "seconds_per_epoch": round(result.seconds_per_epoch, 2),
        "epochs": result.epochs,
    }
    return numbers, result.history, notes


def accuracy_and_loss(model, x, y, batch_size: int = 256) -> tuple[float, float]:
    """Top-1 accuracy and mean cross-entropy of `model` on `(x, y)`, from ONE prediction pass.

    (`keras_vision.evaluation.evaluate_classifier` would run the big network twice: predict, then
    evaluate for the loss.)
    """
    from keras_vision.evaluation import sparse_cross_entropy, top_k_accuracy
    from keras_vision.training import predict_in_whole_batches

    probs = predict_in_whole_batches(model, x, batch_size)
    return top_k_accuracy(y, probs, k=1), sparse_cross_entropy(y, probs)


#: Columns of the results table: (header, key in a variant's numbers).
TABLE_COLUMNS = (
    ("variant", "variant"),
    ("test accuracy", "test_accuracy"),
    ("trainable params", "trainable_params"),
    ("seconds/epoch", "seconds_per_epoch"),
    ("epochs", "epochs"),
)


def results_table(results: dict[str, dict]) -> list[dict]:
    """One row per variant with the `TABLE_COLUMNS` values."""
    return [{key: (name if key == "variant" else numbers[key]) for _, key in TABLE_COLUMNS}
            for name, numbers in results.items()]


def format_markdown(table: list[dict]) -> str:
    """The table as GitHub markdown (accuracy as a percentage, parameters with separators)."""
    def cell(key, value):
        if key == "test_accuracy":
            return f"{100 * value:.2f} %"
        return f"{value:,}" if isinstance(value, int) else str(value)

    header = "| " + " | ".join(title for title, _ in TABLE_COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in TABLE_COLUMNS) + "|"
    rows = ["| " + " | ".join(cell(key, row[key]) for _, key in TABLE_COLUMNS) + " |" for row in table]
    return "\n".join([header, rule, *rows])


def write_table(table: list[dict], folder) -> list:
    """Writes `results.md` and `results.csv` into `folder`; returns their paths."""
    import csv
    from pathlib import Path

    folder = Path(folder)
    markdown = folder / "results.md"
    markdown.write_text(format_markdown(table) + "\n")
    comma = folder / "results.csv"
    with comma.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[key for _, key in TABLE_COLUMNS])
        writer.writeheader()
        writer.writerows(table)
    return [markdown, comma]
