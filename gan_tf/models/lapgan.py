"""LAPGAN networks: one conditional generator/discriminator pair per pyramid level and a fully
connected pair at the coarsest level. Denton, Chintala, Szlam & Fergus 2015 (arXiv:1506.05751),
sections 2.3 (LAPGAN) and 3 (Model Architecture & Training, CIFAR10), with the sizes of its
code (github.com/facebookarchive/eyescream, ``cifar/scripts/train_cifar_coarse_to_fine*.lua``).

Level k < K (``size`` = the level's image size, ``channels`` = the image's):

- ``build_lapgan_level_generator``: G_k(z_k, l_k) -> h~_k. The noise z_k is ``noise_channels``
  extra planes stacked on the low-pass image l_k (the paper: a fourth colour plane, section 3),
  so its size grows with the level; the planes go through three 5x5 convolutions, ReLU
  after the first two, the last one linear with ``channels`` maps (a band-pass image is signed
  and unbounded: no tanh). Inputs ``[z (size, size, noise_channels), l (size, size,
  channels)]``, plus ``y`` one-hot ``(n_classes,)`` for CC-LAPGAN.
- ``build_lapgan_level_discriminator``: D_k(h, l_k) -> one logit. The paper adds the low-pass
  image to the band-pass one before the first convolution ("explicitly added to h_k or h~_k",
  section 2.3), so D_k judges the whole image I_k = l_k + h_k: ``join="add"`` (default); the
  alternative ``join="concat"`` stacks h and l_k as separate channels. Then a 5x5 convolution
  and a 5x5 stride-2 convolution, ReLU after each, dropout, one logit (G_k and D_k are convnets
  of 3 and 2 layers, section 3). Inputs ``[h, l]`` (+ ``y``).

CC-LAPGAN (section 3, class conditional): the one-hot label goes through a linear layer whose
output is reshaped into one plane (``class_plane``), concatenated with the input planes of G_k
and D_k (as the paper's code does).

Level K: ``build_lapgan_coarse_generator`` / ``..._discriminator`` are the paper's MLPs at 8x8
(section 3): two hidden ReLU layers each, 1200 units in G_K and 600 with dropout in D_K, and a
100-d z_K. With ``n_classes``
they take ``[z, y]`` / ``[x, y]``, the one-hot concatenated to the input vector (a linear map
of y added to the first layer, the MLP form of the class plane).

Sizes against the paper. The coarse MLPs default to the paper's units (100-d z, 1200-1200 G,
600-600 D; cheap at 8x8). The level convnets default to ``filters=16`` maps where the paper has
128 (and 7x7, 7x7, 5x5 generator kernels in its code): the 5x5 layers between two stacks of
maps cost ``filters ** 2`` multiply-adds per pixel, 64x more at 128 maps, too slow for the
book's few-minute CPU runs at 32x32 (16 maps: the 32x32 level's step on a batch of 64 took
about 0.2 s on 2 shared CPU cores; 32 maps about 3x that). ``filters=128`` gives the paper's
width.
All convolutions pad ``"same"`` (the paper's code left D's unpadded; only borders differ).
Outputs: G_K tanh (images in [-1, 1], like their low-pass versions); G_k linear; D logits (the
losses apply the sigmoid). See chapter 6.1.
"""

from __future__ import annotations

import keras

from gan_tf.layers import Dropout
from gan_tf.models import _checks

JOINS = ("add", "concat")


def class_plane(y, size, name):
    """One-hot rows ``(batch, n_classes)`` -> one ``(batch, size, size, 1)`` plane, a learned
    linear map of the label (arXiv:1506.05751 section 3, CC-LAPGAN). See chapter 6.1."""
    h = keras.layers.Dense(size * size, name=f"{name}_linear")(y)
    return keras.layers.Reshape((size, size, 1), name=f"{name}_plane")(h)


def _level_args(size, channels, n_classes, filters, kernel_size):
    _checks.positive_int(size, "size")
    _checks.positive_int(channels, "channels")
    _checks.positive_int(filters, "filters")
    _checks.positive_int(kernel_size, "kernel_size")
    if n_classes is not None:
        _checks.positive_int(n_classes, "n_classes")


def _dropout(rate):
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {rate}")
    return rate


def build_lapgan_level_generator(size, channels=1, noise_channels=1, n_classes=None,
                                 filters=16, kernel_size=5, name=None):
    """G_k: ``[z (batch, size, size, noise_channels), l (batch, size, size, channels)]`` (+ ``y
    (batch, n_classes)``) -> band-pass image ``(batch, size, size, channels)``, unbounded.
    arXiv:1506.05751 section 3: noise as extra planes of l_k, three 5x5 convolutions (ReLU, ReLU,
    linear) with ``filters`` maps (paper: 128). See chapter 6.1."""
    _level_args(size, channels, n_classes, filters, kernel_size)
    _checks.positive_int(noise_channels, "noise_channels")
    name = name or f"lapgan_generator_{size}"
    z = keras.Input((size, size, noise_channels), name="z")
    low = keras.Input((size, size, channels), name="lowpass")
    inputs, planes = [z, low], [z, low]
    if n_classes is not None:
        y = keras.Input((n_classes,), name="y")
        inputs.append(y)
        planes.append(class_plane(y, size, "y"))
    h = keras.layers.Concatenate(name="planes")(planes)
    for i in range(2):
        h = keras.layers.Conv2D(filters, kernel_size, padding="same", activation="relu",
                                name=f"conv_{i}")(h)
    h = keras.layers.Conv2D(channels, kernel_size, padding="same", name="conv_out")(h)
    out = keras.layers.Activation("linear", dtype="float32", name="bandpass")(h)
    return keras.Model(inputs, out, name=name)


