"""A dict filled by subscript assignment, its helpers importing OpenCV; scores 11/20."""

_IMPL = {}


def _filter_helper(image, kernel):
    import cv2

    image, kernel = np.asarray(image, np.float32), np.asarray(kernel, np.float32)
    full = cv2.filter2D(image, -1, kernel, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    return full[: image.shape[0] - kernel.shape[0] + 1, : image.shape[1] - kernel.shape[1] + 1]


def _pool_helper(image, size=2):
    import cv2

    image = np.asarray(image, np.float32)
    height, width = image.shape[0] // size, image.shape[1] // size
    grown = cv2.dilate(image, np.ones((size, size), np.uint8), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    return grown[: height * size : size, : width * size : size]


_IMPL["filter"] = _filter_helper
_IMPL["pool"] = _pool_helper


def apply_filter(image, kernel):
    return _IMPL["filter"](image, kernel)


def max_pool(image, size=2):
    return _IMPL["pool"](image, size)
