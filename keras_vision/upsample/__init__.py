"""Learned upsampling: transposed convolution, resize + convolution, and checkerboard artifacts.

A decoder, a super-resolution network or a GAN generator has to make feature maps LARGER. Two
learned ways are common:

- **Transposed convolution** (`keras.layers.Conv2DTranspose`). It is the gradient of a strided
  convolution, and can be computed from first principles in three steps (`conv2d_transpose`):
  insert `stride - 1` zeros between the input pixels (`zero_insert`), pad the result by
  `kernel - 1` pixels, and run an ordinary convolution with the kernel flipped upside down and
  left to right. When the kernel size is not a multiple of the stride, the kernel windows overlap
  unevenly: some output pixels receive more kernel taps than their neighbours, and even a constant
  input comes out as a periodic pattern of period `stride`, the *checkerboard artifact*.
- **Resize, then convolve** (`keras.layers.UpSampling2D` followed by `Conv2D`). Every output pixel
  sees the same number of input pixels, so a constant input stays constant (away from the border):
  no checkerboard by construction (Odena, Dumoulin and Olah, "Deconvolution and Checkerboard
  Artifacts", Distill 2016).

The modules, in the order of the lesson:

- `transpose`: `zero_insert`, `transpose_output_size`, `conv2d_transpose` (NumPy, equal to Keras).
- `blocks`: `transpose_upsampler`, `resize_upsampler`, the `UPSAMPLERS` registry, `build_upsampler`.
- `subpixel`: `PixelShuffle` and `subpixel_upsampler`, ESPCN's sub-pixel convolution (used by
  `keras_vision.superres`; not in `UPSAMPLERS`, whose kinds the GAN and the `upsampling`
  experiment compare one by one).
- `checkerboard`: `phase_pattern`, `phase_energy_share`, `checkerboard_score` (an upsampler at
  initialisation on a constant input), `checkerboard_energy` (any images, e.g. a GAN's samples).
- `report`: `plot_upsampler_outputs` and `upsampling_report` (scores, and the figure drawn to a
  given path), what the `upsampling` experiment shows.

Reference: Odena et al. 2016, https://distill.pub/2016/deconv-checkerboard/; Dumoulin and Visin,
"A guide to convolution arithmetic for deep learning", arXiv:1603.07285.
"""

from keras_vision.upsample.blocks import (
    INTERPOLATIONS,
    UPSAMPLERS,
    build_upsampler,
    resize_upsampler,
    transpose_upsampler,
)
from keras_vision.upsample.checkerboard import (
    checkerboard_energy,
    checkerboard_score,
    phase_energy_share,
    phase_pattern,
)
from keras_vision.upsample.report import plot_upsampler_outputs, upsampling_report
from keras_vision.upsample.subpixel import PixelShuffle, subpixel_upsampler
from keras_vision.upsample.transpose import conv2d_transpose, transpose_output_size, zero_insert

__all__ = [
    "INTERPOLATIONS",
    "PixelShuffle",
    "UPSAMPLERS",
    "build_upsampler",
    "checkerboard_energy",
    "checkerboard_score",
    "conv2d_transpose",
    "phase_energy_share",
    "phase_pattern",
    "plot_upsampler_outputs",
    "resize_upsampler",
    "subpixel_upsampler",
    "transpose_output_size",
    "transpose_upsampler",
    "upsampling_report",
    "zero_insert",
]