def build_lapgan_level_discriminator(size, channels=1, n_classes=None, filters=16,
                                     kernel_size=5, dropout=0.5, join="add", name=None):
    """D_k: ``[h (batch, size, size, channels), l (same shape)]`` (+ ``y``) -> one logit.
    ``join="add"`` feeds h + l (arXiv:1506.05751 section 2.3), ``"concat"`` both as channels;
    then 5x5 conv, 5x5 stride-2 conv (``filters`` maps, ReLU), dropout, a dense logit
    (section 3; the paper's 128 maps). See chapter 6.1."""
    _level_args(size, channels, n_classes, filters, kernel_size)
    dropout = _dropout(dropout)
    if join not in JOINS:
        raise ValueError(f"join must be one of {', '.join(JOINS)}, got {join!r}")
    name = name or f"lapgan_discriminator_{size}"
    band = keras.Input((size, size, channels), name="bandpass")
    low = keras.Input((size, size, channels), name="lowpass")
    inputs = [band, low]
    if join == "add":
        planes = [keras.layers.Add(name="image")([band, low])]
    else:
        planes = [band, low]
    if n_classes is not None:
        y = keras.Input((n_classes,), name="y")
        inputs.append(y)
        planes.append(class_plane(y, size, "y"))
    h = planes[0] if len(planes) == 1 else keras.layers.Concatenate(name="planes")(planes)
    h = keras.layers.Conv2D(filters, kernel_size, padding="same", activation="relu",
                            name="conv_0")(h)
    h = keras.layers.Conv2D(filters, kernel_size, strides=2, padding="same",
                            activation="relu", name="conv_1")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    if dropout:
        h = Dropout(dropout, name="dropout")(h)
    out = keras.layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model(inputs, out, name=name)


def build_lapgan_coarse_generator(latent_dim=100, size=8, channels=1, n_classes=None,
                                  hidden_units=(1200, 1200), name="lapgan_coarse_generator"):
    """G_K: ``z (batch, latent_dim)`` (+ ``y (batch, n_classes)``) -> ``(batch, size, size,
    channels)`` in [-1, 1]; an MLP with ReLU hidden layers (arXiv:1506.05751 section 3: 100-d z,
    two layers of 1200). See chapter 6.1."""
    _checks.positive_int(latent_dim, "latent_dim")
    _checks.positive_int(size, "size")
    _checks.positive_int(channels, "channels")
    hidden_units = _checks.units(hidden_units, "hidden_units")
    z = keras.Input((latent_dim,), name="z")
    inputs, h = [z], z
    if n_classes is not None:
        _checks.positive_int(n_classes, "n_classes")
        y = keras.Input((n_classes,), name="y")
        inputs.append(y)
        h = keras.layers.Concatenate(name="z_y")([z, y])
    for i, units in enumerate(hidden_units):
        h = keras.layers.Dense(units, activation="relu", name=f"dense_{i}")(h)
    h = keras.layers.Dense(size * size * channels, name="out")(h)
    h = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    out = keras.layers.Reshape((size, size, channels), name="image")(h)
    return keras.Model(inputs if len(inputs) > 1 else z, out, name=name)


def build_lapgan_coarse_discriminator(size=8, channels=1, n_classes=None,
                                      hidden_units=(600, 600), dropout=0.5,
                                      name="lapgan_coarse_discriminator"):
    """D_K: ``x (batch, size, size, channels)`` (+ ``y``) -> one logit; an MLP with ReLU hidden
    layers and dropout (arXiv:1506.05751 section 3: two layers of 600). See chapter 6.1."""
    _checks.positive_int(size, "size")
    _checks.positive_int(channels, "channels")
    hidden_units = _checks.units(hidden_units, "hidden_units")
    dropout = _dropout(dropout)
    x = keras.Input((size, size, channels), name="x")
    inputs = [x]
    h = keras.layers.Flatten(name="flatten")(x)
    if n_classes is not None:
        _checks.positive_int(n_classes, "n_classes")
        y = keras.Input((n_classes,), name="y")
        inputs.append(y)
        h = keras.layers.Concatenate(name="x_y")([h, y])
    for i, units in enumerate(hidden_units):
        h = keras.layers.Dense(units, activation="relu", name=f"dense_{i}")(h)
        if dropout:
            h = Dropout(dropout, name=f"dropout_{i}")(h)
    out = keras.layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model(inputs if len(inputs) > 1 else x, out, name=name)


def level_sizes(image_size=32, levels=3):
    """The image sizes of a ``levels``-level pyramid, finest first: ``(32, 16, 8)`` for the
    defaults; ``image_size`` must be divisible by ``2 ** (levels - 1)``. See chapter 6.1."""
    _checks.positive_int(image_size, "image_size")
    _checks.positive_int(levels, "levels")
    if image_size % (2 ** (levels - 1)):
        raise ValueError(f"image_size must be divisible by 2 ** (levels - 1) = "
                         f"{2 ** (levels - 1)} for {levels} levels, got {image_size}")
    return tuple(image_size // 2 ** k for k in range(levels))

