"""The standard CIFAR augmentation in `tf.data`: pad, crop back at a random place, flip."""

from __future__ import annotations

import tensorflow as tf


def augment_pad_crop_flip(x, y, *, batch_size: int, pad: int = 4, seed: int = 0):
    """A shuffled, batched `tf.data.Dataset` with random crops after padding and random flips.

    Each epoch, every image is zero-padded by `pad` pixels on each side, cropped back to its size
    at a random position (a shift of up to `pad` pixels) and flipped left-right with probability
    1/2: the standard CIFAR augmentation (He et al., 2016). It runs in `tf.data`, so the model
    stays a plain stack of layers.

    Args:
        x: float32 images (N, H, W, C).
        y: Labels (N, ...).
        batch_size: Examples per batch.
        pad: Pixels of zero padding on each side. Defaults to `4`.
        seed: Shuffling and augmentation seed. Defaults to `0`.

    Returns:
        A `tf.data.Dataset` of `(images, labels)` batches.
    """
    height, width, channels = x.shape[1:]

    def augment(image, label, seeds):
        image = tf.image.pad_to_bounding_box(image, pad, pad, height + 2 * pad, width + 2 * pad)
        image = tf.image.stateless_random_crop(image, (height, width, channels), seed=seeds[0])
        return tf.image.stateless_random_flip_left_right(image, seed=seeds[1]), label

    pairs = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    seeds = tf.data.Dataset.random(seed=seed).batch(4).map(lambda s: tf.reshape(s, (2, 2)))
    zipped = tf.data.Dataset.zip((pairs, seeds)).map(lambda p, s: (*p, s))
    return zipped.map(augment, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size).prefetch(tf.data.AUTOTUNE)
