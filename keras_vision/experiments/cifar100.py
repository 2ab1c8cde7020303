"""`cifar100`: transfer learning on CIFAR-100, feature extraction then fine-tuning.

The course's main transfer-learning run, in the two classic phases:

1. Feature extraction. `build_classifier(arch, 100, (32, 32, 3), base_size=image_size)` puts the
   ImageNet base (default MobileNetV2) behind an input adapter that upsamples the 32x32 images
   and applies the architecture's own `preprocess_input`, and gives it a new 100-way head. The
   frozen base runs ONCE over the images (`extract_features`, cached on disk by `FeatureCache`);
   `train_head_on_features` trains a dense head on the stored features for
   `head_epochs_per_epoch` times `--epochs` epochs (seconds, not hours), then `copy_head` puts it
   into the classifier.
2. Fine-tuning. `fine_tune` unfreezes the top `fine_tune_blocks` blocks of the base (their
   BatchNormalization layers stay in inference mode) and the whole classifier trains on for
   `--epochs` epochs with a 10x lower learning rate.

Labels stay sparse (integer class ids with `sparse_categorical_crossentropy`). Both phases report
top-1 and top-5 test accuracy; `curves.png` shows the curves of both phases. `--arch` takes a
registered architecture (see `keras_vision.transfer.APPLICATIONS`), optionally with builder
arguments: `--arch mobilenet:alpha=0.25`. A comma-separated list (`--arch mobilenetv2,resnet50`)
compares several on the same split in one run: each gets its folder `OUT/cifar100/<arch>/`, and
the one table has the rows `<arch>/feature_extraction` and `<arch>/fine_tuning`.
Offline, `--weights imagenet` needs the weights file in `$KERAS_HOME/models/` (the error says
which); `--weights PATH` loads a file, `--weights none` starts from random filters (then feature
extraction has little to extract).
"""

from __future__ import annotations

import dataclasses
import time

from keras_vision.data import DATASETS, load_cifar100, locate, sparse_labels
from keras_vision.data.split import holdout_split, take
from keras_vision.evaluation import classification_report, plot_history, plot_misclassified
from keras_vision.evaluation.records import variant_record
from keras_vision.experiments.catalog import Cifar100Config
from keras_vision.experiments.classifiers import Candidate, split_sizes, train_candidate
from keras_vision.training import FitResult, get_strategy, whole_batches
from keras_vision.transfer import (
    FeatureCache,
    build_classifier,
    copy_head,
    extract_features,
    fine_tune,
    parse_arch_list,
    prepare_batchnorm,
    train_head_on_features,
    variant_name,
)

HEAD_BATCH_SIZE = 128


def run(config: Cifar100Config) -> dict:
    specs = parse_arch_list(config.arch)
    (x_train, y_train), (x_test, y_test) = load_cifar100("fine", config.data_dir)
    x_train, y_train = take(x_train, sparse_labels(y_train), config.train_limit)
    x_test, y_test = take(x_test, sparse_labels(y_test), config.test_limit)
    train, validation = (
        whole_batches(*split, config.batch_size) for split in holdout_split(x_train, y_train, config.validation_split)
    )
    test = (x_test, y_test)
    names = list(DATASETS.get("cifar100").class_names)
    if len(specs) == 1:  # one architecture: its phases and figures directly in OUT/cifar100/
        result = run_arch(config, *specs[0], train, validation, test, names)
    else:  # several: OUT/cifar100/<arch>/ each, one table of `<arch>/<phase>` rows
        runs = {
            variant_name(*spec): run_arch(arch_config(config, *spec), *spec, train, validation, test, names)
            for spec in specs
        }
        result = {
            "models": {f"{arch}/{phase}": record for arch, r in runs.items() for phase, record in r["models"].items()},
            "transfer": {arch: r["transfer"] for arch, r in runs.items()},
            "notes": sorted({note for r in runs.values() for note in r["notes"]}),
            "figures": [figure for r in runs.values() for figure in r["figures"]],
        }
    return {
        **result,
        "data": {
            "source": locate("cifar100", config.data_dir),
            "label_mode": "fine",
            **split_sizes(train, validation, test),
        },
    }


