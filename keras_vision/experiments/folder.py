"""`folder`: your own photos, one folder per class, classified by several architectures.

    python -m keras_vision.run folder --data-dir my_photos/ --arch mobilenetv2,mobilenet

`--data-dir` is a folder (or `.tar.gz`) of class folders, `<class>/*.jpg`, or already split as
`train/<class>/*` and `test/<class>/*` (`keras_vision.data.load_image_folder`; without a split,
a stratified 20 % is held out for testing). Every image is resized to `--image-size` when loaded.
Each architecture of the comma-separated `--arch` list is trained the same way:

- augmentation inside the model (`keras_vision.augment.layers`): random horizontal flips, shifts
  and zooms, active only while training;
- class weights for imbalanced folders (`balanced_class_weights`: a class with half the images
  counts twice as much in the loss);
- a cosine learning-rate schedule with a short warm-up (`keras_vision.training.cosine_decay`);
- with pretrained weights (`imagenet` or a file) the base stays frozen and only the new head
  learns; with `--weights none` every layer learns (batch-norm momentum 0.9, see
  `keras_vision.transfer.batchnorm`).

Outputs: `curves.png` (all architectures), and per architecture a confusion matrix and a grid of
misclassified test images; `metrics.json` and `results.md` compare the architectures.
"""

from __future__ import annotations

from pathlib import Path

import keras

from keras_vision.augment.layers import augmentation_layers
from keras_vision.data import load_image_folder
from keras_vision.data.split import holdout_split, take
from keras_vision.errors import DataNotFoundError, UsageError
from keras_vision.experiments.catalog import FolderConfig
from keras_vision.experiments.classifiers import Candidate, compare_classifiers, split_sizes
from keras_vision.training import (
    balanced_class_weights,
    cosine_decay,
    whole_batches,
)
from keras_vision.transfer import (
    build_classifier,
    check_weights_for,
    from_scratch,
    parse_arch_list,
    prepare_batchnorm,
    unfreeze_top,
    variant_name,
)

LAYOUT = "a folder (or .tar.gz) of class folders: DIR/<class>/*.jpg, or DIR/train/<class>/* and DIR/test/<class>/*"


def run(config: FolderConfig) -> dict:
    specs = parse_arch_list(config.arch)
    check_weights_for(specs, config.weights)
    dataset = load_folder(config.data_dir, config.image_size)
    x_train, y_train = take(*dataset.train, config.train_limit)
    x_test, y_test = take(*dataset.test, config.test_limit)
    if len(x_test) == 0:
        raise UsageError(
            f"{config.data_dir} has no test images: put some in test/<class>/ or use "
            "plain class folders (20 % of each class is then held out for testing)."
        )
    names = list(dataset.class_names)
    class_weight = balanced_class_weights(y_train)
    train, validation = (
        whole_batches(*split, config.batch_size) for split in holdout_split(x_train, y_train, config.validation_split)
    )

    candidates = {
        variant_name(arch, kwargs): Candidate(
            model_builder(config, arch, kwargs, len(names), x_train.shape[1:]), config.epochs, class_weight=class_weight
        )
        for arch, kwargs in specs
    }
    result = compare_classifiers(
        config,
        candidates,
        train,
        validation,
        (x_test, y_test),
        class_names=names,
        title=f"{len(names)} classes from {config.data_dir}",
        error_figures="each",
    )
    return {
        "models": result["models"],
        "data": {
            "source": str(config.data_dir),
            "class_names": names,
            "image_size": [config.image_size] * 2,
            **split_sizes(train, validation, (x_test, y_test)),
            "train_per_class": {n: int((y_train == i).sum()) for i, n in enumerate(names)},
            "class_weight": {names[i]: round(w, 4) for i, w in class_weight.items()},
        },
        "figures": result["figures"],
    }


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


def model_builder(config: FolderConfig, arch: str, kwargs: dict, num_classes: int, image_shape):
    """`build(total_steps)`: augmentation + `build_classifier`, compiled with a cosine schedule with warm-up."""

    def build(total_steps: int) -> keras.Model:
        classifier = build_classifier(
            arch, num_classes, tuple(image_shape), weights=config.weights, dropout=0.2, **kwargs
        )
        prepare_batchnorm(classifier, config.weights)
        if from_scratch(config.weights):
            peak = config.learning_rate
        else:
            unfreeze_top(classifier, 0)  # the whole base frozen, the head trainable
            peak = config.head_only_learning_rate
        inputs = keras.Input(shape=tuple(image_shape), name="image")
        augment = augmentation_layers(translation=config.translation, zoom=config.zoom)
        model = keras.Model(inputs, classifier(augment(inputs)), name=f"{arch}_augmented")
        warmup = int(config.warmup_fraction * total_steps)
        model.compile(
            optimizer=keras.optimizers.Adam(cosine_decay(peak, total_steps=total_steps, warmup_steps=warmup)),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        return model

    return build
