"""Exercise 4: data augmentation, more training images from the ones you have.

A network that has seen a cat only facing left may not recognise it facing right. Augmentation
shows the network a slightly different version of every training image each epoch: rotated by a
few degrees, shifted, zoomed, mirrored, with a little noise. The label stays the same, so the
network learns that these changes do not matter, and it overfits far less on small datasets.

Keras' classic tool for this is `ImageDataGenerator`:

    generator = ImageDataGenerator(rotation_range=15,        # degrees, drawn from [-15, 15]
                                   width_shift_range=0.1,    # fractions of the width
                                   height_shift_range=0.1,   # and of the height
                                   zoom_range=0.1,           # factors drawn from [0.9, 1.1]
                                   horizontal_flip=True,     # mirror half of the images
                                   fill_mode="nearest")      # pixels from outside repeat the edge
    generator.fit(x_train)                                   # statistics for feature-wise normalisation
    model.fit(generator.flow(x_train, y_train, batch_size=32), epochs=10)

Four ideas to learn here:

1. Configuration. Each argument is a RANGE: every image gets its own random draw. Keep them
   small enough that a digit 6 never turns into a 9 (no vertical flip, no 180-degree rotation).
2. A custom `preprocessing_function` runs on every augmented image (float32 pixels in [0, 255],
   before any rescaling). Gaussian noise, `image + normal(0, stddev)`, is the classic example.
3. Feature-wise normalisation: subtract the mean of the TRAINING set and divide by its standard
   deviation, one value per colour channel, `(x - mean) / (std + 1e-6)`. `generator.fit` computes
   them over every image, row and column; the same numbers must then be used for the test set.
4. Reading a batch: `flow(..., shuffle=False, seed=s)` gives reproducible batches, which is how
   you look at what the generator really produces before training on it.

`ImageDataGenerator` is deprecated in Keras 3: it lives on only as
`tf.keras.preprocessing.image.ImageDataGenerator`. Today you would put `keras.layers.RandomFlip`,
`RandomRotation`, `RandomTranslation` and `RandomZoom` in the model or in a `tf.data` pipeline, or
use a fast CPU pipeline (the course library's `keras_vision.augment.FastAugmenter`, or
albumentations). The ideas, and the numbers, are the same.

Work through the functions in order; check yourself with `python -m pytest tests/graded`.
"""

import numpy as np
import tensorflow as tf

ImageDataGenerator = tf.keras.preprocessing.image.ImageDataGenerator

#: Added to the standard deviation before dividing (as ImageDataGenerator does).
EPSILON = 1e-6


def generator_settings(rotation_degrees, shift_fraction, zoom_fraction, horizontal_flip=True):
    """The keyword arguments of an `ImageDataGenerator` for photos of objects.

    The generator should rotate by up to `rotation_degrees`, shift horizontally AND vertically by
    up to `shift_fraction` of the image size, zoom by a factor between `1 - zoom_fraction` and
    `1 + zoom_fraction`, mirror left-right if `horizontal_flip`, fill uncovered pixels from the
    nearest edge pixel, and normalise feature-wise (centre AND divide by the standard deviation).
    Nothing else: no vertical flip, no shear.

    Args:
        rotation_degrees: Largest rotation, in degrees.
        shift_fraction: Largest shift, as a fraction of the width (or height).
        zoom_fraction: Largest zoom change, e.g. `0.1` for factors in [0.9, 1.1].
        horizontal_flip: Whether to mirror images left-right. Defaults to `True`.

    Returns:
        A dict `kwargs` such that `ImageDataGenerator(**kwargs)` is that generator.
    """
    # BEGIN SOLUTION
    return {
        "rotation_range": rotation_degrees,
        "width_shift_range": shift_fraction,
        "height_shift_range": shift_fraction,
        "zoom_range": zoom_fraction,
        "horizontal_flip": horizontal_flip,
        "fill_mode": "nearest",
        "featurewise_center": True,
        "featurewise_std_normalization": True,
    }
    # END SOLUTION


def add_gaussian_noise(image, stddev, seed):
    """Adds Gaussian noise to one image: the body of a custom `preprocessing_function`.

    Draw the noise with NumPy's generator, exactly `np.random.default_rng(seed).normal(0.0,
    stddev, size=image.shape)`, and add it to the image as float32. Do not clip, and do not change
    the input array.

    Args:
        image: One image, e.g. float32 `(H, W, 3)` with pixels in [0, 255].
        stddev: Standard deviation of the noise, in pixel units.
        seed: Seed of the random generator.

    Returns:
        A float32 array of the image's shape.
    """
    # BEGIN SOLUTION
    noise = np.random.default_rng(seed).normal(0.0, stddev, size=np.shape(image))
    return (np.asarray(image, dtype=np.float32) + noise.astype(np.float32)).astype(np.float32)
    # END SOLUTION


def featurewise_statistics(images, rescale=None):
    """The per-channel mean and standard deviation of a training set, as `generator.fit` finds them.

    Multiply the pixels by `rescale` first when it is given. Then take the mean over every image,
    row and column (axes 0, 1 and 2), one value per channel, and the standard deviation likewise.
    Compute them yourself with NumPy (in float64 for accuracy); do not call `ImageDataGenerator`.

    Args:
        images: `(N, H, W, C)` training images.
        rescale: A factor such as `1 / 255`, or `None`. Defaults to `None`.

    Returns:
        `(mean, std)`: two float32 arrays of shape `(1, 1, C)`.
    """
    # BEGIN SOLUTION
    x = np.asarray(images, dtype=np.float64)
    if rescale is not None:
        x = x * rescale
    mean = x.mean(axis=(0, 1, 2)).reshape(1, 1, -1)
    std = x.std(axis=(0, 1, 2)).reshape(1, 1, -1)
    return mean.astype(np.float32), std.astype(np.float32)
    # END SOLUTION


def standardize_images(images, mean, std):
    """Feature-wise normalisation with statistics fitted on the training set.

    Returns `(images - mean) / (std + EPSILON)` as float32 (a new array; the input is unchanged).
    `mean` and `std` of shape `(1, 1, C)` broadcast over a batch `(N, H, W, C)`.

    Args:
        images: `(N, H, W, C)` images (for example the test set).
        mean: The training set's per-channel mean.
        std: The training set's per-channel standard deviation.

    Returns:
        float32 images of the same shape.
    """
    # BEGIN SOLUTION
    return ((np.asarray(images, dtype=np.float32) - mean) / (std + EPSILON)).astype(np.float32)
    # END SOLUTION


def first_augmented_batch(images, labels, settings, batch_size=32, seed=0):
    """The first batch an `ImageDataGenerator` built from `settings` yields for these images.

    Build the generator with `ImageDataGenerator(**settings)`, fit it on `images` (needed for
    feature-wise normalisation), and return the first batch of
    `generator.flow(images, labels, batch_size=batch_size, shuffle=False, seed=seed)`.

    Args:
        images: `(N, H, W, C)` training images.
        labels: `N` labels.
        settings: `ImageDataGenerator` keyword arguments, e.g. from `generator_settings`.
        batch_size: Images per batch. Defaults to `32`.
        seed: The seed of the random transforms. Defaults to `0`.

    Returns:
        `(x, y)`: float32 images `(batch_size, H, W, C)` and their labels.
    """
    # BEGIN SOLUTION
    generator = ImageDataGenerator(**settings)
    generator.fit(images)
    x, y = next(generator.flow(images, labels, batch_size=batch_size, shuffle=False, seed=seed))
    return x, y
    # END SOLUTION
