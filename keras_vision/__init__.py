"""keras_vision: a TensorFlow/Keras computer-vision course package.

The library is organised by what each part does:

- `keras_vision.data`: dataset loaders shaped like `keras.datasets`, offline-first, plus the
  preprocessing steps the course teaches.
- `keras_vision.models`: Keras builders, every layer named with a readable prefix.
- `keras_vision.training`: seeded, checkpointed, resumable training.
- `keras_vision.evaluation`: metrics and figures (curves, confusion matrices, image grids).
- `keras_vision.transfer`: `keras.applications` registry, freezing by block name, cached features.
- `keras_vision.experiments`: the registered experiments run by `python -m keras_vision.run`.
- `keras_vision.grading`: exercise generation, the autograder and the student handout.

Importing `keras_vision` is cheap; TensorFlow is imported only by the modules that need it.
"""

__version__ = "0.1.0"
