"""`mnist`: the classic small CNN on MNIST, and what its first two layers do to a digit.

The network (see `keras_vision.models.classic`) reaches about 99 % test accuracy in three epochs.
Besides the usual curves, confusion matrix and misclassified digits (also with the Grad-CAM map of
the class the network chose, `misclassified_gradcam.png`), the run draws one training
digit, the same digit through the vertical-edge 3x3 filter (28x28 -> 26x26) and after 2x2 max
pooling (26x26 -> 13x13): the two operations the network stacks twice.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_vision.convolution import VERTICAL_EDGE_KERNEL, convolve2d, max_pool2d
from keras_vision.data import add_channel_axis, load_mnist, locate, one_hot, scale_pixels
from keras_vision.data.split import holdout_split, take
from keras_vision.evaluation import (
    classification_report,
    plot_confusion_matrix,
    plot_history,
    plot_image_grid,
    plot_misclassified,
    plot_misclassified_gradcam,
)
from keras_vision.experiments.catalog import MnistConfig
from keras_vision.experiments.records import variant_record
from keras_vision.models import build_classic_cnn, format_layer_table, layer_table
from keras_vision.training import cosine_decay, epochs_to_steps, fit, get_strategy

VARIANT = "classic_cnn"


def run(config: MnistConfig) -> dict:
    (x_train, y_train), (x_test, y_test) = load_mnist(config.data_dir)
    x_train, y_train = take(x_train, y_train, config.train_limit)
    x_test, y_test = take(x_test, y_test, config.test_limit)
    figures = [filter_figure(x_train[0], config.run_dir / "filter_and_pool.png")]

    x_train, x_test = add_channel_axis(scale_pixels(x_train)), add_channel_axis(scale_pixels(x_test))
    train, validation = holdout_split(x_train, one_hot(y_train, 10), config.validation_split)

    steps = epochs_to_steps(config.epochs, num_examples=len(train[0]), batch_size=config.batch_size)
    with get_strategy(config.strategy).scope():
        model = build_classic_cnn((28, 28, 1), 10)
        optimizer = keras.optimizers.Adam(cosine_decay(config.learning_rate, total_steps=steps))
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    architecture = layer_table(model)
    (config.run_dir / "summary.txt").write_text(format_layer_table(architecture) + "\n")

    variant_dir = config.variant_dir(VARIANT)
    result = fit(
        model,
        train,
        validation=validation,
        epochs=config.epochs,
        batch_size=config.batch_size,
        run_dir=variant_dir,
        resume=config.resume,
        verbose=config.verbose,
    )
    probs = model.predict(x_test, batch_size=256, verbose=0)
    report = classification_report(y_test, probs)
    figures += [
        plot_history({VARIANT: result.history}, config.run_dir / "curves.png", title="MNIST: classic CNN"),
        plot_confusion_matrix(
            np.asarray(report["confusion_matrix"]), report["class_names"], config.run_dir / "confusion_matrix.png"
        ),
        plot_misclassified(x_test, y_test, probs, report["class_names"], config.run_dir / "misclassified.png"),
        plot_misclassified_gradcam(
            model, x_test, y_test, probs, report["class_names"], config.run_dir / "misclassified_gradcam.png"
        ),
    ]
    model.save(variant_dir / "final.keras")
    return {
        "models": {VARIANT: variant_record(model, result, report)},
        "data": {
            "source": locate("mnist", config.data_dir),
            "train": len(train[0]),
            "validation": len(validation[0]),
            "test": len(x_test),
        },
        "architecture": architecture,
        "figures": [str(f) for f in figures],
    }


def filter_figure(digit: np.ndarray, path):
    """One digit, its vertical-edge response (26x26) and that response max-pooled (13x13)."""
    edges = convolve2d(digit / 255.0, VERTICAL_EDGE_KERNEL)
    pooled = max_pool2d(edges, 2)
    titles = [
        f"digit {digit.shape[0]}x{digit.shape[1]}",
        f"vertical-edge 3x3 filter {edges.shape[0]}x{edges.shape[1]}",
        f"2x2 max pooling {pooled.shape[0]}x{pooled.shape[1]}",
    ]
    return plot_image_grid([digit / 255.0, edges, pooled], path, titles=titles, cols=3, cmap="gray")
