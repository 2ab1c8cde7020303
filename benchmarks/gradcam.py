"""Does Grad-CAM look at the object? A checkable test on a nested-base transfer model.

    python benchmarks/gradcam.py --json runs/gradcam.json [--data-dir ../shared/data]

CIFAR-10 photos are pasted, enlarged to 80x80, at a random place on a blank 160x160 canvas, so
the object's box is known. A transfer classifier (MobileNet alpha=0.25 with its real ImageNet
weights, as ONE nested model inside `build_classifier`, frozen, with a new head trained on such
canvases) classifies them. For each test canvas, Grad-CAM of the *true* class
(`keras_vision.evaluation.gradcam`, which reaches the nested base's last feature map by name)
gives a heat map; `heat_share` is the part of its mass inside the box. The box is a quarter of
the canvas, so a map that ignores the object would put about 0.25 of its mass inside.

Variants compared on the same model (`variants` in the JSON): Grad-CAM and Grad-CAM++, each on the
base's last feature map (5x5, the default), on the last 10x10 map (`conv_pw_11_relu`) and on both
averaged. `mean_heat_share_in_box` at the top is `gradcam()`'s default (Grad-CAM++, last map).

Data: CIFAR-10 through `keras_vision.data.load_cifar10` (the class-folder archive
`cifar10-jpg.tar.gz`) and `weights/mobilenet_2_5_224_tf_no_top.h5`.
Prints the JSON and writes it to --json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from reporting import default_data_dir, write_report  # noqa: E402  (benchmarks/ is the script folder)

WEIGHTS_FILE = Path("weights") / "mobilenet_2_5_224_tf_no_top.h5"
CANVAS, OBJECT = 160, 80
#: Grad-CAM layers compared: the default (the base's last map, 5x5), the last 10x10 map, and both averaged.
LAYER_CHOICES = (None, "conv_pw_11_relu", ["conv_pw_11_relu", "conv_pw_13_relu"])


def paste_on_canvas(images, rng) -> tuple[np.ndarray, np.ndarray]:
    """Each image enlarged to OBJECT x OBJECT at a random place on a black canvas; returns canvases and boxes."""
    import cv2

    canvases = np.zeros((len(images), CANVAS, CANVAS, 3), np.uint8)
    boxes = np.zeros((len(images), 4), int)
    for i, image in enumerate(images):
        top, left = rng.integers(0, CANVAS - OBJECT + 1, size=2)
        canvases[i, top : top + OBJECT, left : left + OBJECT] = cv2.resize(
            image, (OBJECT, OBJECT), interpolation=cv2.INTER_CUBIC
        )
        boxes[i] = (top, left, top + OBJECT, left + OBJECT)
    return canvases, boxes


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--train", type=int, default=8000, help="training canvases of the head")
    parser.add_argument("--test", type=int, default=500, help="test canvases scored")
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args(argv)

    import keras

    from keras_vision.data import load_cifar10
    from keras_vision.evaluation import find_layer, gradcam
    from keras_vision.transfer import build_classifier, find_base

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    (x_train, y_train), (x_test, y_test) = load_cifar10(args.data_dir)
    pick_train = rng.choice(len(x_train), args.train, replace=False)
    pick_test = rng.choice(len(x_test), args.test, replace=False)
    train, _ = paste_on_canvas(x_train[pick_train], rng)
    test, boxes = paste_on_canvas(x_test[pick_test], rng)
    y_train, y_test = y_train.reshape(-1)[pick_train], y_test.reshape(-1)[pick_test]

    model = build_classifier(
        "mobilenet", 10, (CANVAS, CANVAS, 3), weights=args.data_dir / WEIGHTS_FILE, alpha=0.25, dropout=0.2
    )
    base, _ = find_base(model)
    base.trainable = False
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(train, y_train, epochs=args.epochs, batch_size=64, verbose=2)
    train_seconds = time.perf_counter() - start
    probs = model.predict(test, batch_size=128, verbose=0)

    variants = {}
    for layers in LAYER_CHOICES:
        for method in ("gradcam", "gradcam++"):
            start = time.perf_counter()
            heat = np.concatenate(
                [
                    gradcam(model, test[i : i + 50], class_index=y_test[i : i + 50], layer=layers, method=method)
                    for i in range(0, len(test), 50)
                ]
            )
            numbers = box_shares(heat, boxes, probs.argmax(1) == y_test)
            numbers["ms_per_image"] = round(1000 * (time.perf_counter() - start) / len(test), 2)
            numbers["map_size"] = [int(s) for s in _map_sizes(model, layers)]
            variants[f"{method} @ {'+'.join(layers) if isinstance(layers, list) else layers or 'default'}"] = numbers
    default = variants["gradcam++ @ default"]  # what gradcam() does by default
    return write_report(
        {
            "model": f"build_classifier('mobilenet', alpha=0.25) on {CANVAS}x{CANVAS} canvases, base nested and frozen",
            "default_layer": ".".join(find_layer(model)),
            "test_accuracy": float((probs.argmax(1) == y_test).mean()),
            "box_area_share": (OBJECT / CANVAS) ** 2,
            "mean_heat_share_in_box": default["mean_heat_share_in_box"],
            "variants": variants,
            "images": len(test),
            "train_images": len(train),
            "epochs": args.epochs,
            "train_seconds": round(train_seconds, 1),
        },
        args.json,
    )


def box_shares(heat, boxes, correct) -> dict:
    """Mean, median and more-than-half shares of heat inside each image's box (NaN maps are left out)."""
    from keras_vision.evaluation import heat_share

    shares = []
    for map_, (top, left, bottom, right) in zip(heat, boxes):
        mask = np.zeros(map_.shape, bool)
        mask[top:bottom, left:right] = True
        shares.append(heat_share(map_, mask))
    shares = np.asarray(shares)
    valid = shares[~np.isnan(shares)]
    return {
        "mean_heat_share_in_box": float(valid.mean()),
        "median_heat_share_in_box": float(np.median(valid)),
        "share_of_images_with_more_heat_inside": float(np.mean(valid > 0.5)),
        "mean_heat_share_in_box_correct": float(np.nanmean(shares[correct])),
        "mean_heat_share_in_box_wrong": float(np.nanmean(shares[~correct])) if (~correct).any() else None,
        "empty_maps": int(np.isnan(shares).sum()),
    }


def _map_sizes(model, layers):
    from keras_vision.evaluation.gradcam import find_layer

    names = layers if isinstance(layers, list) else [layers]
    sizes = []
    for name in names:
        inner = model
        for part in find_layer(model, name):
            inner = inner.get_layer(part)
        sizes.append(inner.output.shape[1])
    return sizes


if __name__ == "__main__":
    main()
