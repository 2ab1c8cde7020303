"""Real photographs that ship inside installed packages, for demos and tests that need real images.

scikit-image (`skimage.data`) and scikit-learn (`sklearn.datasets.load_sample_image`) embed a
few classic test images in their wheels, so these load offline. (Other `skimage.data` images are
downloaded on first use with `pooch`; they are deliberately not listed here.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from keras_vision.registry import Registry

_SAMPLES: Registry[Callable[[], np.ndarray]] = Registry("sample image")


def _from_skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        import skimage.data

        return getattr(skimage.data, name)()

    return load


def _from_sklearn(filename: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from sklearn.datasets import load_sample_image as sklearn_sample

        return sklearn_sample(filename)

    return load


#: RGB photographs (H, W, 3).
COLOR_SAMPLES = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry")
#: Grayscale images (H, W).
GRAY_SAMPLES = ("camera", "coins", "moon", "page", "text", "brick", "grass", "gravel")

for _name in COLOR_SAMPLES + GRAY_SAMPLES:
    _SAMPLES.register(_name, _from_skimage(_name))
_SAMPLES.register("china", _from_sklearn("china.jpg"))
_SAMPLES.register("flower", _from_sklearn("flower.jpg"))

#: Every name `load_sample_image` accepts.
SAMPLE_IMAGES: tuple[str, ...] = tuple(_SAMPLES.names())


def load_sample_image(name: str) -> np.ndarray:
    """Loads a real photograph embedded in scikit-image or scikit-learn (no network needed).

    Args:
        name: One of `SAMPLE_IMAGES`, e.g. "astronaut" (512x512 RGB), "camera" (512x512
            grayscale), "coffee", "chelsea" (a cat), "china", "flower" (427x640 RGB).

    Returns:
        A uint8 array: (H, W, 3) RGB for colour images, (H, W) for the grayscale ones
        (`camera`, `coins`, `moon`, `page`, `text`, `brick`, `grass`, `gravel`).

    Raises:
        ValueError: unknown `name`; the message lists the valid names.
    """
    image = np.asarray(_SAMPLES.get(name)())
    return np.ascontiguousarray(image, dtype=np.uint8)
