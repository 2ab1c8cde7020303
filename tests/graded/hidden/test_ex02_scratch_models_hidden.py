"""Hidden graded tests of ex02_scratch_models: other image sizes, column labels, other classes."""

import numpy as np

from keras_vision.data import add_channel_axis, one_hot, scale_pixels
from keras_vision.grading.testkit.feedback import expect_same_layers
from keras_vision.grading.testkit.testing import graded
from keras_vision.models import build_ann, build_cifar10_cnn


@graded(points=1, visibility="hidden")
def test_prepare_images_rectangular(submission, checks):
    images = np.random.default_rng(5).integers(0, 256, size=(3, 32, 20), dtype=np.uint8)
    got = submission.prepare_images(images)
    checks.expect_close(got, add_channel_axis(scale_pixels(images)), "prepare_images(uint8 images (3, 32, 20))")


@graded(points=1, visibility="hidden")
def test_encode_labels_column_and_three_classes(submission, checks):
    labels = np.array([[2], [0], [1], [2]], dtype=np.uint8)
    got = submission.encode_labels(labels, num_classes=3)
    checks.expect_close(got, one_hot(labels, 3), "encode_labels(labels of shape (4, 1), num_classes=3)")


@graded(points=1, visibility="hidden")
def test_build_conv_network_grey_five_classes(submission, checks):
    got = submission.build_conv_network(input_shape=(24, 24, 1), num_classes=5)
    call = "build_conv_network(input_shape=(24, 24, 1), num_classes=5)"
    expect_same_layers(checks, got, build_cifar10_cnn((24, 24, 1), 5), call)


@graded(points=1, visibility="hidden")
def test_build_dense_network_colour_hundred_classes(submission, checks):
    got = submission.build_dense_network(input_shape=(32, 32, 3), num_classes=100)
    call = "build_dense_network(input_shape=(32, 32, 3), num_classes=100)"
    expect_same_layers(checks, got, build_ann((32, 32, 3), 100), call)
