"""keras_vision: a TensorFlow/Keras computer-vision course package.

The library is organised by what each part does:

- `keras_vision.data`: dataset loaders shaped like `keras.datasets`, offline-first, plus the
  preprocessing steps the course teaches.
- `keras_vision.models`: Keras builders, every layer named with a readable prefix.
- `keras_vision.training`: seeded, checkpointed, resumable training.
- `keras_vision.evaluation`: metrics and figures (curves, confusion matrices, image grids), and
  image quality (PSNR, SSIM, brightness, contrast, entropy, clipping, sharpness).
- `keras_vision.enhance`: low-light photographs brightened by max pooling, CLAHE and gamma.
- `keras_vision.pixels`: the pixel formats image functions accept (uint8 or float, grey or RGB).
- `keras_vision.transfer`: `keras.applications` registry, freezing by block name, cached features.
- `keras_vision.experiments`: the registered experiments run by `python -m keras_vision.run`.
- `keras_vision.grading`: exercise generation, the autograder and the student handout.

Importing `keras_vision` is cheap; TensorFlow is imported only by the modules that need it.
"""

__version__ = "0.1.0"
