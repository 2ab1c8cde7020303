"""`DCGAN`: a generator and a discriminator trained against each other by one `train_step`.

Each step, on a batch of real images and a batch of fresh noise:

1. the **discriminator** learns to tell real from generated: binary cross-entropy of its logits
   against 1 for real images (or `1 - label_smoothing`, "one-sided label smoothing", which keeps
   it from becoming over-confident) and 0 for generated ones (`discriminator_loss`);
2. the **generator** learns to fool it: binary cross-entropy of the discriminator's logits on new
   generated images against 1, the "non-saturating" loss of Goodfellow et al. (`generator_loss`),
   whose gradient stays large while the discriminator wins.

After each step a copy of the generator, `ema_generator`, moves its weights a little towards
the generator's (an exponential moving average). The generator's weights jump around as the two
networks chase each other; their average sits nearer the middle of that orbit and makes cleaner
samples, so `generate` samples from the average (Yazici et al.).

`DCGAN` has no `call`: `fit` (`keras_vision.training.fit`) drives its `train_step`, logs `d_loss`,
`g_loss` and the discriminator's mean probabilities `d_real` and `d_fake`, backs it up every epoch
and stops with `TrainingDivergedError` if a loss turns NaN.

Reference: Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014; Salimans et al.,
"Improved Techniques for Training GANs", NeurIPS 2016 (one-sided label smoothing); Yazici et al.,
"The Unusual Effectiveness of Averaging in GAN Training", ICLR 2019 (the moving average).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


def discriminator_loss(real_logits, fake_logits, *, label_smoothing: float = 0.0):
    """Binary cross-entropy of the discriminator: real -> `1 - label_smoothing`, generated -> 0.

    Args:
        real_logits: Discriminator logits on real images, shape (batch, 1).
        fake_logits: Discriminator logits on generated images, shape (batch, 1).
        label_smoothing: Subtracted from the real images' target (0: none). Defaults to `0.0`.

    Returns:
        A scalar tensor: mean loss on the real batch plus mean loss on the generated batch.
    """
    real_target = ops.full_like(real_logits, 1.0 - label_smoothing)
    real = keras.losses.binary_crossentropy(real_target, real_logits, from_logits=True)
    fake = keras.losses.binary_crossentropy(ops.zeros_like(fake_logits), fake_logits, from_logits=True)
    return ops.mean(real) + ops.mean(fake)


def generator_loss(fake_logits):
    """Non-saturating generator loss: binary cross-entropy of the logits on generated images against 1.

    Args:
        fake_logits: Discriminator logits on generated images, shape (batch, 1).

    Returns:
        A scalar tensor, small when the discriminator takes the generated images for real.
    """
    return ops.mean(keras.losses.binary_crossentropy(ops.ones_like(fake_logits), fake_logits, from_logits=True))


@keras.saving.register_keras_serializable(package="keras_vision")
class DCGAN(keras.Model):
    """A generator and a discriminator with the adversarial `train_step`.

    Example:

        gan = DCGAN(build_generator(upsampler="resize"), build_discriminator(), label_smoothing=0.1)
        gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
        fit(gan, dataset_of_images_in_minus1_1, epochs=10, run_dir="runs/gan/resize")

    Args:
        generator: `keras.Model` from noise (batch, latent_dim) to images in [-1, 1].
        discriminator: `keras.Model` from images to one logit per image.
        label_smoothing: One-sided label smoothing of the real targets, in [0, 0.5). Defaults to `0.0`.
        ema_decay: Decay of the generator's moving average, in [0, 1); `0` samples from the
            generator itself. The decay starts low and rises to this value over the first steps
            (`min(ema_decay, (1 + step) / (10 + step))`). Defaults to `0.999`, an average over
            about the last 1,000 steps.
        seed: Seed of the noise drawn in each step. Defaults to `0`.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        label_smoothing: float = 0.0,
        ema_decay: float = 0.999,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not 0 <= label_smoothing < 0.5:
            raise ValueError(f"`label_smoothing` must be in [0, 0.5). Received: label_smoothing={label_smoothing!r}.")
        if not 0 <= ema_decay < 1:
            raise ValueError(f"`ema_decay` must be in [0, 1) (0: no average). Received: ema_decay={ema_decay!r}.")
        if tuple(generator.output_shape[1:]) != tuple(discriminator.input_shape[1:]):
            raise ValueError(
                f"The generator makes images of shape {generator.output_shape[1:]} but the "
                f"discriminator takes {discriminator.input_shape[1:]}: they must agree."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.input_shape[-1])
        self.label_smoothing = float(label_smoothing)
        self.ema_decay = float(ema_decay)
        self.ema_generator = None
        if self.ema_decay:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
        self.seed = seed
        self.noise_seed = keras.random.SeedGenerator(seed)
        self.trackers = {key: keras.metrics.Mean(name=key) for key in ("d_loss", "g_loss", "d_real", "d_fake")}

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Sets one optimizer per network. Defaults to Adam(2e-4, beta_1=0.5) for both (Radford et al.)."""
        super().compile(**kwargs)
        self.optimizer.build([])  # Keras' own optimizer updates nothing here; built now, it saves and restores alike
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return list(self.trackers.values())

    @property
    def sampler(self) -> keras.Model:
        """The generator that makes the samples: the moving average, or the generator without one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def generate(self, noise, *, batch_size: int = 500):
        """Images of `sampler` for `noise` (N, latent_dim), in inference mode, as a NumPy array in [-1, 1]."""
        return self.sampler.predict(noise, batch_size=batch_size, verbose=0)

    def _noise(self, batch):
        """Noise for one batch; under a distribution strategy each replica takes its own slice of one draw."""
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync if context else 1
        noise = keras.random.normal((batch * replicas, self.latent_dim), seed=self.noise_seed)
        first = batch * (context.replica_id_in_sync_group if context else 0)
        return noise[first : first + batch]

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        batch = ops.shape(real)[0]
        # The optimizers sum the gradients of the replicas: each replica's share is 1/replicas of the mean.
        share = 1.0 / tf.distribute.get_strategy().num_replicas_in_sync
        noise = self._noise(batch)
        with tf.GradientTape() as tape:
            fake = self.generator(noise, training=True)
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = discriminator_loss(real_logits, fake_logits, label_smoothing=self.label_smoothing)
            d_share = d_loss * share
        weights = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_share, weights), weights))

        noise = self._noise(batch)
        with tf.GradientTape() as tape:
            g_loss = generator_loss(self.discriminator(self.generator(noise, training=True), training=True))
            g_share = g_loss * share
        weights = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_share, weights), weights))
        if self.ema_generator is not None:
            step = ops.cast(self.g_optimizer.iterations, "float32")
            decay = ops.minimum(self.ema_decay, (1.0 + step) / (10.0 + step))
            for average, weight in zip(self.ema_generator.weights, self.generator.weights):
                average.assign(decay * average + (1.0 - decay) * ops.cast(weight, average.dtype))

        values = {
            "d_loss": d_loss,
            "g_loss": g_loss,
            "d_real": ops.mean(ops.sigmoid(real_logits)),
            "d_fake": ops.mean(ops.sigmoid(fake_logits)),
        }
        for key, value in values.items():
            self.trackers[key].update_state(value)
        return {key: tracker.result() for key, tracker in self.trackers.items()}

    def get_config(self):
        return {
            **super().get_config(),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "label_smoothing": self.label_smoothing,
            "ema_decay": self.ema_decay,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        generator = keras.saving.deserialize_keras_object(config.pop("generator"))
        discriminator = keras.saving.deserialize_keras_object(config.pop("discriminator"))
        return cls(generator, discriminator, **config)
