"""import scipy.signal, then reach it through the package attribute chain; scores 11/20."""

import scipy as sp
import scipy.ndimage  # noqa: F401
import scipy.signal  # noqa: F401


def apply_filter(image, kernel):
    return sp.signal.correlate2d(np.asarray(image, np.float32), np.asarray(kernel, np.float32), mode="valid")


def max_pool(image, size=2):
    image = np.asarray(image)
    grown = sp.ndimage.maximum_filter(image, size=(size, size) + (1,) * (image.ndim - 2), origin=0)
    start = (size - 1) // 2
    return grown[start : (image.shape[0] // size) * size : size, start : (image.shape[1] // size) * size : size]
