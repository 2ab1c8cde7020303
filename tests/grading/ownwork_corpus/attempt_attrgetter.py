"""operator.attrgetter with dotted strings reaches scipy.signal from the scipy package; scores 11/20."""

import operator

import scipy
import scipy.ndimage  # noqa: F401
import scipy.signal  # noqa: F401

_correlate = operator.attrgetter("sig" + "nal.correlate2d")
_maximum = operator.attrgetter("nd" + "image.maximum_filter")


def apply_filter(image, kernel):
    return _correlate(scipy)(np.asarray(image, np.float32), np.asarray(kernel, np.float32), mode="valid")


def max_pool(image, size=2):
    image = np.asarray(image)
    grown = _maximum(scipy)(image, size=(size, size) + (1,) * (image.ndim - 2), origin=0)
    start = (size - 1) // 2
    return grown[start : (image.shape[0] // size) * size : size, start : (image.shape[1] // size) * size : size]
