"""Exercise 2: classifiers from scratch, from a dense network to a convolutional one.

Before any network sees an image, the data is put in the form the network and the loss expect:

1. Pixels. Images arrive as 8-bit integers 0..255. Divide by 255 to get floats in [0, 1]: large
   inputs make large activations and gradients, and training with the default learning rate
   becomes unstable. Conv2D also wants a channel axis, so a grey 28x28 image becomes 28x28x1.
2. Labels. The network ends with a softmax: ten probabilities that sum to 1. Categorical
   cross-entropy compares them with a *one-hot* label, a vector of ten zeros with a 1 at the true
   class (label 3 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]).

Then two kinds of networks:

- A dense network (an "ANN" or multi-layer perceptron) flattens the 28x28 image into 784 numbers
  and connects every number to every unit: 784-128-10 has 784*128 + 128 + 128*10 + 10 = 101,770
  parameters. It reaches about 88 % on Fashion-MNIST, but it ignores which pixels are neighbours:
  move a shirt by one pixel and it sees a completely different input. On CIFAR-10's colour photos
  such networks stay near 50 %.
- A convolutional network slides small 3x3 filters over the image, so the same weights look for
  the same pattern everywhere. The CIFAR-10 CNN stacks three blocks of

      Conv2D 3x3 (padding "same", no bias) -> BatchNormalization -> ReLU     (twice)
      MaxPooling2D 2x2 -> Dropout

  with 32, 64 and 128 filters (32x32 -> 16x16 -> 8x8 -> 4x4), then Flatten, Dense(128, relu),
  Dropout and Dense(10, softmax). Batch normalization re-centres and re-scales every channel of
  every batch, which lets the network train fast with a large learning rate; its learned offset
  (beta) makes the convolution's bias useless, hence `use_bias=False`. Dropout sets a random
  fraction of the activations to zero while training, so that no unit can rely on another one:
  the network overfits less. Trained with random crops and flips, it passes 80 % on CIFAR-10.

Work through the functions in order; check yourself with `python -m pytest tests/graded`.
"""

import keras
import numpy as np
from keras import layers


def prepare_images(images):
    """The pixel preprocessing: uint8 grey images -> float32 in [0, 1] with a channel axis.

    Args:
        images: uint8 array (N, H, W) with values 0..255.

    Returns:
        float32 array (N, H, W, 1): every pixel divided by 255.
    """
    # BEGIN SOLUTION
    scaled = np.asarray(images).astype(np.float32) / np.float32(255.0)
    return scaled.reshape(*scaled.shape, 1)
    # END SOLUTION


def encode_labels(labels, num_classes=10):
    """One-hot encodes integer class labels, for categorical cross-entropy.

    Args:
        labels: Integer labels, shape (N,) or (N, 1) (CIFAR-10 stores them as a column).
        num_classes: Number of classes C. Defaults to `10`.

    Returns:
        float32 array (N, C): row i is all zeros except a 1 in column `labels[i]`.
    """
    # BEGIN SOLUTION
    labels = np.asarray(labels).reshape(-1).astype(np.int64)
    encoded = np.zeros((len(labels), num_classes), dtype=np.float32)
    encoded[np.arange(len(labels)), labels] = 1.0
    return encoded
    # END SOLUTION


def dense_parameter_count(layer_sizes):
    """The number of parameters of a dense network, by hand.

    A Dense layer from `a` inputs to `b` units has a weight for every pair (a * b) and one bias
    per unit (b).

    Args:
        layer_sizes: Sizes from the input to the output, e.g. `[784, 128, 10]`.

    Returns:
        The total number of weights and biases, an int (101,770 for `[784, 128, 10]`).
    """
    # BEGIN SOLUTION
    return int(sum(a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:])))
    # END SOLUTION


def build_dense_network(input_shape=(28, 28, 1), num_classes=10):
    """The dense baseline: Flatten, Dense(128, relu), Dense(num_classes, softmax).

    Start from `keras.Input(shape=input_shape)` and build the model with the functional API
    (`x = layer(x)`), ending with `keras.Model(inputs, outputs)`.

    Args:
        input_shape: Shape of one image. Defaults to `(28, 28, 1)`.
        num_classes: Number of classes. Defaults to `10`.

    Returns:
        An uncompiled `keras.Model` with 101,770 parameters for the defaults.
    """
    # BEGIN SOLUTION
    inputs = keras.Input(shape=input_shape)
    x = layers.Flatten()(inputs)
    x = layers.Dense(128, activation="relu")(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)
    # END SOLUTION


def build_conv_network(input_shape=(32, 32, 3), num_classes=10):
    """The CIFAR-10 CNN: three conv blocks with batch normalization, then a dense head.

    Block k (k = 1, 2, 3) with 32, 64, 128 filters and dropout rates 0.1, 0.2, 0.3:

        2 x [Conv2D(filters, 3, padding="same", use_bias=False) -> BatchNormalization()
             -> Activation("relu")]
        MaxPooling2D(2) -> Dropout(rate)

    then Flatten, Dense(128, activation="relu"), Dropout(0.3), Dense(num_classes, activation="softmax").

    Args:
        input_shape: Shape of one image, height and width divisible by 8. Defaults to `(32, 32, 3)`.
        num_classes: Number of classes. Defaults to `10`.

    Returns:
        An uncompiled `keras.Model` (551,914 parameters for the defaults).
    """
    # BEGIN SOLUTION
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for filters, rate in ((32, 0.1), (64, 0.2), (128, 0.3)):
        for _ in range(2):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Dropout(rate)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)
    # END SOLUTION
