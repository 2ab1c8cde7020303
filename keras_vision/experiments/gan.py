"""`gan`: a DCGAN with each of the two upsamplers, judged by the course's MNIST CNN.

The generators differ only in their upsampling blocks (`keras_vision.upsample`): transposed
convolutions or nearest-neighbour resize + convolution. Both train on the same digits (or
Fashion-MNIST clothes) with the same seeds; the run reports, per variant, the classifier FID of
`sample_count` samples against as many real test images next to the real train-vs-test floor,
the share of confidently labelled samples, the entropy of the labels and the checkerboard energy,
with sample grids per epoch (and a GIF), the final grids side by side, curves of the losses and
scores per epoch, and the checkerboard figure. All the work is `keras_vision.gan.compare_upsamplers`.
"""

from __future__ import annotations

from keras_vision.data import load_dataset, locate
from keras_vision.data.split import take
from keras_vision.experiments.catalog import GanConfig
from keras_vision.gan import compare_upsamplers
from keras_vision.training import get_strategy


def run(config: GanConfig) -> dict:
    (x_train, y_train), (x_test, y_test) = load_dataset(config.dataset, config.data_dir)
    x_train, y_train = take(x_train, y_train, config.train_limit)
    x_test, y_test = take(x_test, y_test, config.test_limit)
    variants = tuple(v.strip() for v in config.variants.split(",") if v.strip())
    metrics = compare_upsamplers(
        x_train,
        y_train,
        x_test,
        y_test,
        config.run_dir,
        dataset=config.dataset,
        variants=variants,
        epochs=config.epochs,
        batch_size=config.batch_size,
        latent_dim=config.latent_dim,
        width=config.width,
        learning_rate=config.learning_rate,
        label_smoothing=config.label_smoothing,
        sample_count=config.sample_count,
        epoch_sample_count=config.epoch_sample_count,
        scorer_path=config.scorer,
        resume=config.resume,
        verbose=config.verbose,
        seed=config.seed,
        strategy=get_strategy(config.strategy),
    )
    metrics["data"] = {"source": locate(config.dataset, config.data_dir), "train": len(x_train), "test": len(x_test)}
    return metrics
