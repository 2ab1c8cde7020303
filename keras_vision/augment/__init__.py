"""Data augmentation: Keras layers inside the model (`layers`)."""
