"""Figures to read a training run: learning curves, confusion matrices and image grids.

Every function draws one figure, saves it as a PNG and returns its path. The figures are drawn on
matplotlib's Agg canvas through the object-oriented API (`Figure`, not `pyplot`): nothing opens a
window, nothing stays in memory after saving, and the backend of a notebook is left alone.

- `plot_history`: one panel per metric, training solid and validation dashed, several runs in
  distinct colours; over- and under-fitting show as gaps between the two lines.
- `plot_confusion_matrix`: which classes are confused with which.
- `plot_misclassified`: the mistakes themselves, titled "true -> predicted".
- `plot_image_grid`: any batch of images (grey or colour, uint8 or float).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from keras_vision.evaluation.metrics import misclassified, to_class_ids


def plot_history(
    histories: Mapping[str, Mapping],
    path: str | Path,
    metrics: Sequence[str] = ("accuracy", "loss"),
    title: str | None = None,
) -> Path:
    """Plots learning curves of one or more runs, one panel per metric.

    Args:
        histories: Run name -> history (`{"loss": [...], "val_loss": [...], ...}`, as in
            `history.json`, a `keras.callbacks.History` or a `FitResult`).
        path: The PNG file to write.
        metrics: Metric names; `val_<metric>` is drawn dashed when present.
            Defaults to `("accuracy", "loss")`.
        title: Figure title. Defaults to none.

    Returns:
        The path written.

    Raises:
        ValueError: if there is no run, or a run lacks a metric (the message lists its keys).
    """
    runs = {name: _as_history(name, history) for name, history in histories.items()}
    if not runs or not metrics:
        raise ValueError("`histories` and `metrics` must not be empty, e.g. plot_history({'cnn': history}, path).")
    _check_metrics(runs, metrics)
    fig, axes = _figure(1, len(metrics), panel_size=(5.0, 3.6))
    colours = matplotlib.colormaps["tab10" if len(runs) <= 10 else "tab20"].colors
    for ax, metric in zip(axes.flat, metrics):
        for colour, (run, history) in zip(colours, runs.items()):
            _plot_curves(ax, history, metric, label=run, colour=colour)
        ax.set(title=metric, xlabel="epoch", ylabel=metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def _as_history(name: str, history) -> dict:
    history = getattr(history, "history", history)  # keras History or FitResult
    if not isinstance(history, Mapping):
        raise ValueError(f"History of run {name!r} must be a dict of metric lists. Received: {type(history).__name__}.")
    return dict(history)


def _check_metrics(runs: dict[str, dict], metrics: Sequence[str]) -> None:
    for run, history in runs.items():
        missing = [metric for metric in metrics if metric not in history]
        if missing:
            raise ValueError(
                f"Run {run!r} has no {', '.join(map(repr, missing))} in its history. Available keys: "
                f"{', '.join(history) or 'none'}. Pass metrics= with names from those."
            )


def _plot_curves(ax, history: dict, metric: str, *, label: str, colour) -> None:
    """Training values solid, validation values (when present) dashed, in the same colour."""
    train = np.asarray(history[metric], dtype=float)
    ax.plot(np.arange(1, len(train) + 1), train, "-", color=colour, marker=".", label=f"{label} train")
    if f"val_{metric}" in history:
        val = np.asarray(history[f"val_{metric}"], dtype=float)
        ax.plot(np.arange(1, len(val) + 1), val, "--", color=colour, marker=".", label=f"{label} validation")


def plot_confusion_matrix(cm, class_names: Sequence[str], path: str | Path, normalize: bool = True) -> Path:
    """Draws a confusion matrix as a heat map, rows = true class, columns = predicted class.

    Args:
        cm: Counts `(C, C)`, e.g. from `metrics.confusion_matrix`.
        class_names: C class names.
        path: The PNG file to write.
        normalize: Show each row as fractions of the true class (the diagonal is then the
            per-class accuracy). Defaults to `True`.

    Returns:
        The path written.

    Raises:
        ValueError: if `cm` is not square or `class_names` has the wrong length.
    """
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or len(class_names) != cm.shape[0]:
        raise ValueError(
            f"`cm` must be square (C, C) with C = len(class_names). Received cm shape {cm.shape} "
            f"and {len(class_names)} class names."
        )
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    side = max(4.0, 0.45 * len(class_names) + 2.5)
    fig, axes = _figure(1, 1, panel_size=(side, side * 0.9))
    ax = axes[0, 0]
    image = ax.imshow(cm, cmap="Blues", vmin=0, vmax=1 if normalize else max(cm.max(), 1))
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, labels=class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, labels=class_names)
    ax.set(
        xlabel="predicted class",
        ylabel="true class",
        title="confusion matrix" + (" (row-normalised)" if normalize else ""),
    )
    if len(class_names) <= 20:
        _annotate_cells(ax, cm, fmt=".2f" if normalize else ".0f")
    return _save(fig, path)


def _annotate_cells(ax, values: np.ndarray, *, fmt: str) -> None:
    threshold = values.max() / 2 if values.size else 0
    for (i, j), value in np.ndenumerate(values):
        colour = "white" if value > threshold else "black"
        ax.text(j, i, format(value, fmt), ha="center", va="center", color=colour, fontsize=7)


def plot_misclassified(
    images,
    y_true,
    y_pred,
    class_names: Sequence[str],
    path: str | Path,
    max_images: int = 25,
) -> Path:
    """Shows the first misclassified images, each titled "true -> predicted".

    Args:
        images: The images `(N, H, W)`, `(N, H, W, 1)` or `(N, H, W, 3)`.
        y_true: Labels (class ids or one-hot), N of them.
        y_pred: Predicted class ids or probabilities, N of them.
        class_names: Names indexed by class id.
        path: The PNG file to write.
        max_images: At most this many images are shown. Defaults to `25`.

    Returns:
        The path written (a figure saying so when nothing is misclassified).

    Raises:
        ValueError: if the lengths differ or a class id has no name.
    """
    true, pred = to_class_ids(y_true, name="y_true"), to_class_ids(y_pred, name="y_pred")
    if len(images) != len(true):
        raise ValueError(f"Got {len(images)} images but {len(true)} labels: pass one label per image.")
    if max(true.max(initial=0), pred.max(initial=0)) >= len(class_names):
        raise ValueError(
            f"Class ids go up to {max(true.max(), pred.max())} but only {len(class_names)} class names were given."
        )
    wrong = misclassified(true, pred)[:max_images]
    if len(wrong) == 0:
        return _message_figure("No misclassified images.", path)
    titles = [f"{class_names[true[i]]} -> {class_names[pred[i]]}" for i in wrong]
    return plot_image_grid(np.asarray(images)[wrong], path, titles=titles)


def plot_image_grid(
    images,
    path: str | Path,
    titles: Sequence[str] | None = None,
    cols: int | None = None,
    cmap: str | None = None,
) -> Path:
    """Draws images in a grid.

    Args:
        images: A batch `(N, H, W)`, `(N, H, W, 1)` or `(N, H, W, 3)`, or a list of single
            images of any sizes; uint8 in [0, 255] or float. Floats in [0, 1] are shown as they
            are, floats in [0, 255] are divided by 255, others (e.g. standardised images, feature
            maps) are rescaled from their min-max range: over the whole batch for an array,
            image by image for a list.
        path: The PNG file to write.
        titles: One title per image. Defaults to none.
        cols: Images per row. Defaults to `ceil(sqrt(N))`.
        cmap: Colour map of single-channel images. Defaults to `"gray"`.

    Returns:
        The path written.

    Raises:
        ValueError: for another shape, an empty batch, or a wrong number of titles.
    """
    pictures = _displayable(images)
    if titles is not None and len(titles) != len(pictures):
        raise ValueError(f"Got {len(pictures)} images but {len(titles)} titles: pass one title per image.")
    cols = cols or math.ceil(math.sqrt(len(pictures)))
    rows = math.ceil(len(pictures) / cols)
    fig, axes = _figure(rows, cols, panel_size=(1.8, 1.8 if titles is None else 2.0))
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(pictures):
            ax.imshow(pictures[k], cmap=cmap or "gray", vmin=0.0, vmax=1.0)
            if titles is not None:
                ax.set_title(titles[k], fontsize=8)
    return _save(fig, path)


def plot_image_rows(
    rows: dict[str, Sequence], path: str | Path, *, crop: tuple[int, int, int] | None = None, max_images: int = 4
) -> Path:
    """Image-to-image results side by side: one column per kind (input, output, target), one row per image.

    Args:
        rows: Column title -> images (a batch or a list, same count and sizes in every column),
            e.g. `{"input": lr, "bicubic": up, "output": sr, "target": hr}`.
        path: The PNG file to write.
        crop: `(top, left, size)`: a second row per image shows this square enlarged, where
            artefacts and detail are visible. Defaults to none.
        max_images: At most this many images. Defaults to `4`.

    Returns:
        The path written.
    """
    titles, columns = list(rows), [list(images)[:max_images] for images in rows.values()]
    count = min(len(c) for c in columns)
    pictures, labels = [], []
    for k in range(count):
        for views in [None, crop] if crop else [None]:
            for title, column in zip(titles, columns):
                image = np.asarray(column[k])
                if views is not None:
                    top, left, size = views
                    image = image[top : top + size, left : left + size]
                pictures.append(image)
                labels.append(title if views is None else f"{title} (crop)")
    return plot_image_grid(pictures, path, titles=labels, cols=len(titles))


def _displayable(images) -> np.ndarray | list[np.ndarray]:
    """Float images in [0, 1] shaped `(H, W)` (grey) or `(H, W, 3)` (colour): a batch or a list."""
    if isinstance(images, (list, tuple)) and len(images) > 0:
        return [_displayable(np.asarray(image)[None])[0] for image in images]
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    one_colour_image = images.ndim == 3 and images.shape[-1] == 3  # not N grey images 3 pixels wide
    if (
        images.ndim not in (3, 4)
        or (images.ndim == 4 and images.shape[-1] != 3)
        or one_colour_image
        or len(images) == 0
    ):
        raise ValueError(
            "`images` must be a non-empty batch (N, H, W), (N, H, W, 1) or (N, H, W, 3); for one "
            f"image pass image[None]. Received shape: {images.shape}."
        )
    if images.dtype == np.uint8:
        return images / 255.0
    images = images.astype(float)
    low, high = np.nanmin(images), np.nanmax(images)
    if low >= 0 and high <= 1:
        return images
    if low >= 0 and high <= 255:
        return images / 255.0
    return (images - low) / max(high - low, 1e-12)


def _message_figure(text: str, path: str | Path) -> Path:
    fig, axes = _figure(1, 1, panel_size=(4.0, 1.5))
    axes[0, 0].axis("off")
    axes[0, 0].text(0.5, 0.5, text, ha="center", va="center")
    return _save(fig, path)


def _figure(rows: int, cols: int, *, panel_size: tuple[float, float]) -> tuple[Figure, np.ndarray]:
    """A figure on an Agg canvas with a `(rows, cols)` array of axes."""
    fig = Figure(figsize=(panel_size[0] * cols, panel_size[1] * rows), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, np.asarray(fig.subplots(rows, cols, squeeze=False))


def _save(fig: Figure, path: str | Path) -> Path:
    """Writes `fig` as a PNG, creating parent folders; the figure is then garbage."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"Figures are written as PNG: `path` must end in .png. Received: {path}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, format="png")
    return path
