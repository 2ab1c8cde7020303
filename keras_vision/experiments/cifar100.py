"""`cifar100`: transfer learning on CIFAR-100, feature extraction then fine-tuning.

The course's main transfer-learning run, in the two classic phases:

1. Feature extraction. `build_classifier(arch, 100, (32, 32, 3), base_size=IMAGE_SIZE)` puts the
   ImageNet base (default MobileNetV2) behind an input adapter that upsamples the 32x32 images
   and applies the architecture's own `preprocess_input`, and gives it a new 100-way head. The
   frozen base runs ONCE over the images (`extract_features`, cached on disk by
   `FeatureCache`); a dense head trains on the stored features for `HEAD_EPOCHS_PER_EPOCH`
   times `--epochs` epochs (seconds, not hours), then is copied into the classifier.
2. Fine-tuning. `fine_tune` unfreezes the top `FINE_TUNE_BLOCKS` blocks of the base (their
   BatchNormalization layers stay in inference mode) and the whole classifier trains on for
   `--epochs` epochs with a 10x lower learning rate.

Labels stay sparse (integer class ids with `sparse_categorical_crossentropy`). Both phases report
top-1 and top-5 test accuracy; `curves.png` shows the curves of both phases. `--arch` takes a
registered architecture (see `keras_vision.transfer.APPLICATIONS`), optionally with builder
arguments: `--arch mobilenet:alpha=0.25`. Offline, `--weights imagenet` needs the weights file
in `$KERAS_HOME/models/` (the error says which); `--weights PATH` loads a file, `--weights none`
starts from random filters (then feature extraction has little to extract).
"""

from __future__ import annotations

from keras_vision.errors import UsageError
from keras_vision.experiments.base import Preset, RunConfig, experiment

DEFAULT_ARCH = "mobilenetv2"
#: Side the base sees: CIFAR's 32x32 images are upsampled inside the model. 96 px keeps
#: MobileNetV2 practical on a CPU and has its own ImageNet weights file.
IMAGE_SIZE = 96
HEAD_EPOCHS_PER_EPOCH = 5
HEAD_LEARNING_RATE = 1e-3
HEAD_DROPOUT = 0.2
FINE_TUNE_BLOCKS = 2
FINE_TUNE_LEARNING_RATE = 1e-4
PHASES = ("feature_extraction", "fine_tuning")


@experiment(
    "cifar100",
    summary="transfer learning on CIFAR-100: head on cached ImageNet features, then fine-tuning",
    datasets=("cifar100",),
    default=Preset(epochs=3, batch_size=64, arch=DEFAULT_ARCH, weights="imagenet"),
    quick=Preset(epochs=1, batch_size=64, train_limit=5_000, test_limit=1_000, arch=DEFAULT_ARCH,
                 weights="imagenet"),
    options=("arch", "weights"),
)
def cifar100(config: RunConfig) -> dict:
    from keras_vision.data import DATASETS, load_cifar100, locate, sparse_labels
    from keras_vision.evaluation import plot_history, plot_misclassified
    from keras_vision.training import whole_batches
    from keras_vision.training import get_strategy

    arch, arch_kwargs = parse_arch_spec(config.arch or DEFAULT_ARCH)
    (x_train, y_train), (x_test, y_test) = load_cifar100("fine", config.data_dir)
    x_train, y_train = x_train[: config.train_limit], sparse_labels(y_train[: config.train_limit])
    x_test, y_test = x_test[: config.test_limit], sparse_labels(y_test[: config.test_limit])
    n_val = max(1, len(x_train) // 10)  # the last 10 % of the training images validate
    train = whole_batches(x_train[:-n_val], y_train[:-n_val], config.batch_size)
    validation = whole_batches(x_train[-n_val:], y_train[-n_val:], config.batch_size)
    names = list(DATASETS.get("cifar100").class_names)

    strategy = get_strategy(config.strategy)
    with strategy.scope():
        classifier = build_cifar_classifier(arch, config.weights, **arch_kwargs)
    models, histories, predictions = {}, {}, None
    models["feature_extraction"], histories["feature_extraction"] = train_head_phase(
        config, classifier, train, validation, (x_test, y_test), names
    )
    models["fine_tuning"], histories["fine_tuning"], predictions = fine_tuning_phase(
        config, strategy, classifier, train, validation, (x_test, y_test), names
    )
    figures = [
        plot_history(histories, config.run_dir / "curves.png",
                     title=f"CIFAR-100, {config.arch or DEFAULT_ARCH} at {IMAGE_SIZE}px: "
                           "head on features, then fine-tuning"),
        plot_misclassified(x_test, y_test, predictions, names, config.run_dir / "misclassified.png"),
    ]
    print_phases(models)
    return {
        "models": models,
        "transfer": {
            "arch": arch, "arch_kwargs": arch_kwargs, "weights": config.weights, "image_size": IMAGE_SIZE,
            "preprocess_input": f"keras.applications {arch} preprocess_input, inside the model",
            "head_epochs": HEAD_EPOCHS_PER_EPOCH * config.epochs,
            "fine_tune_blocks": FINE_TUNE_BLOCKS, "fine_tune_learning_rate": FINE_TUNE_LEARNING_RATE,
        },
        "data": {
            "source": locate("cifar100", config.data_dir),
            "label_mode": "fine",
            "train": len(train[0]),
            "validation": len(validation[0]),
            "test": len(x_test),
        },
        "figures": [str(f) for f in figures],
    }


def parse_arch_spec(spec: str) -> tuple[str, dict]:
    """Splits an architecture spec `NAME[:KEY=VALUE[:KEY=VALUE...]]` into name and builder kwargs.

    `"mobilenet:alpha=0.25"` -> `("mobilenet", {"alpha": 0.25})`. Values are read as int, then
    float, else kept as text.

    Raises:
        ValueError: for an unregistered name (the message lists the valid ones) or a malformed
            `KEY=VALUE`.
    """
    from keras_vision.transfer import get_application

    name, *options = [part.strip() for part in str(spec).split(":")]
    kwargs = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                f"Architecture options are KEY=VALUE after a colon, e.g. 'mobilenet:alpha=0.25'. "
                f"Received: {spec!r}."
            )
        kwargs[key.strip()] = _number_or_text(value.strip())
    return get_application(name).name, kwargs


