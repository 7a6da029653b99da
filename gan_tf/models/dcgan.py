"""DCGAN generators and discriminators.

Two variants:

- ``"book"``: the textbook's Keras DCGAN for 28x28 images (chapter 4.2, after the Keras-GAN
  scripts). Generator: dense -> 7x7x128 (ReLU), [2x upsampling, 3x3 convolution, batch norm
  (Keras momentum 0.8), ReLU] with 128 then 64 filters, 3x3 convolution to the channels, tanh.
  Discriminator: 3x3 stride-2 convolutions with 32, 64 (+ zero padding to 8x8), 128 and a
  stride-1 256, LeakyReLU 0.2, dropout 0.25, batch norm (momentum 0.8) after all but the first,
  then flatten and one logit.
- ``"paper"``: Radford, Metz & Chintala 2015 (arXiv:1511.06434, section 3 and fig. 1) for 32x32
  and 64x64: z projected to a 4x4 map, stride-2 transposed convolutions (5x5) halving the
  filters, batch norm and ReLU in the generator (tanh output, no batch norm there); stride-2
  convolutions with LeakyReLU 0.2 in the discriminator (no batch norm on its first layer);
  no pooling, no hidden fully connected layers, all weights N(0, 0.02).

Both discriminators return logits (no sigmoid): the losses in ``gan_tf.losses`` apply it, which
is what makes them numerically stable. See chapter 4.2.
"""

from __future__ import annotations

import math

import keras

from gan_tf import layers
from gan_tf.models import _checks

VARIANTS = ("book", "paper")


def _variant(variant, image_shape):
    if variant is None:
        return "book" if tuple(image_shape[:2]) == (28, 28) else "paper"
    if variant not in VARIANTS:
        raise ValueError(f"unknown DCGAN variant {variant!r}; expected one of {VARIANTS}")
    return variant


