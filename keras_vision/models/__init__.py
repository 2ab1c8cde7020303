"""Keras model builders: plain functions returning `keras.Model`s with named layers."""

from keras_vision.models.classic import build_classic_cnn

__all__ = ["build_classic_cnn"]
