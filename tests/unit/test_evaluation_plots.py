"""Every plot writes a readable PNG of sensible size and explains bad input."""

import struct

import numpy as np
import pytest

from keras_vision.evaluation import (
    plot_confusion_matrix,
    plot_history,
    plot_image_grid,
    plot_misclassified,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    """(width, height) from the IHDR chunk, which the PNG standard places first."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def assert_png(path, min_side=150, max_side=4000):
    width, height = png_size(path)
    assert min_side <= width <= max_side and min_side <= height <= max_side, (width, height)
    return width, height


HISTORY = {
    "loss": [1.0, 0.6, 0.4],
    "val_loss": [1.1, 0.8, 0.7],
    "accuracy": [0.5, 0.7, 0.8],
    "val_accuracy": [0.45, 0.6, 0.65],
}


def test_plot_history_of_several_runs_one_panel_per_metric(tmp_path):
    runs = {"mlp": HISTORY, "cnn": {k: [v * 0.9 for v in values] for k, values in HISTORY.items()}}
    path = plot_history(runs, tmp_path / "figs" / "history.png", title="MLP vs CNN")
    width, height = assert_png(path)
    assert width > height  # two panels side by side
    one_panel = plot_history(runs, tmp_path / "loss.png", metrics=("loss",))
    assert png_size(one_panel)[0] < width


def test_plot_history_accepts_history_objects_and_missing_validation(tmp_path):
    class FakeHistory:  # the shape of keras.callbacks.History and FitResult
        history = {"loss": [0.9, 0.5], "accuracy": [0.6, 0.8]}

    assert_png(
        plot_history({"run": FakeHistory(), "json": {"loss": [1.0, None], "accuracy": [0.5, 0.6]}}, tmp_path / "h.png")
    )


@pytest.mark.parametrize(
    "histories,metrics,match",
    [
        (
            {"cnn": {"loss": [1.0], "val_loss": [1.0]}},
            ("accuracy", "loss"),
            r"Run 'cnn' has no 'accuracy'.*Available keys: loss, val_loss",
        ),
        ({}, ("loss",), "must not be empty"),
        ({"cnn": [1.0, 2.0]}, ("loss",), "must be a dict of metric lists"),
    ],
)
def test_plot_history_explains_bad_input(tmp_path, histories, metrics, match):
    with pytest.raises(ValueError, match=match):
        plot_history(histories, tmp_path / "h.png", metrics=metrics)
    assert not (tmp_path / "h.png").exists()


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("num_classes", [3, 10, 25])
def test_plot_confusion_matrix(tmp_path, normalize, num_classes):
    rng = np.random.default_rng(num_classes)
    cm = rng.integers(0, 50, (num_classes, num_classes))
    cm[0] = 0  # a class without examples must not divide by zero
    names = [f"class_{i}" for i in range(num_classes)]
    assert_png(plot_confusion_matrix(cm, names, tmp_path / "cm.png", normalize=normalize))


def test_plot_confusion_matrix_checks_shapes(tmp_path):
    with pytest.raises(ValueError, match=r"cm shape \(2, 3\) and 2 class names"):
        plot_confusion_matrix(np.ones((2, 3)), ["a", "b"], tmp_path / "cm.png")
    with pytest.raises(ValueError, match="cm shape \\(2, 2\\) and 3 class names"):
        plot_confusion_matrix(np.ones((2, 2)), ["a", "b", "c"], tmp_path / "cm.png")


IMAGE_FORMS = {
    "grey_uint8": lambda rng: rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
    "grey_channel_float": lambda rng: rng.random((6, 28, 28, 1)),
    "rgb_uint8": lambda rng: rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8),
    "rgb_float_0_255": lambda rng: rng.random((6, 32, 32, 3)) * 255,
    "standardised": lambda rng: rng.normal(size=(6, 16, 16, 3)),
    "float32": lambda rng: rng.random((6, 16, 16)).astype("float32"),
}


@pytest.mark.parametrize("form", IMAGE_FORMS)
def test_plot_image_grid_handles_grey_colour_uint8_and_float(tmp_path, form):
    images = IMAGE_FORMS[form](np.random.default_rng(0))
    titles = [f"image {i}" for i in range(len(images))]
    assert_png(plot_image_grid(images, tmp_path / f"{form}.png", titles=titles))


def test_plot_image_grid_accepts_a_list_of_different_sizes(tmp_path):
    rng = np.random.default_rng(0)
    images = [
        rng.integers(0, 256, (28, 28), dtype=np.uint8),
        rng.normal(size=(26, 26)),
        rng.random((13, 13, 1)),
        rng.random((9, 9, 3)),
    ]
    assert_png(plot_image_grid(images, tmp_path / "sizes.png", titles=["image", "edges", "pooled", "colour"], cols=4))
    with pytest.raises(ValueError, match=r"\(1, 5, 5, 2\)"):
        plot_image_grid([np.zeros((5, 5, 2))], tmp_path / "bad.png")


def test_plot_image_grid_layout(tmp_path):
    images = np.zeros((10, 8, 8), np.uint8)
    wide = png_size(plot_image_grid(images, tmp_path / "wide.png", cols=10))
    tall = png_size(plot_image_grid(images, tmp_path / "tall.png", cols=1, cmap="viridis"))
    assert wide[0] > wide[1] and tall[1] > tall[0]


@pytest.mark.parametrize(
    "images,kwargs,match",
    [
        (np.zeros((28, 28, 3)), {}, r"for one image pass image\[None\].*\(28, 28, 3\)"),
        (np.zeros((2, 8, 8, 4)), {}, r"\(2, 8, 8, 4\)"),
        (np.zeros((0, 8, 8)), {}, "non-empty"),
        (np.zeros((2, 8, 8)), {"titles": ["one"]}, "2 images but 1 titles"),
    ],
)
def test_plot_image_grid_explains_bad_input(tmp_path, images, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_image_grid(images, tmp_path / "grid.png", **kwargs)


def test_figures_must_be_png(tmp_path):
    with pytest.raises(ValueError, match="must end in .png"):
        plot_image_grid(np.zeros((1, 4, 4)), tmp_path / "grid.pdf")


def test_plot_misclassified_shows_only_the_mistakes(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 28, 28), dtype=np.uint8)
    true = rng.integers(0, 3, 40)
    pred = true.copy()
    pred[::4] = (pred[::4] + 1) % 3  # 10 mistakes
    names = ["cat", "dog", "bird"]
    few = png_size(plot_misclassified(images, true, np.eye(3)[pred], names, tmp_path / "wrong.png"))
    fewer = png_size(plot_misclassified(images, true, pred, names, tmp_path / "wrong4.png", max_images=4))
    assert few[0] > fewer[0]  # a 4x3 grid of 10 images vs a 2x2 grid of 4
    assert_png(tmp_path / "wrong.png")


def test_plot_misclassified_without_mistakes_and_with_bad_input(tmp_path):
    images = np.zeros((3, 8, 8, 3), np.uint8)
    path = plot_misclassified(images, [0, 1, 2], [0, 1, 2], ["a", "b", "c"], tmp_path / "none.png")
    assert png_size(path)[0] > 100
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        plot_misclassified(images, [0, 1], [0, 1], ["a", "b"], tmp_path / "x.png")
    with pytest.raises(ValueError, match="Class ids go up to 2 but only 2 class names"):
        plot_misclassified(images, [0, 1, 2], [0, 1, 1], ["a", "b"], tmp_path / "x.png")