def _paper_levels(image_shape):
    height, width, _ = image_shape
    if height != width or height < 8 or height & (height - 1):
        raise ValueError(
            f"the paper's DCGAN needs square images with a power-of-two side >= 8 "
            f"(e.g. 32 or 64), got {image_shape}"
        )
    return int(math.log2(height // 4))


def _init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def _bn_class(fused):
    return layers.BatchNormalization if fused else keras.layers.BatchNormalization


def _bn(name, momentum=0.9, fused=True):
    return _bn_class(fused)(
        momentum=momentum, epsilon=1e-5, gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
        name=name)


def build_dcgan_generator(latent_dim=100, image_shape=(28, 28, 1), variant=None,
                          base_filters=128, kernel_size=5, fused=True,
                          name="dcgan_generator"):
    """z ``(batch, latent_dim)`` -> images ``(batch, *image_shape)`` in [-1, 1].

    ``variant`` defaults to ``"book"`` for 28x28 images and ``"paper"`` otherwise. For the paper's
    generator, the 4x4 map has ``base_filters * 2**(levels - 1)`` channels (1024 at 64x64 with
    the paper's 128) and each transposed convolution halves them.

    ``fused=True`` computes the same network with faster layers: ``gan_tf.layers.
    BatchNormalization`` (one fused kernel per pass) and, in the book's variant, ``gan_tf.layers.
    UpSampleConv2D`` for each upsampling + 3x3 convolution (2.25x fewer multiply-adds). Same
    layer names, weights and outputs (to float rounding) as ``fused=False``, which builds it
    from Keras's own ``BatchNormalization``, ``UpSampling2D`` and ``Conv2D`` as the book's code
    does. See chapter 4.2.
    """
    _checks.positive_int(latent_dim, "latent_dim")
    image_shape = _checks.shape(image_shape, "image_shape", rank=3)
    variant = _variant(variant, image_shape)
    z = keras.Input((latent_dim,), name="z")
    if variant == "book":
        if tuple(image_shape[:2]) != (28, 28):
            raise ValueError(f"the book's DCGAN is for 28x28 images, got {image_shape}")
        h = keras.layers.Dense(7 * 7 * 128, activation="relu", name="project")(z)
        h = keras.layers.Reshape((7, 7, 128), name="reshape")(h)
        for i, filters in enumerate((128, 64)):
            if fused:
                h = layers.UpSampleConv2D(filters, 3, name=f"conv_{i}")(h)
            else:
                h = keras.layers.UpSampling2D(name=f"upsample_{i}")(h)
                h = keras.layers.Conv2D(filters, 3, padding="same", name=f"conv_{i}")(h)
            h = _bn_class(fused)(momentum=0.8, name=f"bn_{i}")(h)
            h = keras.layers.Activation("relu", name=f"relu_{i}")(h)
        h = keras.layers.Conv2D(image_shape[2], 3, padding="same", name="conv_out")(h)
    else:
        levels = _paper_levels(image_shape)
        _checks.positive_int(base_filters, "base_filters")
        filters = base_filters * 2 ** (levels - 1)
        h = keras.layers.Dense(4 * 4 * filters, use_bias=False, kernel_initializer=_init(),
                               name="project")(z)
        h = keras.layers.Reshape((4, 4, filters), name="reshape")(h)
        h = keras.layers.ReLU(name="relu_project")(_bn("bn_project", fused=fused)(h))
        for i in range(levels - 1):
            filters //= 2
            h = keras.layers.Conv2DTranspose(filters, kernel_size, strides=2, padding="same",
                                             use_bias=False, kernel_initializer=_init(),
                                             name=f"deconv_{i}")(h)
            h = keras.layers.ReLU(name=f"relu_{i}")(_bn(f"bn_{i}", fused=fused)(h))
        h = keras.layers.Conv2DTranspose(image_shape[2], kernel_size, strides=2, padding="same",
                                         kernel_initializer=_init(), name="deconv_out")(h)
    out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    return keras.Model(z, out, name=name)


def _norm_layer(norm, name, momentum, fused=True):
    if norm == "batch":
        return (_bn_class(fused)(momentum=0.8, name=name) if momentum == 0.8
                else _bn(name, fused=fused))
    # Layer norm over (height, width, channels) per example: WGAN-GP's stand-in for batch
    # norm in the critic (arXiv:1704.00028, section 4).
    return keras.layers.LayerNormalization(axis=[1, 2, 3], epsilon=1e-5, name=name)


NORMS = ("batch", "layer", None)


def build_dcgan_discriminator(image_shape=(28, 28, 1), variant=None, base_filters=64,
                              kernel_size=5, dropout=0.25, norm="batch", fused=True,
                              name="dcgan_discriminator"):
    """images ``(batch, *image_shape)`` in [-1, 1] -> one logit ``(batch, 1)``.

    ``variant`` defaults to ``"book"`` for 28x28 images and ``"paper"`` otherwise. The paper's
    discriminator starts at ``base_filters`` and doubles them down to a 4x4 map.
    ``dropout`` applies to the book's variant only. ``norm`` is ``"batch"`` (both papers),
    ``"layer"`` (for WGAN-GP critics, whose per-example penalty rules out batch norm) or ``None``.
    A convolution has a bias unless batch norm follows it (whose beta makes a bias redundant);
    before layer norm over (height, width, channels) a per-channel bias is not redundant.
    ``fused`` as for ``build_dcgan_generator`` (batch norm, and ``gan_tf.layers.Dropout``, whose
    masks are the same but fast under XLA). See chapter 4.2.
    """
    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}; expected one of {NORMS}")
    image_shape = _checks.shape(image_shape, "image_shape", rank=3)
    variant = _variant(variant, image_shape)
    x = keras.Input(image_shape, name="image")
    if variant == "book":
        if tuple(image_shape[:2]) != (28, 28):
            raise ValueError(f"the book's DCGAN is for 28x28 images, got {image_shape}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        h = x
        for i, (filters, strides) in enumerate(((32, 2), (64, 2), (128, 2), (256, 1))):
            h = keras.layers.Conv2D(filters, 3, strides=strides, padding="same",
                                    name=f"conv_{i}")(h)
            if i == 1:
                h = keras.layers.ZeroPadding2D(((0, 1), (0, 1)), name="pad")(h)
            if i > 0 and norm:
                h = _norm_layer(norm, f"{norm[0]}n_{i}", 0.8, fused)(h)
            h = keras.layers.LeakyReLU(0.2, name=f"lrelu_{i}")(h)
            if dropout:
                h = (layers.Dropout if fused else keras.layers.Dropout)(
                    dropout, name=f"dropout_{i}")(h)
    else:
        levels = _paper_levels(image_shape)
        _checks.positive_int(base_filters, "base_filters")
        h = x
        for i in range(levels):
            # Batch norm subtracts each channel's mean, so a bias before it is a no-op (beta
            # is the offset). Layer norm over (h, w, c) does not: it subtracts one mean per
            # example, and a per-channel bias survives it (scaled by 1/sigma, so beta cannot
            # stand in for it), as in WGAN-GP's critic. Hence a bias unless batch norm follows.
            batch_norm_follows = i > 0 and norm == "batch"
            h = keras.layers.Conv2D(base_filters * 2**i, kernel_size, strides=2, padding="same",
                                    use_bias=not batch_norm_follows, kernel_initializer=_init(),
                                    name=f"conv_{i}")(h)
            if i > 0 and norm:
                h = _norm_layer(norm, f"{norm[0]}n_{i}", 0.9, fused)(h)
            h = keras.layers.LeakyReLU(0.2, name=f"lrelu_{i}")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    logit = keras.layers.Dense(1, kernel_initializer=_init() if variant == "paper" else "glorot_uniform",
                               dtype="float32", name="logit")(h)
    return keras.Model(x, logit, name=name)
