"""`folder`: your own photos, one folder per class, classified by several architectures.

    python -m keras_vision.run folder --data-dir my_photos/ --arch mobilenetv2,mobilenet

`--data-dir` is a folder (or `.tar.gz`) of class folders, `<class>/*.jpg`, or already split as
`train/<class>/*` and `test/<class>/*` (`keras_vision.data.load_image_folder`; without a split,
a stratified 20 % is held out for testing). Every image is resized to `IMAGE_SIZE` when loaded.
Each architecture of the comma-separated `--arch` list is trained the same way:

- augmentation inside the model: RandomFlip (horizontal), RandomTranslation and RandomZoom,
  active only while training;
- class weights for imbalanced folders (`balanced_class_weights`: a class with half the images
  counts twice as much in the loss);
- a cosine learning-rate schedule with a short warm-up (`keras_vision.training.cosine_decay`);
- with pretrained weights (`imagenet` or a file) the base stays frozen and only the new head
  learns; with `--weights none` every layer learns (batch-norm momentum 0.9, see
  `keras_vision.experiments.mnist_densenet`).

Outputs: `curves.png` (all architectures), and per architecture a confusion matrix and a grid of
misclassified test images; `metrics.json` compares the architectures.
"""

from __future__ import annotations

from keras_vision.errors import UsageError
from keras_vision.experiments.base import Preset, RunConfig, experiment

DEFAULT_ARCHS = "mobilenetv2,mobilenet"
#: (height, width) every image is resized to when loaded; the bases see this size too.
IMAGE_SIZE = (96, 96)
#: Peak learning rate when every layer learns (--weights none) and when only the head does.
LEARNING_RATE = 1e-3
HEAD_ONLY_LEARNING_RATE = 5e-3
#: Fraction of the training steps spent warming the learning rate up from 0.
WARMUP_FRACTION = 0.1
#: Random augmentation strengths (fractions of the image size).
TRANSLATION, ZOOM = 0.1, 0.1


