"""Exercise 7: brightening dark photographs, by max pooling, with a tone curve and with CLAHE.

A photograph taken in the dark is mostly shadow: its pixel values crowd near 0, so the eye sees
little and a network sees little contrast. Three ways to bring it back, each with a price:

1. **Max pooling**, the idea behind a phone's *pixel binning* (it combines neighbouring sensor
   pixels in the dark). Give every pixel the brightest value of its `k x k` neighbourhood: dark
   pixels next to a lit one become lit. With stride 1 and "same" padding the size is kept, exactly
   `keras.layers.MaxPooling2D(pool_size=k, strides=1, padding="same")`; with stride k (binning)
   each block becomes one value, and the image has to be enlarged again. Either way values only
   rise, and detail is lost: bright spots grow, thin dark lines vanish.
2. **A gamma curve**: `v -> v ** gamma` on values in [0, 1]. With gamma 0.5 a dark 0.04 becomes
   0.2 while 1 stays 1. One curve for the whole image, nothing blurred; for 8-bit images it is a
   table of 256 entries.
3. **CLAHE** (Contrast Limited Adaptive Histogram Equalization): cut the image into tiles and give
   each tile the tone curve that spreads its own histogram, clipped so that flat regions (and their
   noise) are not stretched without limit. Equalizing R, G and B separately would change the
   colours, so it runs on the lightness L of the LAB colour space and leaves a and b alone.

To compare them without a reference photograph, measure: the mean brightness and the RMS contrast
(the mean and standard deviation of the *luma* `Y = 0.299 R + 0.587 G + 0.114 B`, the weighted
grey a television computes), and the entropy of the histogram, in bits: 8 for an image that uses
all 256 grey levels equally, much less for a dark one crowded into a few.

Every image here is uint8 (0..255) or float (0..1), grey (H, W) or colour RGB (H, W, 3). Work
through the functions in order; check yourself with `python -m pytest tests/graded -k ex07`.
"""

import cv2
import numpy as np

