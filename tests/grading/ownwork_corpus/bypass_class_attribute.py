"""A class attribute assigned after the class holds the library's functions; scores 11/20."""

from keras_vision.convolution import convolve2d, max_pool2d


class Tools:
    pass


Tools.conv = staticmethod(convolve2d)
Tools.pool = staticmethod(max_pool2d)


def apply_filter(image, kernel):
    return Tools.conv(image, kernel)


def max_pool(image, size=2):
    return Tools.pool(image, size)
