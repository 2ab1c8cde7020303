"""The pictures of the exercise notebooks: `{module: {function: code}}`, drawn after `function`'s cell.

Each is the lesson's picture, drawn with the notebook's own functions (so a stub shows its
`NotImplementedError` until it is written) on inputs that need no network: scikit-learn's 8x8
digits, the photographs embedded in scikit-image, random noise. Every cell starts with the comment
line `# Figure`, which the grader and `check()` leave out of the student's module.
"""

from __future__ import annotations

EX01_FILTERED_DIGIT = """\
# Figure (not graded): a digit, its vertical edges, and the edges max-pooled.
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

digit = np.kron(load_digits().images[0], np.ones((3, 3))) * 16  # 8x8 digit -> 24x24, values 0..255
edges = apply_filter(digit, vertical_edge_kernel())
pooled = max_pool(edges)
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
titles = ["digit 24x24", "vertical edges 22x22", "max-pooled 11x11"]
for axis, image, title in zip(axes, [digit, edges, pooled], titles):
    axis.imshow(image, cmap="gray")
    axis.set_title(title)
    axis.axis("off")
plt.show()
"""

EX04_AUGMENTED_BATCH = """\
# Figure (not graded): one photo under eight random augmentations (normalised feature-wise, so rescaled
# to show).
import matplotlib.pyplot as plt

from keras_vision.data.samples import load_sample_image

photo = tf.image.resize(load_sample_image("chelsea")[None], (96, 96)).numpy()
images = np.repeat(photo, 8, axis=0)
x, _ = first_augmented_batch(images, np.arange(8), generator_settings(30, 0.15, 0.2), batch_size=8)
fig, axes = plt.subplots(1, 8, figsize=(16, 2.4))
for axis, image in zip(axes, x):
    axis.imshow((image - image.min()) / (image.max() - image.min() + 1e-6))
    axis.axis("off")
plt.show()
"""

EX06_UPSAMPLER_OUTPUTS = """\
# Figure (not graded): both upsamplers at initialisation on a constant input: the checkerboard of the
# transposed convolution (its stride's phase pattern) against the even output of resize + convolution.
import matplotlib.pyplot as plt

keras.utils.set_random_seed(0)
flat = np.ones((1, 16, 16, 8), dtype="float32")
outputs = {
    "Conv2DTranspose": build_transpose_upsampler()(flat).numpy()[0],
    "UpSampling2D + Conv2D": build_resize_upsampler()(flat).numpy()[0],
}
fig, axes = plt.subplots(1, 2, figsize=(8, 4))
for axis, (title, output) in zip(axes, outputs.items()):
    axis.imshow(output.mean(axis=-1), cmap="magma")
    axis.set_title(f"{title}\\nphase energy share {phase_energy_share(output[None], 2):.2f}")
    axis.axis("off")
plt.show()
"""

EX07_BRIGHTENED_PHOTO = """\
# Figure (not graded): a photo darkened to a quarter, brightened four ways.
import matplotlib.pyplot as plt

from keras_vision.data.samples import load_sample_image

dark = (load_sample_image("coffee") * 0.25).astype(np.uint8)
results = {
    "dark": dark,
    "max filter 3x3": max_filter(dark, 3),
    "binning 2x2": bin_brighten(dark, 2),
    "gamma 0.5": gamma_lookup_table(0.5)[dark],
    "CLAHE on L": clahe_on_lightness(dark),
}
fig, axes = plt.subplots(1, len(results), figsize=(17, 3))
for axis, (title, image) in zip(axes, results.items()):
    axis.imshow(image)
    axis.set_title(f"{title}\\nbrightness {mean_brightness(image):.0f}")
    axis.axis("off")
plt.show()
"""

EX09_GAN_SAMPLES = """\
# Figure (not graded): 150 adversarial steps on scikit-learn's digits (8x8, enlarged to 28x28), and the
# generator's samples before and after. Short training: blobs take a digit's place, not digits yet.
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

keras.utils.set_random_seed(0)
digits = np.pad(np.kron(load_digits().images, np.ones((3, 3))), ((0, 0), (2, 2), (2, 2)))[..., None]
digits = (digits / 8.0 - 1.0).astype("float32")  # 0..16 -> [-1, 1]
generator, discriminator = make_generator(), make_discriminator()
fixed_noise = np.random.default_rng(1).normal(size=(8, 16)).astype("float32")
before = generator(fixed_noise, training=False).numpy()
rng = np.random.default_rng(0)
for _ in range(150):
    batch = digits[rng.integers(0, len(digits), 32)]
    generator, discriminator, d_loss, g_loss = gan_train_step(
        generator, discriminator, batch, rng.normal(size=(32, 16)).astype("float32"), learning_rate=0.05
    )
after = generator(fixed_noise, training=False).numpy()
print(f"after 150 steps: d_loss {d_loss:.3f}, g_loss {g_loss:.3f}")
fig, axes = plt.subplots(2, 8, figsize=(12, 3.2))
for row, (title, samples) in enumerate([("before", before), ("after", after)]):
    for axis, sample in zip(axes[row], samples):
        axis.imshow(sample[..., 0], cmap="gray", vmin=-1, vmax=1)
        axis.axis("off")
    axes[row, 0].set_title(title, loc="left")
plt.show()
"""

#: After which function each module's picture is drawn.
FIGURES: dict[str, dict[str, str]] = {
    "ex01_convolutions": {"max_pool": EX01_FILTERED_DIGIT},
    "ex04_augmentation": {"first_augmented_batch": EX04_AUGMENTED_BATCH},
    "ex06_upsampling": {"phase_energy_share": EX06_UPSAMPLER_OUTPUTS},
    "ex07_lowlight": {"clahe_on_lightness": EX07_BRIGHTENED_PHOTO},
    "ex09_gan": {"gan_train_step": EX09_GAN_SAMPLES},
}