#: Weights of R, G and B in the luma (ITU-R BT.601).
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def luma(image):
    """The brightness of each pixel, as a grey image with values in [0, 1].

    Args:
        image: uint8 (0..255) or float (0..1); grey (H, W) or (H, W, 1), or RGB (H, W, 3).

    Returns:
        A float32 array of shape (H, W): `0.299 R + 0.587 G + 0.114 B` for RGB, the grey values
        themselves for a grey image; uint8 values are divided by 255 first.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    # BEGIN SOLUTION
    pixels = image.astype(np.float32)
    if image.dtype == np.uint8:
        pixels /= 255.0
    if pixels.ndim == 3:
        red, green, blue = LUMA_WEIGHTS
        pixels = red * pixels[:, :, 0] + green * pixels[:, :, 1] + blue * pixels[:, :, 2]
    return pixels
    # END SOLUTION


def mean_brightness(image):
    """The mean luma of `image`, a float in [0, 1] (a dark photograph is near 0.1)."""
    return float(np.mean(luma(image)))  # SOLUTION


def rms_contrast(image):
    """The RMS contrast of `image`: the standard deviation of its luma, a float."""
    return float(np.std(luma(image)))  # SOLUTION


def max_filter(image, size=3):
    """Stride-1 max pooling that keeps the size: each pixel becomes the maximum of its window.

    The window of pixel (i, j) covers rows `i - (size - 1) // 2` to `i + size // 2` and the same
    columns, clipped to the image, as `MaxPooling2D(pool_size=size, strides=1, padding="same")`
    places it (for an even size the extra row and column come after the pixel). Channels are
    pooled separately.

    Hint: pad the image with its dtype's smallest value (it never wins a maximum), then take the
    element-wise maximum of the `size * size` shifted views `padded[dy:dy + H, dx:dx + W]`.
    Write it yourself with NumPy: no OpenCV, SciPy, scikit-image, TensorFlow or Keras pooling.

    Args:
        image: An array of shape (H, W) or (H, W, C), uint8 or float.
        size: Side of the window. Defaults to `3`.

    Returns:
        An array of the same shape and dtype.
    """
    image = np.asarray(image)
    height, width = image.shape[:2]
    before, after = (size - 1) // 2, size // 2
    # BEGIN SOLUTION
    lowest = np.iinfo(image.dtype).min if image.dtype.kind in "iu" else -np.inf
    padding = [(before, after), (before, after)] + [(0, 0)] * (image.ndim - 2)
    padded = np.pad(image, padding, constant_values=lowest)
    output = padded[:height, :width].copy()
    for dy in range(size):
        for dx in range(size):
            np.maximum(output, padded[dy : dy + height, dx : dx + width], out=output)
    return output
    # END SOLUTION


def bin_brighten(image, size=2):
    """Binning: every `size x size` block becomes its maximum, repeated over the whole block.

    Blocks do not overlap (stride `size`); a partial block at the bottom or right edge counts
    with the pixels it has. The output has the size of the input, like a phone photo binned and
    then shown at full size (each block is one flat square).

    Hint: after padding to whole blocks, `padded.reshape(rows, size, cols, size, ...)` puts each
    block on axes 1 and 3; take the maximum over them, then `np.repeat` along both axes and crop.
    Write it yourself with NumPy.

    Args:
        image: An array of shape (H, W) or (H, W, C).
        size: Side of a block. Defaults to `2`.

    Returns:
        An array of the same shape and dtype.
    """
    image = np.asarray(image)
    height, width = image.shape[:2]
    # Repeat the last row and column to fill whole blocks: copies never beat the pixel they copy.
    padding = [(0, -height % size), (0, -width % size)] + [(0, 0)] * (image.ndim - 2)
    padded = np.pad(image, padding, mode="edge")
    rows, cols = padded.shape[0] // size, padded.shape[1] // size
    # BEGIN SOLUTION
    blocks = padded.reshape(rows, size, cols, size, *image.shape[2:])
    maxima = blocks.max(axis=(1, 3))
    return np.repeat(np.repeat(maxima, size, axis=0), size, axis=1)[:height, :width]
    # END SOLUTION


def gamma_lookup_table(gamma):
    """The 256-entry table of the gamma curve for uint8 images.

    Entry v is `255 * (v / 255) ** gamma`, rounded to the nearest integer; `table[image]` then
    corrects a whole uint8 image at once (`cv2.LUT(image, table)` does the same, faster).

    Args:
        gamma: The exponent; below 1 brightens.

    Returns:
        A uint8 array of shape (256,).
    """
    # BEGIN SOLUTION
    values = np.arange(256) / 255.0
    return np.round(255.0 * values**gamma).astype(np.uint8)
    # END SOLUTION


def clahe_on_lightness(rgb, clip_limit=2.0, tile_grid=8):
    """CLAHE with OpenCV on the lightness L of LAB, leaving the colour channels a and b alone.

    Convert the RGB image to LAB (`cv2.cvtColor` with `cv2.COLOR_RGB2LAB`: the image is RGB, not
    OpenCV's usual BGR), equalize L with `cv2.createCLAHE(clipLimit=..., tileGridSize=(tile_grid,
    tile_grid))` and its `apply` method, put it back and convert to RGB.

    Args:
        rgb: A uint8 RGB image (H, W, 3).
        clip_limit: The histogram clip limit (relative to a flat histogram). Defaults to `2.0`.
        tile_grid: Tiles along each axis. Defaults to `8`.

    Returns:
        A uint8 RGB image of the same shape.
    """
    # BEGIN SOLUTION
    lab = cv2.cvtColor(np.asarray(rgb, dtype=np.uint8), cv2.COLOR_RGB2LAB)
    equalizer = cv2.createCLAHE(clipLimit=clip_limit, tileGridSize=(tile_grid, tile_grid))
    lab[:, :, 0] = equalizer.apply(np.ascontiguousarray(lab[:, :, 0]))
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    # END SOLUTION


def entropy(image):
    """Shannon entropy, in bits, of the 256-bin histogram of the 8-bit luma.

    Round `255 * luma(image)` to integers 0..255, count each level, turn the counts into
    probabilities p (leave out empty levels) and return `-sum(p * log2(p))`: 0 for a flat image,
    8 when all 256 levels are equally frequent.

    Args:
        image: uint8 or float, grey or RGB.

    Returns:
        A float between 0 and 8.
    """
    # BEGIN SOLUTION
    levels = np.round(luma(image) * 255.0).astype(np.int64)
    counts = np.bincount(levels.ravel(), minlength=256)
    p = counts[counts > 0] / counts.sum()
    return float(-np.sum(p * np.log2(p)))
    # END SOLUTION
