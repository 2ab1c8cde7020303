"""`mnist`: the classic small CNN on MNIST, and what its first two layers do to a digit.

The network (see `keras_vision.models.classic`) reaches 99.16 % test accuracy in three epochs
(the README's "Expected results").
Besides the usual curves, confusion matrix and misclassified digits (also with the Grad-CAM map of
the class the network chose, `misclassified_gradcam.png`), the run draws one training
digit, the same digit through the vertical-edge 3x3 filter (28x28 -> 26x26) and after 2x2 max
pooling (26x26 -> 13x13): the two operations the network stacks twice.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_vision.convolution import VERTICAL_EDGE_KERNEL, convolve2d, max_pool2d
from keras_vision.data import DATASETS, add_channel_axis, load_mnist, locate, one_hot, scale_pixels
from keras_vision.data.split import holdout_split, take
from keras_vision.evaluation import plot_image_grid
from keras_vision.experiments.catalog import MnistConfig
from keras_vision.experiments.classifiers import Candidate, compare_classifiers, split_sizes
from keras_vision.files import write_text
from keras_vision.models import build_classic_cnn, format_layer_table, layer_table
from keras_vision.training import cosine_decay

VARIANT = "classic_cnn"


def run(config: MnistConfig) -> dict:
    (x_train, y_train), (x_test, y_test) = load_mnist(config.data_dir)
    x_train, y_train = take(x_train, y_train, config.train_limit)
    x_test, y_test = take(x_test, y_test, config.test_limit)
    figures = [str(filter_figure(x_train[0], config.run_dir / "filter_and_pool.png"))]

    x_train, x_test = add_channel_axis(scale_pixels(x_train)), add_channel_axis(scale_pixels(x_test))
    train, validation = holdout_split(x_train, one_hot(y_train, 10), config.validation_split)

    def build(total_steps: int) -> keras.Model:
        model = build_classic_cnn((28, 28, 1), 10)
        optimizer = keras.optimizers.Adam(cosine_decay(config.learning_rate, total_steps=total_steps))
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
        return model

    result = compare_classifiers(
        config,
        {VARIANT: Candidate(build, config.epochs)},
        train,
        validation,
        (x_test, y_test),
        class_names=DATASETS.get("mnist").class_names,
        title="MNIST: classic CNN",
    )
    architecture = layer_table(result["trained"][VARIANT].model)
    write_text(config.run_dir / "summary.txt", format_layer_table(architecture) + "\n")
    return {
        "models": result["models"],
        "data": {
            "source": locate("mnist", config.data_dir),
            **split_sizes(train, validation, (x_test, y_test)),
        },
        "architecture": architecture,
        "figures": figures + result["figures"],
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
