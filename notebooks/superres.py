# %% [markdown]
# # Super-resolution: SRCNN against bicubic, with an MSE and a perceptual loss
#
# **Experiment:** `python -m keras_vision.run superres` (this notebook makes the same library
# calls, one step at a time).<br>
# **Description:** training patches cut from photographs, SRCNN (9-1-5, predicting the residual
# over the bicubic upscale) trained with MSE and with MSE + VGG16 features, scored on whole images
# by PSNR and SSIM on the Y channel against bicubic (Dong et al., TPAMI 2016).
#
# **How to run it.** It trains on photographs embedded in scikit-image, so it runs offline; it is
# scored on `DATA_DIR/sr/CSet5` when that folder is there (the standard benchmark; `CSet14` in
# the full settings), else on the embedded photographs. `FULL = False` uses the experiment's
# `--quick` settings (2 epochs, at most 30 seconds of training per model); `FULL = True` trains
# 200 epochs within 5 minutes per model. The perceptual loss uses VGG16 without ImageNet
# weights unless you set `VGG_WEIGHTS = "imagenet"` (needs a network or the weights file).

# %% install the course (notebooks/build.py writes this cell)

# %% [markdown]
# ## Settings

# %%
import os
from pathlib import Path

from IPython.display import Image, display

from keras_vision.quiet import import_tensorflow_quietly

import_tensorflow_quietly()  # TensorFlow without its native start-up messages

FULL = False  # True: the experiment's full settings (needs the full data or a network)
# Real datasets, if you have them: the course keeps them in ../shared/data beside its checkout,
# which is ../../shared/data seen from this folder. A folder that does not exist means "none".
DATA_DIR = Path(os.environ.get("KERAS_VISION_SHARED", "../../shared/data"))
OUT = Path("runs")  # figures and models go to OUT/superres/

EVAL_DIR = DATA_DIR / "sr" / ("CSet14" if FULL else "CSet5")  # evaluation images, if there
VGG_WEIGHTS = "none"

# %%
from keras_vision.experiments import EXPERIMENTS

experiment = EXPERIMENTS.get("superres")
config = experiment.make_config(
    quick=not FULL,
    out=OUT,
    eval_dir=EVAL_DIR if EVAL_DIR.is_dir() else None,
    vgg_weights=VGG_WEIGHTS,
    verbose="epoch",
)
print({k: v for k, v in config.to_dict().items() if k not in ("experiment", "out", "quick", "resume")})

# %% [markdown]
# ## Photographs, patches and test pairs
#
# The low-resolution input of a patch is the photograph downscaled by `scale` and brought back
# to its size by bicubic interpolation (`degrade`): SRCNN learns to sharpen that. Training uses
# 33x33 patches with a stride of 14, as in the paper; the test pairs are whole images.

# %%
from keras_vision.superres.data import load_evaluation_photos, load_training_photos, make_patches, make_test_pairs

train_photos, train_names = load_training_photos(config.source, data_dir=config.data_dir, limit=config.limit)
eval_photos, eval_names = load_evaluation_photos(config.source, eval_dir=config.eval_dir, limit=config.limit)
patches = make_patches(train_photos, scale=config.scale, patch_size=config.patch_size, stride=config.patch_stride)
targets, bicubic = make_test_pairs(eval_photos, scale=config.scale)
print(f"{len(train_photos)} training photographs -> {len(patches[0]):,} patches {patches[0].shape[1:]}")
print(f"evaluated on {len(eval_photos)} images: {', '.join(eval_names)}")

# %% [markdown]
# ## Two losses
#
# MSE rewards the average of all plausible sharp images, which is a little blurred; the
# perceptual loss adds the distance between VGG16 feature maps (`vgg_layer`), which rewards
# edges and texture. Each model trains with `keras_vision.training.fit` (checkpoints, a time
# budget) and is scored by `image_to_image_report`: Y-PSNR and SSIM per image with the border of
# `scale` pixels shaved, and the gain over bicubic.

# %%
import functools

from keras_vision.evaluation import image_to_image_report, variant_record
from keras_vision.experiments.superres import parse_losses
from keras_vision.superres.losses import make_loss, vgg16_weights_or_random
from keras_vision.superres.predict import plot_superres_comparison, super_resolve
from keras_vision.superres.train import train_sr_model
from keras_vision.training import get_strategy, set_seed

weights, note = vgg16_weights_or_random(config.vgg_weights)  # ImageNet's, or random ones offline (with a note)
print(note or f"VGG16 weights: {weights}")
perceptual = {"layer": config.vgg_layer, "feature_weight": config.feature_weight, "weights": weights}
models, figures = {}, []
for name in parse_losses(config.losses):
    set_seed(config.seed)
    model, result = train_sr_model(
        patches,
        architecture="srcnn",
        scale=config.scale,
        loss=functools.partial(make_loss, name, **(perceptual if name == "perceptual" else {})),
        layout=config.layout,
        residual=config.residual,
        learning_rate=config.learning_rate,
        epochs=config.epochs,
        batch_size=config.batch_size,
        run_dir=config.variant_dir(name),
        strategy=get_strategy(config.strategy),
        max_seconds=config.max_train_seconds,
        verbose=config.verbose,
    )
    outputs = [super_resolve(model, image) for image in bicubic]
    report = image_to_image_report(targets, outputs, baselines=bicubic, names=eval_names, shave=config.scale)
    models[name] = variant_record(model, result, **report)
    figures.append(
        plot_superres_comparison(
            config.run_dir / f"{name}_comparison.png", targets[0], outputs[0], scale=config.scale, title=name
        )
    )

# %% [markdown]
# ## Results
#
# A few epochs on a few photographs already lift the MSE model above bicubic by a fraction of a
# decibel; the paper's SRCNN gains about 3 dB at scale 2 after days of training on ImageNet
# patches. The perceptual model trades PSNR for sharper texture, and only with VGG16's ImageNet
# features (`VGG_WEIGHTS = "imagenet"`): with random VGG16 weights, the offline default, its
# feature term is noise and it may even fall below bicubic.

# %%
from IPython.display import Markdown

from keras_vision.experiments.tables import format_markdown, result_rows

display(Markdown(format_markdown(result_rows(models, experiment.headline), experiment.headline)))
for figure in figures:
    display(Image(filename=str(figure)))