@experiment(
    "folder",
    summary="your class-folder images (--data-dir): several architectures, augmentation, class weights",
    datasets=(),  # the user's own folder, not a registered dataset
    default=Preset(epochs=10, batch_size=32, arch=DEFAULT_ARCHS, weights="imagenet"),
    quick=Preset(epochs=5, batch_size=32, train_limit=2_000, test_limit=500, arch=DEFAULT_ARCHS,
                 weights="imagenet"),
    options=("arch", "weights"),
)
def folder(config: RunConfig) -> dict:
    from keras_vision.evaluation import plot_history
    from keras_vision.experiments.cifar100 import parse_arch_spec
    from keras_vision.training import whole_batches
    from keras_vision.training import balanced_class_weights

    specs = [parse_arch_spec(spec) for spec in split_arch_list(config.arch or DEFAULT_ARCHS)]
    check_weights_for(specs, config.weights)
    dataset = load_folder(config.data_dir)
    x_train, y_train = dataset.train[0][: config.train_limit], dataset.train[1][: config.train_limit]
    x_test, y_test = dataset.test[0][: config.test_limit], dataset.test[1][: config.test_limit]
    if len(x_test) == 0:
        raise UsageError(f"{config.data_dir} has no test images: put some in test/<class>/ or use "
                         "plain class folders (20 % of each class is then held out for testing).")
    names = list(dataset.class_names)
    class_weight = balanced_class_weights(y_train)
    n_val = max(1, len(x_train) // 10)  # the last 10 % of the (shuffled) training images validate
    train = whole_batches(x_train[:-n_val], y_train[:-n_val], config.batch_size)
    validation = whole_batches(x_train[-n_val:], y_train[-n_val:], config.batch_size)

    models, histories, figures = {}, {}, []
    for arch, kwargs in specs:
        variant = variant_name(arch, kwargs)
        numbers, histories[variant], arch_figures = train_architecture(
            config, variant, arch, kwargs, train, validation, (x_test, y_test), names, class_weight
        )
        models[variant] = numbers
        figures += arch_figures
    figures.insert(0, plot_history(histories, config.run_dir / "curves.png",
                                   title=f"{len(names)} classes from {config.data_dir}"))
    print_comparison(models)
    return {
        "models": models,
        "data": {
            "source": str(config.data_dir),
            "class_names": names,
            "image_size": list(IMAGE_SIZE),
            "train": len(train[0]),
            "validation": len(validation[0]),
            "test": len(x_test),
            "train_per_class": {n: int((y_train == i).sum()) for i, n in enumerate(names)},
            "class_weight": {names[i]: round(w, 4) for i, w in class_weight.items()},
        },
        "figures": [str(f) for f in figures],
    }


def split_arch_list(text: str) -> list[str]:
    """`"mobilenetv2, mobilenet:alpha=0.25"` -> `["mobilenetv2", "mobilenet:alpha=0.25"]`."""
    specs = [part.strip() for part in str(text).split(",") if part.strip()]
    if not specs:
        raise UsageError(f"--arch needs at least one architecture, e.g. {DEFAULT_ARCHS}. Received: {text!r}.")
    return specs


def check_weights_for(specs: list, weights) -> None:
    """A weights FILE fits one architecture only: refuse it for a list of several."""
    if len(specs) > 1 and weights is not None and str(weights).lower() not in ("imagenet", "none"):
        raise UsageError(
            f"--weights {weights} is a file for one architecture, but --arch lists {len(specs)}. "
            "Pass one architecture with a weights file, or --weights imagenet / none for several."
        )


def variant_name(arch: str, kwargs: dict) -> str:
    """`("mobilenet", {"alpha": 0.25})` -> `"mobilenet_alpha0.25"`: a folder and legend name."""
    return arch + "".join(f"_{key}{value}" for key, value in sorted(kwargs.items()))


def load_folder(data_dir):
    """`load_image_folder(data_dir, image_size=IMAGE_SIZE)`, with guidance when it is missing.

    Raises:
        DataNotFoundError: `data_dir` not given or not there.
    """
    from pathlib import Path

    from keras_vision.data import load_image_folder
    from keras_vision.errors import DataNotFoundError

    layout = ("a folder (or .tar.gz) of class folders: DIR/<class>/*.jpg, or DIR/train/<class>/* and "
              "DIR/test/<class>/*")
    if data_dir is None:
        raise DataNotFoundError(f"The folder experiment trains on your own images: pass --data-dir DIR, {layout}.")
    if not Path(data_dir).exists():
        raise DataNotFoundError(f"--data-dir {data_dir} does not exist. Pass {layout}.")
    return load_image_folder(data_dir, image_size=IMAGE_SIZE)


def augmentation():
    """Random flips, shifts and zooms: training-time only, identity at inference."""
    import keras
    from keras import layers

    return keras.Sequential([
        layers.RandomFlip("horizontal", name="augment_flip"),
        layers.RandomTranslation(TRANSLATION, TRANSLATION, name="augment_translate"),
        layers.RandomZoom(ZOOM, name="augment_zoom"),
    ], name="augmentation")


def build_model(arch: str, kwargs: dict, weights, num_classes: int, image_shape, *, total_steps: int):
    """Augmentation + `build_classifier`, compiled with a cosine schedule.

    Returns:
        `(model, classifier)`: the model to train and the classifier inside it.
    """
    import keras

    from keras_vision.transfer import SCRATCH_BN_MOMENTUM, from_scratch, set_batchnorm_momentum
    from keras_vision.training import cosine_decay
    from keras_vision.transfer import build_classifier, unfreeze_top

    classifier = build_classifier(arch, num_classes, tuple(image_shape), weights=weights, dropout=0.2, **kwargs)
    if from_scratch(weights):
        set_batchnorm_momentum(classifier, SCRATCH_BN_MOMENTUM)
        peak = LEARNING_RATE
    else:
        unfreeze_top(classifier, 0)  # the whole base frozen, the head trainable
        peak = HEAD_ONLY_LEARNING_RATE
    inputs = keras.Input(shape=tuple(image_shape), name="image")
    model = keras.Model(inputs, classifier(augmentation()(inputs)), name=f"{arch}_augmented")
    schedule = cosine_decay(peak, total_steps=total_steps,
                            warmup_steps=int(WARMUP_FRACTION * total_steps))
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model, classifier


def train_architecture(config: RunConfig, variant, arch, kwargs, train, validation, test, names, class_weight):
    """Trains and evaluates one architecture; draws its confusion matrix and misclassified images.

    Returns:
        `(numbers for metrics.json, history, figure paths)`.
    """
    import math

    from keras_vision.evaluation import confusion_matrix, plot_confusion_matrix, plot_misclassified, top_k_accuracy
    from keras_vision.evaluation import sparse_cross_entropy
    from keras_vision.training import predict_in_whole_batches
    from keras_vision.training import fit, get_strategy
    from keras_vision.transfer import trainable_params

    steps = config.epochs * math.ceil(len(train[0]) / config.batch_size)
    with get_strategy(config.strategy).scope():
        model, _ = build_model(arch, kwargs, config.weights, len(names), train[0].shape[1:], total_steps=steps)
    print(f"\n{variant}: {trainable_params(model):,} trainable of {model.count_params():,} parameters")
    result = fit(
        model, train, validation=validation, epochs=config.epochs, batch_size=config.batch_size,
        run_dir=config.variant_dir(variant), resume=config.resume, class_weight=class_weight,
        verbose=config.verbose,
    )
    probs = predict_in_whole_batches(model, test[0], batch_size=128)
    cm = confusion_matrix(test[1], probs, len(names))
    figures = [
        plot_confusion_matrix(cm, names, config.run_dir / f"confusion_matrix_{variant}.png"),
        plot_misclassified(test[0], test[1], probs, names, config.run_dir / f"misclassified_{variant}.png"),
    ]
    numbers = {
        "test_accuracy": top_k_accuracy(test[1], probs, k=1),
        "test_loss": sparse_cross_entropy(test[1], probs),
        "per_class_accuracy": {n: (float(cm[i, i] / cm[i].sum()) if cm[i].sum() else None)
                               for i, n in enumerate(names)},
        "confusion_matrix": cm.tolist(),
        "trainable_params": trainable_params(model),
        "params": model.count_params(),
        "seconds": round(result.seconds, 2),
        "seconds_per_epoch": round(result.seconds_per_epoch, 2),
        "epochs": result.epochs,
    }
    if len(names) > 5:
        numbers["top5_accuracy"] = top_k_accuracy(test[1], probs, k=5)
    return numbers, result.history, figures


def print_comparison(models: dict) -> None:
    print(f"\n{'architecture':<24} {'accuracy':>9} {'trainable':>11} {'s/epoch':>8}")
    for variant, numbers in models.items():
        print(f"{variant:<24} {numbers['test_accuracy']:>9.2%} {numbers['trainable_params']:>11,} "
              f"{numbers['seconds_per_epoch']:>8.1f}")
