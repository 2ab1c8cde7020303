"""Exercise 9: a generative adversarial network (DCGAN) that draws digits.

A classifier maps an image to a label. A **generator** goes the other way: it maps a vector of
random numbers (the *noise*, or latent vector) to an image. Nobody can tell it which image to draw
for which noise, so it learns from a second network, the **discriminator**, which sees real
digits and generated ones and learns to tell them apart (Goodfellow et al., 2014):

- the discriminator outputs one *logit* per image (large: "real", small: "generated"); its loss
  is the binary cross-entropy of those logits against 1 for real and 0 for generated images;
- the generator's loss is the binary cross-entropy of the discriminator's logits on NEW generated
  images against 1: it is rewarded when the discriminator takes its images for real (the
  "non-saturating" loss: its gradient stays large while the discriminator is winning).

The two are trained in turns, one step each per batch. That is a game, not a minimisation: the
losses do not fall steadily, they see-saw; what improves is the images.

The networks follow DCGAN (Radford et al., 2016): the generator projects the noise to a small
7x7 feature map and **upsamples** it twice to 28x28 (with transposed convolutions or with resize +
convolution, the two upsamplers of exercise 6), with batch normalisation; its last layer is a
`tanh`, so images are in [-1, 1] (real digits are scaled the same way). The discriminator is a
small CNN with stride-2 convolutions and LeakyReLU, and no sigmoid: the losses take logits.

Binary cross-entropy from a logit `z` and a target `t` (1 real, 0 generated) is

    -t log(sigmoid(z)) - (1 - t) log(1 - sigmoid(z))  =  max(z, 0) - t z + log(1 + exp(-|z|))

and the right-hand form never overflows. **One-sided label smoothing** (Salimans et al., 2016)
uses `t = 1 - label_smoothing` for real images, so the discriminator is never rewarded for
infinite confidence.

Work through the functions in order; check yourself with `python -m pytest tests/graded`. Write the
two losses in NumPy (no Keras, no TensorFlow, no `keras_vision` inside them), and build the networks
and the training step from Keras layers yourself (no `keras_vision` inside them).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers


def make_generator(latent_dim=16, width=8, upsampler="transpose"):
    """The DCGAN generator: noise (latent_dim,) -> image (28, 28, 1) in [-1, 1].

    Layers, in order (all convolutions with `padding="same"`):

    1. `layers.Dense(7 * 7 * 4 * width, use_bias=False)`, `layers.BatchNormalization()`,
       `layers.ReLU()`, `layers.Reshape((7, 7, 4 * width))`;
    2. two upsampling blocks, with `f = 2 * width` for the first and `f = width` for the second; each
       is the upsampler, then `layers.BatchNormalization()`:
       - `"transpose"`: `layers.Conv2DTranspose(f, 3, strides=2, activation="relu")` then
         `layers.Conv2D(f, 3, activation="relu")`;
       - `"resize"`: `layers.UpSampling2D(2, interpolation="nearest")` then
         `layers.Conv2D(f, 3, activation="relu")`;
    3. `layers.Conv2D(1, 3, activation="tanh")`.

    Args:
        latent_dim: Length of the noise vector. Defaults to 16.
        width: Channels of the last block. Defaults to 8.
        upsampler: `"transpose"` or `"resize"`. Defaults to `"transpose"`.

    Returns:
        A `keras.Model` from (batch, latent_dim) to (batch, 28, 28, 1).
    """
    noise = keras.Input(shape=(latent_dim,))
    # BEGIN SOLUTION
    x = layers.Dense(7 * 7 * 4 * width, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((7, 7, 4 * width))(x)
    for filters in (2 * width, width):
        if upsampler == "transpose":
            x = layers.Conv2DTranspose(filters, 3, strides=2, padding="same", activation="relu")(x)
        else:
            x = layers.UpSampling2D(2, interpolation="nearest")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.BatchNormalization()(x)
    image = layers.Conv2D(1, 3, padding="same", activation="tanh")(x)
    # END SOLUTION
    return keras.Model(noise, image, name="generator")


def make_discriminator(width=8, dropout=0.3):
    """The DCGAN discriminator: image (28, 28, 1) -> one logit.

    Layers, in order: twice (with `f = width`, then `f = 2 * width`)
    `layers.Conv2D(f, 4, strides=2, padding="same")`, `layers.LeakyReLU(0.2)`,
    `layers.Dropout(dropout)`; then `layers.Flatten()` and `layers.Dense(1)` (no activation).

    Args:
        width: Channels of the first convolution. Defaults to 8.
        dropout: Dropout rate. Defaults to 0.3.

    Returns:
        A `keras.Model` from (batch, 28, 28, 1) to (batch, 1).
    """
    image = keras.Input(shape=(28, 28, 1))
    # BEGIN SOLUTION
    x = image
    for filters in (width, 2 * width):
        x = layers.Conv2D(filters, 4, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
        x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    logit = layers.Dense(1)(x)
    # END SOLUTION
    return keras.Model(image, logit, name="discriminator")


def discriminator_loss_value(real_logits, fake_logits, label_smoothing=0.0):
    """The discriminator's loss, in NumPy: mean BCE(real -> 1 - label_smoothing) + mean BCE(generated -> 0).

    Args:
        real_logits: Logits on real images, shape (batch, 1).
        fake_logits: Logits on generated images, shape (batch, 1).
        label_smoothing: Subtracted from the real images' target. Defaults to 0.

    Returns:
        A float: the mean loss over the real images plus the mean loss over the generated ones.
    """
    real_logits = np.asarray(real_logits, dtype=np.float64)
    fake_logits = np.asarray(fake_logits, dtype=np.float64)

    # BEGIN SOLUTION
    def bce(target, z):
        return np.mean(np.maximum(z, 0) - target * z + np.log1p(np.exp(-np.abs(z))))

    return float(bce(1.0 - label_smoothing, real_logits) + bce(0.0, fake_logits))
    # END SOLUTION


def generator_loss_value(fake_logits):
    """The generator's (non-saturating) loss, in NumPy: mean BCE of the logits on generated images against 1.

    Args:
        fake_logits: Discriminator logits on generated images, shape (batch, 1).

    Returns:
        A float, small when the discriminator takes the generated images for real.
    """
    fake_logits = np.asarray(fake_logits, dtype=np.float64)
    # BEGIN SOLUTION
    return float(np.mean(np.maximum(fake_logits, 0) - fake_logits + np.log1p(np.exp(-np.abs(fake_logits)))))
    # END SOLUTION


def gan_train_step(generator, discriminator, real_images, noise, learning_rate=0.01, label_smoothing=0.0):
    """One adversarial step: the discriminator learns, then the generator learns, plain SGD for both.

    1. Discriminator step: `fake = generator(noise, training=True)`; with a `tf.GradientTape`,
       the logits `discriminator(real_images, training=True)` and `discriminator(fake, training=True)`
       give `d_loss` (BCE from logits: real -> `1 - label_smoothing`, generated -> 0, the mean of
       each batch, summed); update the discriminator's trainable weights with
       `keras.optimizers.SGD(learning_rate)`.
    2. Generator step: with a new tape, `g_loss` is the BCE of
       `discriminator(generator(noise, training=True), training=True)` against 1 (the SAME noise,
       the UPDATED discriminator); update the generator's trainable weights with another
       `keras.optimizers.SGD(learning_rate)`.

    Inside the tapes the losses must be TensorFlow computations (NumPy breaks the gradient):
    `keras.losses.binary_crossentropy(targets, logits, from_logits=True)` gives the BCE per image.

    Args:
        generator: A generator (e.g. from `make_generator`).
        discriminator: A discriminator (e.g. from `make_discriminator`).
        real_images: A batch of real images (batch, 28, 28, 1) in [-1, 1].
        noise: The noise of this step, (batch, latent_dim).
        learning_rate: SGD learning rate of both networks. Defaults to 0.01.
        label_smoothing: One-sided label smoothing of the real targets. Defaults to 0.

    Returns:
        A tuple `(generator, discriminator, d_loss, g_loss)`: the updated networks and the two
        losses as floats (each computed before its network's update).
    """
    real_images = tf.convert_to_tensor(real_images, dtype=tf.float32)
    noise = tf.convert_to_tensor(noise, dtype=tf.float32)

    # BEGIN SOLUTION
    def bce(target, logits):
        return tf.reduce_mean(
            keras.losses.binary_crossentropy(tf.fill(tf.shape(logits), target), logits, from_logits=True)
        )

    fake = generator(noise, training=True)
    with tf.GradientTape() as tape:
        d_loss = bce(1.0 - label_smoothing, discriminator(real_images, training=True)) + bce(
            0.0, discriminator(fake, training=True)
        )
    weights = discriminator.trainable_variables
    keras.optimizers.SGD(learning_rate).apply_gradients(zip(tape.gradient(d_loss, weights), weights))

    with tf.GradientTape() as tape:
        g_loss = bce(1.0, discriminator(generator(noise, training=True), training=True))
    weights = generator.trainable_variables
    keras.optimizers.SGD(learning_rate).apply_gradients(zip(tape.gradient(g_loss, weights), weights))
    return generator, discriminator, float(d_loss), float(g_loss)
    # END SOLUTION
