"""Keras model builders: plain functions returning `keras.Model`s with named layers."""

from keras_vision.models.classic import build_classic_cnn
from keras_vision.models.summary import format_layer_table, layer_table

__all__ = ["build_classic_cnn", "format_layer_table", "layer_table"]
