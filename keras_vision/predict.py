"""`python -m keras_vision.run predict RUN_DIR IMAGE [IMAGE ...]`: a trained model on your own photos.

For each image: the run's model reads it (any size, grey or colour) the way it was trained: the
image is converted to the model's channels, resized to its input size, scaled as the run scaled
its data (models with their own `input_adapter_` layers take raw 0-255 pixels, the others
pixels / 255) and given a batch axis. It prints the top-5 classes with their probabilities and
writes the Grad-CAM overlay of the top class (`OUT/<image>_gradcam.png`, by default in
`RUN_DIR/predictions/`).

Class names come from the run: `metrics.json` (class folders) or the dataset of its experiment.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from keras_vision.errors import CorruptDataError, UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `predict` sub-command's arguments."""
    parser.add_argument("run", type=Path, metavar="RUN_DIR", help="a run folder (runs/mnist), or a .keras file")
    parser.add_argument("images", type=Path, nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    parser.add_argument("--top", type=int, default=5, metavar="K", help="classes shown per image (default: 5)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of the Grad-CAM overlays (default: RUN_DIR/predictions)",
    )
    parser.add_argument("--layer", default=None, help="Grad-CAM feature-map layer (default: the last convolution)")


@dataclass
class Prediction:
    """One image's answer: `(class name, probability)` best first, and the overlay written."""

    image: Path
    top: list[tuple[str, float]]
    overlay: Path


def cmd_predict(args: argparse.Namespace) -> int:
    """Runs `predict_images` and prints each image's top classes."""
    if args.top < 1:
        raise UsageError(f"--top must be at least 1. Received: {args.top}.")
    for prediction in predict_images(args.run, args.images, top=args.top, out=args.out, layer=args.layer):
        print(f"{prediction.image}:")
        for rank, (name, probability) in enumerate(prediction.top, start=1):
            print(f"  {rank}. {name:<20} {probability:7.2%}")
        print(f"  Grad-CAM: {prediction.overlay}")
    return 0


def predict_images(run, images, *, top: int = 5, out=None, layer: str | None = None) -> list[Prediction]:
    """Classifies image files with a run's model and writes their Grad-CAM overlays.

    Args:
        run: A run folder or a `.keras` file.
        images: Image file paths.
        top: Classes kept per image. Defaults to `5`.
        out: Folder of the overlays. Defaults to `RUN/predictions` (beside the model file for a `.keras`).
        layer: Grad-CAM layer. Defaults to the last convolutional feature map.

    Returns:
        One `Prediction` per image, in order.

    Raises:
        UsageError: no model in `run`, or an image file that does not exist.
        CorruptDataError: an unreadable image or model file.
    """
    import numpy as np

    from keras_vision.deploy import find_model_file

    model_file = find_model_file(run)
    for image in images:  # every path checked before the model loads
        if not Path(image).is_file():
            raise UsageError(f"No image file at {image}. Pass paths of PNG or JPEG files.")
    model = load_trained_model(model_file)
    names = class_names(model_file, model.output_shape[-1])
    out = Path(out) if out is not None else (Path(run) if Path(run).is_dir() else model_file.parent) / "predictions"
    results = []
    for image in images:
        original, x = read_for_model(image, model)
        probs = np.asarray(model.predict(x, verbose=0))[0]
        best = np.argsort(probs)[::-1][:top]
        overlay = write_overlay(model, x, original, int(best[0]), out / f"{Path(image).stem}_gradcam.png", layer)
        results.append(Prediction(Path(image), [(names[k], float(probs[k])) for k in best], overlay))
    return results


def load_trained_model(model_file: Path):
    """`keras.models.load_model` with a one-line error for a damaged or foreign file."""
    import keras

    try:
        return keras.models.load_model(model_file, compile=False)
    except Exception as error:  # zip, h5 and deserialisation errors of many kinds
        raise CorruptDataError(
            f"{model_file} is not a readable Keras model ({type(error).__name__}). "
            "Train the run again or pass another run folder."
        ) from None


def class_names(model_file: Path, count: int) -> list[str]:
    """The run's class names: `metrics.json`'s `class_names`, the dataset of its experiment, or `class K`."""
    from keras_vision.deploy import read_run_config

    run_dir = model_file.parent if (model_file.parent / "config.json").is_file() else model_file.parent.parent
    try:
        names = json.loads((run_dir / "metrics.json").read_text()).get("data", {}).get("class_names")
    except (OSError, ValueError, AttributeError):
        names = None
    if not names:
        names = _dataset_class_names(read_run_config(model_file).get("experiment"))
    return list(names) if names and len(names) == count else [f"class {k}" for k in range(count)]


def _dataset_class_names(experiment: str | None):
    from keras_vision.data import DATASETS
    from keras_vision.experiments import EXPERIMENTS

    if experiment not in EXPERIMENTS.names():
        return None
    datasets = EXPERIMENTS.get(experiment).datasets
    return DATASETS.get(datasets[0]).class_names if datasets else None


def takes_raw_pixels(model) -> bool:
    """Whether the model scales its own input (transfer models' `input_adapter_` layers): 0-255 in."""
    return any(layer.name.startswith("input_adapter_") for layer in model.layers)


def read_for_model(image: Path, model):
    """`(original RGB or grey uint8 image, model input batch of one)`.

    Raises:
        CorruptDataError: the file is not a readable image.
    """
    import numpy as np

    from keras_vision.data import load_image

    height, width, channels = model.input_shape[1:]
    original = load_image(image, grayscale=channels == 1)[0].astype(np.uint8)
    size = None if height is None or width is None else (height, width)
    x = load_image(image, target_size=size, grayscale=channels == 1)
    return original, (x if takes_raw_pixels(model) else x / 255.0).astype(np.float32)


def write_overlay(model, x, original, class_index: int, path: Path, layer: str | None) -> Path:
    """The Grad-CAM overlay of `class_index` on the original image, written atomically as a PNG."""
    import cv2

    from keras_vision.evaluation import gradcam, overlay_heatmap
    from keras_vision.files import atomic_path

    heat = gradcam(model, x, class_index=class_index, layer=layer)[0]
    overlay = overlay_heatmap(original, heat)
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(overlay, cv2.COLOR_RGB2BGR))
    try:
        with atomic_path(path) as partial:
            partial.write_bytes(encoded.tobytes())
    except OSError as error:
        raise UsageError(f"Cannot write {path}: {error.strerror or error}. Choose another --out.") from None
    return path
