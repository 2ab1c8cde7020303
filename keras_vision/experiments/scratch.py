"""`fashion_mnist` and `cifar10`: classifiers trained from scratch, compared on one plot.

All the work is `keras_vision.scratch.train_from_scratch`: the taught preprocessing, every variant
trained with a cosine learning rate, curves of all variants on one plot, the confusion matrix of
the best. These functions turn the options into its arguments.
"""

from __future__ import annotations

from keras_vision.errors import UsageError
from keras_vision.experiments.catalog import Cifar10Config, ScratchConfig
from keras_vision.scratch import SCRATCH_DATASETS, check_variants, train_from_scratch


def run_fashion_mnist(config: ScratchConfig) -> dict:
    return _run("fashion_mnist", config)


def run_cifar10(config: Cifar10Config) -> dict:
    return _run("cifar10", config)


def _run(dataset: str, config: ScratchConfig) -> dict:
    return train_from_scratch(
        dataset,
        config.run_dir,
        variants=variant_names(config.variants, SCRATCH_DATASETS[dataset].variants),
        data_dir=config.data_dir,
        epochs=config.epochs,
        batch_size=config.batch_size,
        train_limit=config.train_limit,
        test_limit=config.test_limit,
        seed=config.seed,
        verbose=config.verbose,
        resume=config.resume,
        validation_fraction=config.validation_split,
    )


def variant_names(text: str, table: dict) -> tuple[str, ...]:
    """`""` -> every variant of `table`; `"ann,cnn"` -> those, checked by `keras_vision.scratch.check_variants`."""
    if not text.replace(",", "").strip():
        return tuple(table)
    try:
        return check_variants(table, text)
    except ValueError as error:
        raise UsageError(str(error)) from None
