"""`folder`: the small-set transfer project: your photos, one folder per class, several recipes.

    python -m keras_vision.run folder --data-dir my_photos/ --arch mobilenetv2,resnet50 \\
        --augmentations none,flip,geometric,full --fine-tune all

`--data-dir` is a folder (or `.tar.gz`) of class folders, `<class>/*.jpg`, or already split as
`train/<class>/*` and `test/<class>/*` (`keras_vision.data.load_image_folder`; without a split,
a stratified 20 % is held out for testing). Every image is resized to `--image-size` when loaded;
the last `--validation-split` of the (shuffled) training images is the validation set.

For each architecture of `--arch` and each augmentation strategy of `--augmentations`, with the
same seed and the same split, in two phases (the Keras guide "Transfer learning & fine-tuning"):

1. `{arch}-head-{augmentation}`: the pretrained base frozen, only the new head learns
   (`--head-only-learning-rate`);
2. `{arch}-finetune-{augmentation}`: from where phase 1 ended, every layer (`--fine-tune all`) or
   the top N blocks of the base (`--fine-tune N`) learn on with a lower learning rate
   (`--fine-tune-learning-rate`), the BatchNormalization layers kept in inference mode
   (`keras_vision.transfer.unfreeze_for_fine_tuning`). `--fine-tune none` stops after phase 1.

With `--weights none` there is nothing pretrained to keep: every layer learns from the start, in one
phase named `{arch}-scratch-{augmentation}` (batch-norm momentum 0.9, see
`keras_vision.transfer.batchnorm`).

Every phase: the augmentation inside the model (`keras_vision.augment.strategy_layers`: none,
flip, geometric = flips + rotation + shift/zoom/shear, full = geometric + colour jitter), balanced
class weights (`balanced_class_weights`: a class with half the images counts twice as much in the
loss), a cosine learning-rate schedule after a linear warm-up (`cosine_decay`).

Outputs: `curves.png` (all models), the confusion matrix, misclassified and most confidently wrong
test images of the best model; `metrics.json` `models` has one entry per architecture, phase and
augmentation with `val_accuracy`, `test_accuracy` and the error analysis (`most_confused`: the
largest off-diagonal cells of the confusion matrix; `most_confident_mistakes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import keras

from keras_vision.augment.layers import STRATEGIES, AugmentationStrengths, check_strategy, strategy_layers
from keras_vision.data import load_image_folder
from keras_vision.data.split import holdout_split, take
from keras_vision.errors import DataNotFoundError, UsageError
from keras_vision.evaluation import confused_pair_records, mistake_records, plot_confident_mistakes
from keras_vision.experiments.catalog import FolderConfig
from keras_vision.experiments.classifiers import Candidate, compare_classifiers, split_sizes
from keras_vision.training import balanced_class_weights, cosine_decay, whole_batches
from keras_vision.transfer import (
    build_classifier,
    check_weights_for,
    from_scratch,
    get_application,
    parse_arch_list,
    prepare_batchnorm,
    unfreeze_for_fine_tuning,
    unfreeze_top,
    variant_name,
)

LAYOUT = "a folder (or .tar.gz) of class folders: DIR/<class>/*.jpg, or DIR/train/<class>/* and DIR/test/<class>/*"
#: Dropout before the new head.
HEAD_DROPOUT = 0.2


def run(config: FolderConfig) -> dict:
    plan = plan_recipes(config)  # before loading: that can be slow
    data = load_splits(config)
    names, (x_test, y_test) = data.class_names, data.test
    class_weight = balanced_class_weights(data.train_all[1])
    result = compare_classifiers(
        config,
        recipe_candidates(config, plan, names, data.train[0].shape[1:], class_weight),
        data.train,
        data.validation,
        data.test,
        class_names=names,
        title=f"{len(names)} classes from {config.data_dir}",
    )
    add_error_analysis(result, y_test, names)
    best = result["trained"][result["best"]]
    mistakes = plot_confident_mistakes(x_test, y_test, best.probs, names, config.run_dir / "confident_mistakes.png")
    return {
        "models": result["models"],
        "best": result["best"],
        "data": {
            "source": str(config.data_dir),
            "class_names": names,
            "image_size": [config.image_size] * 2,
            **split_sizes(data.train, data.validation, data.test),
            "train_per_class": {n: int((data.train_all[1] == i).sum()) for i, n in enumerate(names)},
            "class_weight": {names[i]: round(w, 4) for i, w in class_weight.items()},
        },
        "figures": [*result["figures"], str(mistakes)],
    }


@dataclass(frozen=True)
class RecipePlan:
    """What `--arch`, `--augmentations`, `--fine-tune` and the strength options ask for, checked.

    Attributes:
        specs: `(arch, kwargs)` per architecture of `--arch`.
        strengths: The augmentation strengths.
        strategies: The augmentation strategies compared.
        fine_tune: Architecture name -> top blocks unfrozen in phase 2 (None: head only).
    """

    specs: list
    strengths: AugmentationStrengths
    strategies: list[str]
    fine_tune: dict[str, int | None]


def plan_recipes(config: FolderConfig) -> RecipePlan:
    """Checks the recipe options of `config` (before any data is loaded).

    Raises:
        UsageError: an unknown or repeated architecture, weights the architecture cannot take, a bad
            strategy, strength or `--fine-tune`; the message names the flag.
    """
    specs = parse_arch_list(config.arch)
    check_weights_for(specs, config.weights)
    arch_names = [variant_name(arch, kwargs) for arch, kwargs in specs]
    if len(set(arch_names)) < len(arch_names):
        raise UsageError(f"--arch lists an architecture twice: {', '.join(arch_names)}. Received: {config.arch!r}.")
    strengths = augmentation_strengths(config)
    return RecipePlan(
        specs,
        strengths,
        parse_augmentations(config.augmentations, strengths),
        {variant_name(arch, kwargs): fine_tune_blocks(config.fine_tune, arch) for arch, kwargs in specs},
    )


class FolderSplits(NamedTuple):
    """The splits of a class-folder dataset: `(x, y)` each, uint8 images and int labels."""

    class_names: list[str]
    train_all: tuple  # every training image (train_limit applied), before the validation hold-out
    train: tuple  # whole batches of it
    validation: tuple  # whole batches of the last `validation_split`
    test: tuple


def load_splits(config: FolderConfig) -> FolderSplits:
    """Loads `--data-dir` at `--image-size`, applies the limits and holds out the validation images.

    Raises:
        DataNotFoundError: no `--data-dir`, or not there.
        UsageError: the folder gives no test images.
    """
    dataset = load_folder(config.data_dir, config.image_size)
    x_train, y_train = take(*dataset.train, config.train_limit)
    x_test, y_test = take(*dataset.test, config.test_limit)
    if len(x_test) == 0:
        raise UsageError(
            f"{config.data_dir} has no test images: put some in test/<class>/ or use "
            "plain class folders (20 % of each class is then held out for testing)."
        )
    train, validation = (
        whole_batches(*split, config.batch_size) for split in holdout_split(x_train, y_train, config.validation_split)
    )
    return FolderSplits(list(dataset.class_names), (x_train, y_train), train, validation, (x_test, y_test))


def recipe_candidates(
    config: FolderConfig, plan: RecipePlan, class_names, image_shape, class_weight
) -> dict[str, Candidate]:
    """Every phase of every architecture and strategy, in training order, as `Candidate`s.

    Args:
        config: The run's settings.
        plan: `plan_recipes(config)`.
        class_names: The dataset's classes (their number sizes the head).
        image_shape: Shape of one image, `(size, size, channels)`.
        class_weight: Class id -> loss weight (`balanced_class_weights`).

    Returns:
        `{"{arch}-head-{strategy}": ..., "{arch}-finetune-{strategy}": ...}` (or `-scratch-`).
    """
    candidates = {}
    for arch, kwargs in plan.specs:
        arch_name = variant_name(arch, kwargs)
        for strategy in plan.strategies:
            recipe = Recipe(config, arch, kwargs, len(class_names), image_shape, strategy, plan.strengths)
            candidates.update(recipe.candidates(arch_name, plan.fine_tune[arch_name], class_weight))
    return candidates


def add_error_analysis(result: dict, y_test, class_names) -> dict:
    """Adds `val_accuracy`, `most_confused` and `most_confident_mistakes` to each record of `result`.

    Args:
        result: What `compare_classifiers` returned.
        y_test: The test labels.
        class_names: The class names.

    Returns:
        `result["models"]`, updated.
    """
    for name, trained in result["trained"].items():
        record = result["models"][name]
        record["val_accuracy"] = trained.history["val_accuracy"][-1]
        record["most_confused"] = confused_pair_records(record["confusion_matrix"], class_names)
        record["most_confident_mistakes"] = mistake_records(y_test, trained.probs, class_names)
    return result["models"]


def augmentation_strengths(config: FolderConfig) -> AugmentationStrengths:
    """The `--flip`, `--rotation`, ... options as `AugmentationStrengths`, checked.

    Raises:
        UsageError: for a strength out of range, naming its flag.
    """
    try:
        return AugmentationStrengths(
            flip=config.flip,
            rotation=config.rotation,
            translation=config.translation,
            zoom=config.zoom,
            shear=config.shear,
            brightness=config.brightness,
            contrast=config.contrast,
            saturation=config.saturation,
            hue=config.hue,
        )
    except ValueError as error:
        raise UsageError(str(error).replace("`", "--", 1).replace("`", "", 1)) from None


def parse_augmentations(text: str, strengths: AugmentationStrengths) -> list[str]:
    """`"none,full"` -> `["none", "full"]`, each a known strategy, none twice.

    Raises:
        UsageError: for an empty list, an unknown or repeated strategy, or `flip` with `--flip none`.
    """
    chosen = [part.strip() for part in str(text).split(",") if part.strip()]
    if not chosen:
        raise UsageError(f"--augmentations needs at least one of {', '.join(STRATEGIES)}. Received: {text!r}.")
    repeated = sorted({s for s in chosen if chosen.count(s) > 1})
    if repeated:
        raise UsageError(f"--augmentations lists {', '.join(repeated)} more than once. Received: {text!r}.")
    for strategy in chosen:
        try:
            check_strategy(strategy, strengths)
        except ValueError as error:
            raise UsageError(f"--augmentations: {error}".replace("flip 'none'", "--flip none")) from None
    return chosen


def fine_tune_blocks(text: str, arch: str) -> int | None:
    """`--fine-tune` for one architecture: `None` (head only) or how many top blocks learn in phase 2.

    Raises:
        UsageError: for text other than none, all or a whole number from 1 to the blocks of `arch`.
    """
    blocks = get_application(arch).layout.block_names
    value = str(text).strip().lower()
    if value == "none":
        return None
    if value == "all":
        return len(blocks)
    if not value.isdigit() or not 1 <= int(value) <= len(blocks):
        raise UsageError(
            f"--fine-tune must be none, all or a number of top blocks from 1 to {len(blocks)} "
            f"({arch} has the blocks {', '.join(blocks)}). Received: {text!r}."
        )
    return int(value)


def load_folder(data_dir, image_size: int):
    """`load_image_folder(data_dir, image_size=(size, size))`, with guidance when it is missing.

    Raises:
        DataNotFoundError: `data_dir` not given or not there.
    """
    if data_dir is None:
        raise DataNotFoundError(f"The folder experiment trains on your own images: pass --data-dir DIR, {LAYOUT}.")
    if not Path(data_dir).exists():
        raise DataNotFoundError(f"--data-dir {data_dir} does not exist. Pass {LAYOUT}.")
    return load_image_folder(data_dir, image_size=(image_size, image_size))


class Recipe:
    """The phases of one architecture with one augmentation strategy, as `Candidate`s.

    Phase 2 continues from the weights phase 1 trained (`compare_classifiers` trains the candidates
    in order; the latest model is `self.model`, its classifier `self.classifier`).
    """

    def __init__(self, config: FolderConfig, arch, kwargs, num_classes, image_shape, strategy, strengths):
        self.config, self.arch, self.kwargs = config, arch, kwargs
        self.num_classes, self.image_shape = num_classes, tuple(image_shape)
        self.strategy, self.strengths = strategy, strengths
        self.model = self.classifier = None

    def candidates(self, arch_name: str, fine_tune: int | None, class_weight) -> dict[str, Candidate]:
        """`{name: Candidate}`: scratch, or head then (unless `fine_tune` is None) finetune."""
        config, suffix = self.config, self.strategy
        if from_scratch(config.weights):
            return {f"{arch_name}-scratch-{suffix}": self._candidate(self.build_scratch, config.epochs, class_weight)}
        phases = {f"{arch_name}-head-{suffix}": self._candidate(self.build_head, config.epochs, class_weight)}
        if fine_tune is not None:
            extra = {"fine_tune_blocks": fine_tune}
            epochs = config.fine_tune_epochs or config.epochs
            phases[f"{arch_name}-finetune-{suffix}"] = self._candidate(
                lambda steps: self.build_finetune(steps, fine_tune, extra), epochs, class_weight, extra
            )
        return phases

    def _candidate(self, build, epochs, class_weight, extra=None) -> Candidate:
        return Candidate(
            build,
            epochs,
            class_weight=class_weight,
            extra=extra if extra is not None else {"augmentation": self.strategy},
        )

    def build_scratch(self, total_steps: int) -> keras.Model:
        """Every layer from random weights, at `--learning-rate`."""
        self._new_model()
        return self._compiled(self.config.learning_rate, total_steps)

    def build_head(self, total_steps: int) -> keras.Model:
        """Phase 1: the pretrained base frozen, the head at `--head-only-learning-rate`."""
        self._new_model()
        unfreeze_top(self.classifier, 0)
        return self._compiled(self.config.head_only_learning_rate, total_steps)

    def build_finetune(self, total_steps: int, n_blocks: int, extra: dict) -> keras.Model:
        """Phase 2: the phase-1 model with its top `n_blocks` base blocks unfrozen, batch norm frozen.

        The model is built anew in the current strategy scope (a `--strategy mirrored` scope is a new
        object per phase) and takes the weights phase 1 ended with, in the same frozen state.
        """
        trained = self.model.get_weights()
        self._new_model()
        unfreeze_top(self.classifier, 0)
        self.model.set_weights(trained)
        unfrozen, frozen_bn = unfreeze_for_fine_tuning(self.classifier, n_blocks=n_blocks)
        extra.update(augmentation=self.strategy, unfrozen_blocks=unfrozen, frozen_batchnorm=len(frozen_bn))
        print(f"fine-tuning {', '.join(unfrozen)} ({len(frozen_bn)} BatchNormalization layers kept frozen)")
        return self._compiled(self.config.fine_tune_learning_rate, total_steps)

    def _new_model(self) -> None:
        config = self.config
        self.classifier = build_classifier(
            self.arch, self.num_classes, self.image_shape, weights=config.weights, dropout=HEAD_DROPOUT, **self.kwargs
        )
        prepare_batchnorm(self.classifier, config.weights)
        inputs = keras.Input(shape=self.image_shape, name="image")
        augment = strategy_layers(self.strategy, self.strengths, seed=config.seed)
        outputs = self.classifier(augment(inputs))
        self.model = keras.Model(inputs, outputs, name=f"{self.arch}_{self.strategy}")

    def _compiled(self, peak: float, total_steps: int) -> keras.Model:
        warmup = int(self.config.warmup_fraction * total_steps)
        self.model.compile(
            optimizer=keras.optimizers.Adam(cosine_decay(peak, total_steps=total_steps, warmup_steps=warmup)),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        return self.model
