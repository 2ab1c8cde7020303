"""`upsampling`: why transposed convolutions leave checkerboards, measured at initialisation.

`keras_vision.upsample.upsampling_report` scores `Conv2DTranspose`+`Conv2D` and
`UpSampling2D`+`Conv2D` on a constant input (the share of output energy in the stride's sub-pixel
phase pattern, averaged over random initialisations) and draws both upsamplers' outputs into
`upsampler_outputs.png`.
"""

from __future__ import annotations

from keras_vision.experiments.catalog import UpsamplingConfig
from keras_vision.upsample import upsampling_report


def run(config: UpsamplingConfig) -> dict:
    report = upsampling_report(
        config.run_dir / "upsampler_outputs.png",
        factor=config.factor,
        kernel_size=config.kernel_size,
        filters=config.filters,
        interpolation=config.interpolation,
        trials=config.trials,
        seed=config.seed,
    )
    scores = report["checkerboard"]
    return {
        "checkerboard": scores,
        "models": {kind: {"checkerboard": score} for kind, score in scores.items()},
        "figures": [str(report["figure"])],
    }
