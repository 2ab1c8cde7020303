"""The super-resolution networks a run can compare, by name: `SR_MODELS` and `build_sr_model`.

| name | upsamples | input |
| --- | --- | --- |
| `srcnn` | before the network (bicubic) | the bicubic upscale, HR size |
| `espcn` | inside, sub-pixel convolution | the LR image |
| `fsrcnn` | inside, transposed convolution | the LR image |

Each entry says whether its network reads the low-resolution image (`low_resolution_input`), so
that training patches (`make_patches(low_resolution=...)`) and evaluation inputs are made to fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras

from keras_vision.registry import Registry
from keras_vision.superres.learned import build_espcn, build_fsrcnn
from keras_vision.superres.model import build_srcnn


@dataclass(frozen=True)
class SRArchitecture:
    """A super-resolution network family.

    Attributes:
        build: `build(*, scale, residual, layout) -> keras.Model` (`layout` is SRCNN's only).
        low_resolution_input: The network takes the LR image and upsamples inside.
    """

    build: Callable[..., keras.Model]
    low_resolution_input: bool


#: Super-resolution networks by name (the `superres` experiment's `--models`).
SR_MODELS: Registry[SRArchitecture] = Registry("super-resolution model")
SR_MODELS.register(
    "srcnn", SRArchitecture(lambda *, scale, residual, layout: build_srcnn(layout=layout, residual=residual), False)
)
SR_MODELS.register(
    "espcn", SRArchitecture(lambda *, scale, residual, layout: build_espcn(scale=scale, residual=residual), True)
)
SR_MODELS.register(
    "fsrcnn", SRArchitecture(lambda *, scale, residual, layout: build_fsrcnn(scale=scale, residual=residual), True)
)


def build_sr_model(name: str, *, scale: int, residual: bool, layout: str = "9-1-5") -> keras.Model:
    """Builds the network `name` of `SR_MODELS` for `scale`.

    Args:
        name: `"srcnn"`, `"espcn"` or `"fsrcnn"`.
        scale: Super-resolution factor (the networks that upsample inside are built for it).
        residual: Predict the residual over the bicubic upscale.
        layout: SRCNN's layout (`SRCNN_LAYOUTS`). Defaults to `"9-1-5"`.

    Returns:
        An uncompiled `keras.Model`.

    Raises:
        UsageError: (a `ValueError`) for an unknown name, listing the valid ones.
    """
    return SR_MODELS.get(name).build(scale=scale, residual=residual, layout=layout)