def arch_config(config: Cifar100Config, arch: str, kwargs: dict) -> Cifar100Config:
    """The options of one architecture of several: the same, with the run folder `OUT/cifar100/<arch>/`."""
    name = variant_name(arch, kwargs)
    return dataclasses.replace(config, out=config.run_dir, experiment=name)


def run_arch(config: Cifar100Config, arch: str, arch_kwargs: dict, train, validation, test, names) -> dict:
    """Both phases for one architecture, into `config.run_dir`: its records, facts and figures."""
    x_test, y_test = test
    with get_strategy(config.strategy).scope():
        classifier = build_classifier(
            arch,
            100,
            (32, 32, 3),
            weights=config.weights,
            base_size=config.image_size,
            dropout=config.dropout,
            **arch_kwargs,
        )
        note = prepare_batchnorm(classifier, config.weights)
    models, histories = {}, {}
    models["feature_extraction"], histories["feature_extraction"] = head_phase(
        config, classifier, train, validation, test
    )
    models["fine_tuning"], histories["fine_tuning"], probs = fine_tuning_phase(
        config, classifier, train, validation, test, names
    )
    label = variant_name(arch, arch_kwargs)
    figures = [
        plot_history(
            histories,
            config.run_dir / "curves.png",
            title=f"CIFAR-100, {label} at {config.image_size}px: head on features, then fine-tuning",
        ),
        plot_misclassified(x_test, y_test, probs, names, config.run_dir / "misclassified.png"),
    ]
    return {
        "models": models,
        "transfer": {
            "arch": arch,
            "arch_kwargs": arch_kwargs,
            "weights": config.weights,
            "image_size": config.image_size,
            "preprocess_input": f"keras.applications {arch} preprocess_input, inside the model",
            "head_epochs": config.head_epochs_per_epoch * config.epochs,
        },
        "notes": [note],
        "figures": [str(f) for f in figures],
    }


def head_phase(config: Cifar100Config, classifier, train, validation, test):
    """Phase 1: features of the frozen base computed once (cached), a dense head trained on them.

    The trained head is copied into `classifier`. Test accuracy is measured on the test
    features, which is the classifier's own prediction (base then head) computed once.

    Returns:
        `(record for metrics.json, history)`.
    """
    start = time.perf_counter()
    cache = FeatureCache(config.run_dir / "features")
    features = {
        split: extract_features(classifier, x, batch_size=config.batch_size, cache=cache)
        for split, (x, _) in (("train", train), ("validation", validation), ("test", test))
    }
    extraction_seconds = time.perf_counter() - start
    start = time.perf_counter()
    head, history = train_head_on_features(
        features["train"],
        train[1],
        num_classes=100,
        validation_data=(features["validation"], validation[1]),
        epochs=config.head_epochs_per_epoch * config.epochs,
        batch_size=HEAD_BATCH_SIZE,
        learning_rate=config.learning_rate,
        dropout=config.dropout,
        verbose=config.verbose,
        run_dir=config.variant_dir("feature_extraction"),
        resume=config.resume,
        strategy=get_strategy(config.strategy),
        seed=config.seed,
    )
    timing = FitResult.timed(history, time.perf_counter() - start)
    copy_head(head, classifier)
    report = classification_report(test[1], head.predict(features["test"], batch_size=256, verbose=0))
    record = variant_record(
        head, timing, report, feature_seconds=round(extraction_seconds, 2), feature_cache=repr(cache)
    )
    return record, history


def fine_tuning_phase(config: Cifar100Config, classifier, train, validation, test, class_names):
    """Phase 2: the top `fine_tune_blocks` base blocks unfrozen, trained with a lower learning rate.

    Returns:
        `(record for metrics.json, history, test probabilities)`.
    """
    unfrozen = []

    def build(total_steps: int):
        setup = fine_tune(
            classifier,
            n_blocks=config.fine_tune_blocks,
            learning_rate=config.fine_tune_learning_rate,
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        unfrozen.extend(setup.unfrozen_blocks)
        print(f"\nfine-tuning {', '.join(setup.unfrozen_blocks)}, learning rate {setup.learning_rate}")
        return classifier

    trained = train_candidate(
        config, "fine_tuning", Candidate(build, config.epochs), train, validation, test, class_names=class_names
    )
    return {**trained.record, "unfrozen_blocks": unfrozen}, trained.history, trained.probs
