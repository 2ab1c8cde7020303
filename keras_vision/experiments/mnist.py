"""`mnist`: the classic small CNN on MNIST, and what its first two layers do to a digit.

The network (see `keras_vision.models.classic`) reaches about 99 % test accuracy in three epochs.
Besides the usual curves, confusion matrix and misclassified digits, the run draws one training
digit, the same digit through the vertical-edge 3x3 filter (28x28 -> 26x26) and after 2x2 max
pooling (26x26 -> 13x13): the two operations the network stacks twice.
"""

from __future__ import annotations

from keras_vision.experiments.base import Preset, RunConfig, experiment

VARIANT = "classic_cnn"


@experiment(
    "mnist",
    summary="classic CNN (Conv64-Pool-Conv64-Pool-Dense128-Dense10) on MNIST, plus a filter/pooling figure",
    datasets=("mnist",),
    default=Preset(epochs=3, batch_size=64),
    quick=Preset(epochs=1, batch_size=64, train_limit=6000, test_limit=1000),
)
def mnist(config: RunConfig) -> dict:
    import keras

    from keras_vision.data import add_channel_axis, load_mnist, locate, one_hot, scale_pixels
    from keras_vision.evaluation import evaluate_classifier
    from keras_vision.models import build_classic_cnn, format_layer_table, layer_table
    from keras_vision.training import cosine_decay, epochs_to_steps, fit, get_strategy

    (x_train, y_train), (x_test, y_test) = load_mnist(config.data_dir)
    x_train, y_train = x_train[: config.train_limit], y_train[: config.train_limit]
    x_test, y_test = x_test[: config.test_limit], y_test[: config.test_limit]
    figures = [_filter_figure(x_train[0], config.run_dir / "filter_and_pool.png")]

    x_train, x_test = add_channel_axis(scale_pixels(x_train)), add_channel_axis(scale_pixels(x_test))
    y_train_1h, y_test_1h = one_hot(y_train, 10), one_hot(y_test, 10)
    n_val = len(x_train) // 10  # the last 10 % of the training set is the validation set
    train = (x_train[:-n_val], y_train_1h[:-n_val])
    validation = (x_train[-n_val:], y_train_1h[-n_val:])

    steps = epochs_to_steps(config.epochs, num_examples=len(train[0]), batch_size=config.batch_size)
    with get_strategy(config.strategy).scope():
        model = build_classic_cnn((28, 28, 1), 10)
        optimizer = keras.optimizers.Adam(cosine_decay(1e-3, total_steps=steps))  # 1e-3 down to 0
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    architecture = layer_table(model)
    (config.run_dir / "summary.txt").write_text(format_layer_table(architecture) + "\n")

    variant_dir = config.variant_dir(VARIANT)
    result = fit(
        model, train, validation=validation, epochs=config.epochs, batch_size=config.batch_size,
        run_dir=variant_dir, resume=config.resume, verbose=config.verbose,
    )
    evaluation = evaluate_classifier(model, x_test, y_test_1h, batch_size=256)
    y_pred = model.predict(x_test, batch_size=256, verbose=0).argmax(axis=1)
    figures += _result_figures(config.run_dir, result.history, evaluation, x_test, y_test, y_pred)
    model.save(variant_dir / "final.keras")
    return {
        "models": {
            VARIANT: {
                "test_accuracy": evaluation["accuracy"],
                "test_loss": evaluation.get("loss"),
                "seconds": result.seconds,
                "seconds_per_epoch": result.seconds_per_epoch,
                "epochs": result.epochs,
                "params": model.count_params(),
            }
        },
        "data": {
            "source": locate("mnist", config.data_dir),
            "train": len(train[0]),
            "validation": len(validation[0]),
            "test": len(x_test),
        },
        "architecture": architecture,
        "figures": [str(f) for f in figures],
    }


def _filter_figure(digit, path):
    """One digit, its vertical-edge response (26x26) and that response max-pooled (13x13)."""
    from keras_vision.convolution import VERTICAL_EDGE_KERNEL, convolve2d, max_pool2d
    from keras_vision.evaluation import plot_image_grid

    edges = convolve2d(digit / 255.0, VERTICAL_EDGE_KERNEL)
    pooled = max_pool2d(edges, 2)
    titles = [
        f"digit {digit.shape[0]}x{digit.shape[1]}",
        f"vertical-edge 3x3 filter {edges.shape[0]}x{edges.shape[1]}",
        f"2x2 max pooling {pooled.shape[0]}x{pooled.shape[1]}",
    ]
    return plot_image_grid([digit / 255.0, edges, pooled], path, titles=titles, cols=3, cmap="gray")


def _result_figures(run_dir, history, evaluation, x_test, y_test, y_pred):
    import numpy as np

    from keras_vision.evaluation import plot_confusion_matrix, plot_history, plot_misclassified

    names = evaluation["class_names"]
    return [
        plot_history({VARIANT: history}, run_dir / "curves.png", title="MNIST: classic CNN"),
        plot_confusion_matrix(np.asarray(evaluation["confusion_matrix"]), names, run_dir / "confusion_matrix.png"),
        plot_misclassified(x_test, y_test, y_pred, names, run_dir / "misclassified.png"),
    ]
