"""Module-level lambdas built on __import__ with a fromlist; scores 11/20."""

_conv = lambda image, kernel: __import__("keras_vision.convolution", fromlist=["x"]).convolve2d(image, kernel)  # noqa: E731
_pool = lambda image, size: __import__("keras_vision.convolution", fromlist=["x"]).max_pool2d(image, size)  # noqa: E731


def apply_filter(image, kernel):
    return _conv(image, kernel)


def max_pool(image, size=2):
    return _pool(image, size)