def _number_or_text(value: str):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def build_cifar_classifier(arch: str, weights, **arch_kwargs):
    """The CIFAR-100 classifier: adapter (32 -> IMAGE_SIZE px, preprocess_input), base, new head."""
    from keras_vision.transfer import SCRATCH_BN_MOMENTUM, from_scratch, set_batchnorm_momentum
    from keras_vision.transfer import build_classifier

    classifier = build_classifier(arch, 100, (32, 32, 3), weights=weights, base_size=IMAGE_SIZE,
                                  dropout=HEAD_DROPOUT, **arch_kwargs)
    if from_scratch(weights):  # see keras_vision.experiments.mnist_densenet.BATCHNORM_NOTE
        set_batchnorm_momentum(classifier, SCRATCH_BN_MOMENTUM)
    return classifier


def train_head_phase(config: RunConfig, classifier, train, validation, test, names):
    """Phase 1: features of the frozen base computed once (cached), a dense head trained on them.

    The trained head is copied into `classifier`. Test accuracy is measured on the test
    features, which is the classifier's own prediction (base then head) computed once.

    Returns:
        `(numbers for metrics.json, history)`.
    """
    import time

    import keras

    from keras_vision.evaluation import evaluate_classifier
    from keras_vision.training import fit
    from keras_vision.transfer import FeatureCache, build_feature_head, copy_head, extract_features

    start = time.perf_counter()
    cache = FeatureCache(config.run_dir / "features")
    features = {split: extract_features(classifier, x, batch_size=config.batch_size, cache=cache)
                for split, (x, _) in (("train", train), ("validation", validation), ("test", test))}
    extraction_seconds = time.perf_counter() - start
    head = build_feature_head(features["train"].shape[1], 100, dropout=HEAD_DROPOUT)
    head.compile(optimizer=keras.optimizers.Adam(HEAD_LEARNING_RATE),
                 loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    result = fit(
        head, (features["train"], train[1]), validation=(features["validation"], validation[1]),
        epochs=HEAD_EPOCHS_PER_EPOCH * config.epochs, batch_size=128,
        run_dir=config.variant_dir("feature_extraction"), resume=config.resume, verbose=config.verbose,
    )
    copy_head(head, classifier)
    evaluation = evaluate_classifier(head, features["test"], test[1], batch_size=256, class_names=names)
    return phase_numbers(evaluation, result, trainable=head.count_params(),
                         extra={"feature_seconds": round(extraction_seconds, 2),
                                "feature_cache": repr(cache)}), result.history


def fine_tuning_phase(config: RunConfig, strategy, classifier, train, validation, test, names):
    """Phase 2: the top `FINE_TUNE_BLOCKS` base blocks unfrozen, trained with a lower learning rate.

    Returns:
        `(numbers for metrics.json, history, test predictions)`.
    """
    import numpy as np

    from keras_vision.evaluation import top_k_accuracy
    from keras_vision.evaluation import sparse_cross_entropy
    from keras_vision.training import predict_in_whole_batches
    from keras_vision.training import fit
    from keras_vision.transfer import fine_tune

    with strategy.scope():
        setup = fine_tune(classifier, n_blocks=FINE_TUNE_BLOCKS, learning_rate=FINE_TUNE_LEARNING_RATE,
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    print(f"\nfine-tuning {', '.join(setup.unfrozen_blocks)}: {setup.trainable_params:,} trainable "
          f"parameters, learning rate {setup.learning_rate}")
    result = fit(
        classifier, train, validation=validation, epochs=config.epochs, batch_size=config.batch_size,
        run_dir=config.variant_dir("fine_tuning"), resume=config.resume, verbose=config.verbose,
    )
    probs = predict_in_whole_batches(classifier, test[0])
    evaluation = {
        "accuracy": top_k_accuracy(test[1], probs, k=1),
        "top5_accuracy": top_k_accuracy(test[1], probs, k=5),
        "loss": sparse_cross_entropy(test[1], probs),
    }
    numbers = phase_numbers(evaluation, result, trainable=setup.trainable_params,
                            extra={"unfrozen_blocks": setup.unfrozen_blocks})
    return numbers, result.history, np.argmax(probs, axis=1)


def phase_numbers(evaluation: dict, result, *, trainable: int, extra: dict) -> dict:
    """What one phase contributes to `metrics.json["models"]`."""
    return {
        "test_accuracy": evaluation["accuracy"],
        "top5_accuracy": evaluation["top5_accuracy"],
        "test_loss": evaluation.get("loss"),
        "trainable_params": int(trainable),
        "seconds": round(result.seconds, 2),
        "seconds_per_epoch": round(result.seconds_per_epoch, 2),
        "epochs": result.epochs,
        **extra,
    }


def print_phases(models: dict) -> None:
    print(f"\n{'phase':<20} {'top-1':>7} {'top-5':>7} {'trainable':>11} {'s/epoch':>8}")
    for phase, numbers in models.items():
        print(f"{phase:<20} {numbers['test_accuracy']:>7.2%} {numbers['top5_accuracy']:>7.2%} "
              f"{numbers['trainable_params']:>11,} {numbers['seconds_per_epoch']:>8.1f}")
