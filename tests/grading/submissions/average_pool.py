"""max_pool averages each block: loses its two value tests (3 points), passes the shape test; scores 17/20."""

import numpy as np


def max_pool(image, size=2):
    image = np.asarray(image)
    out_h, out_w = image.shape[0] // size, image.shape[1] // size
    output = np.zeros((out_h, out_w) + image.shape[2:], dtype=np.float32)
    for i in range(out_h):
        for j in range(out_w):
            block = image[i * size : (i + 1) * size, j * size : (j + 1) * size]
            output[i, j] = block.mean(axis=(0, 1))
    return output
