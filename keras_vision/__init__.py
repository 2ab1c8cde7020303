"""keras_vision: a TensorFlow/Keras computer-vision course package.

The library is organised by what each part does:

- `keras_vision.data`: dataset loaders shaped like `keras.datasets`, offline-first, plus the
  preprocessing steps the course teaches.
- `keras_vision.convolution`: a filter and max pooling from first principles (NumPy).
- `keras_vision.models`: Keras builders (classic CNN, ANN/FCN baselines, VGG, ResNet), every
  layer named with a readable prefix.
- `keras_vision.augment`: `ImageDataGenerator` from one config, and a fast pipeline beside it.
- `keras_vision.transfer`: `keras.applications` registry, freezing by block name, cached features.
- `keras_vision.upsample`: transposed convolution by hand, the two upsamplers, checkerboards.
- `keras_vision.superres`: SRCNN super-resolution with MSE and perceptual losses.
- `keras_vision.enhance`: low-light photographs brightened by max pooling, CLAHE and gamma.
- `keras_vision.gan`: a DCGAN with either upsampler, and the scores of a generative model.
- `keras_vision.training`: seeded, checkpointed, resumable, task-neutral training (`fit`).
- `keras_vision.evaluation`: metrics and figures by task: classifiers, image-to-image (PSNR and
  SSIM on Y), photographs (brightness, contrast, entropy, clipping, sharpness).
- `keras_vision.pixels`: the pixel formats image functions accept (uint8 or float, grey or RGB).
- `keras_vision.experiments`: the experiments of `python -m keras_vision.run`, declared in
  `catalog` (no TensorFlow import) and run from their modules.
- `keras_vision.grading`: exercise generation, the sandboxed autograder and the student handout.

Importing `keras_vision` itself is cheap; the library modules import TensorFlow at the top, and
the command line imports them only to run an experiment.
"""

__version__ = "0.1.0"
