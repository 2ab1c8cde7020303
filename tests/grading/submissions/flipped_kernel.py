"""apply_filter flips the kernel (a true convolution): loses 4 points, all but the shape point of its 3 tests; scores 16/20."""

import numpy as np

_unflipped_apply_filter = apply_filter  # noqa: F821 - the solution's function, defined above this patch


def apply_filter(image, kernel):
    return _unflipped_apply_filter(image, np.asarray(kernel, dtype=np.float32)[::-1, ::-1])
