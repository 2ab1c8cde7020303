"""Sample photographs embedded in scikit-image and scikit-learn load offline."""

import numpy as np
import pytest

from keras_vision.data import SAMPLE_IMAGES, load_sample_image
from keras_vision.data.samples import GRAY_SAMPLES


@pytest.mark.parametrize("name", SAMPLE_IMAGES)
def test_every_sample_loads_as_uint8_rgb_or_gray(name):
    image = load_sample_image(name)
    assert image.dtype == np.uint8 and image.flags.c_contiguous
    if name in GRAY_SAMPLES:
        assert image.ndim == 2
    else:
        assert image.ndim == 3 and image.shape[2] == 3
    assert min(image.shape[:2]) >= 100 and image.std() > 10  # a real picture, not a blank


@pytest.mark.parametrize(
    "name,shape",
    [
        # Sizes documented by scikit-image (astronaut, camera) and scikit-learn (china, flower).
        ("astronaut", (512, 512, 3)),
        ("camera", (512, 512)),
        ("china", (427, 640, 3)),
        ("flower", (427, 640, 3)),
    ],
)
def test_documented_sizes(name, shape):
    assert load_sample_image(name).shape == shape


@pytest.mark.parametrize("name", ["coffee", "chelsea"])
def test_warm_photos_are_rgb_ordered(name):
    # A cup of coffee on a wooden table, an orange tabby cat: red outweighs blue in RGB order,
    # which a BGR mix-up would invert.
    mean = load_sample_image(name).reshape(-1, 3).mean(axis=0)
    assert mean[0] > mean[2]


def test_unknown_sample_lists_names():
    with pytest.raises(ValueError, match="Valid sample images: astronaut, .*china, flower"):
        load_sample_image("lena")
