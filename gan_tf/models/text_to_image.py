"""Text-conditional DCGAN networks and the style encoder.

Reed, Akata, Yan, Logeswaran, Schiele & Lee 2016 (arXiv:1605.05396), section 3.1 and fig. 2:

- ``build_text_dcgan_generator``: the text embedding phi(t) ``(batch, text_dim)`` goes through a
  fully connected layer to ``proj_dim`` (128 in the paper) with leaky ReLU, is concatenated to
  z ``(batch, latent_dim)`` (100 in the paper, N(0, 1)), and the DCGAN generator
  (``build_dcgan_generator``, the paper's variant: project to 4x4, stride-2 transposed
  convolutions with batch norm and ReLU, tanh) makes an ``image_size`` square RGB image.
- ``build_text_dcgan_discriminator``: stride-2 convolutions (batch norm on all but the first,
  leaky ReLU 0.2) reduce the image to 4x4; phi(t) goes through its own fully connected layer to
  ``proj_dim`` (leaky ReLU), is replicated over the 4x4 grid and depth-concatenated; a 1x1
  convolution (batch norm, leaky ReLU) and a 4x4 convolution give one logit (no sigmoid: the
  losses apply it). "Batch normalization is performed on all convolutional layers" (section
  3.1); the paper's code (reedscot/icml2016) also batch-normalises D's text projection, the
  paper does not, nor do we.
- ``build_style_encoder``: the style encoder S of section 4.4, a convolutional network that
  regresses from an image back onto the z that made it (the discriminator's image pathway,
  then a linear layer to ``latent_dim``).

Weights N(0, 0.02) as in DCGAN and the paper's code. See chapters 7.1 and 7.2.
"""

from __future__ import annotations

import keras

from gan_tf.models import _checks
from gan_tf.models.dcgan import _bn, _init, _paper_levels, build_dcgan_generator


def _image_size(image_size):
    image_size = _checks.positive_int(image_size, "image_size")
    return image_size, _paper_levels((image_size, image_size, 3))


def _text_projection(text, proj_dim, name):
    h = keras.layers.Dense(proj_dim, kernel_initializer=_init(), name=f"{name}_dense")(text)
    return keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu")(h)


def _down_to_4x4(x, levels, base_filters, kernel_size, fused, prefix=""):
    """Stride-2 convolutions ``base_filters * 2**i`` (batch norm after all but the first, leaky
    ReLU 0.2) from ``4 * 2**levels`` down to 4x4."""
    h = x
    for i in range(levels):
        h = keras.layers.Conv2D(base_filters * 2 ** i, kernel_size, strides=2, padding="same",
                                use_bias=i == 0, kernel_initializer=_init(),
                                name=f"{prefix}conv_{i}")(h)
        if i > 0:
            h = _bn(f"{prefix}bn_{i}", fused=fused)(h)
        h = keras.layers.LeakyReLU(0.2, name=f"{prefix}lrelu_{i}")(h)
    return h


def build_text_dcgan_generator(latent_dim=100, text_dim=128, image_size=64, proj_dim=128,
                               channels=3, base_filters=128, kernel_size=4, fused=True,
                               name="text_dcgan_generator"):
    """``[z (batch, latent_dim), text (batch, text_dim)]`` -> images ``(batch, image_size,
    image_size, channels)`` in [-1, 1] (arXiv:1605.05396, section 3.1).

    ``image_size`` is a power of two >= 8 (the paper's 64; 32 for the chapter's scenes).
    ``base_filters`` sets the widths as in ``build_dcgan_generator`` (128: 1024 channels at
    4x4 for 64x64, as the paper's ngf = 128); ``kernel_size`` 4 as the paper's code.
    See chapter 7.1.
    """
    _checks.positive_int(latent_dim, "latent_dim")
    _checks.positive_int(text_dim, "text_dim")
    _checks.positive_int(proj_dim, "proj_dim")
    _checks.positive_int(channels, "channels")
    image_size, _ = _image_size(image_size)
    z = keras.Input((latent_dim,), name="z")
    text = keras.Input((text_dim,), name="text")
    h = keras.layers.Concatenate(name="z_text")([z, _text_projection(text, proj_dim, "text")])
    body = build_dcgan_generator(latent_dim + proj_dim, (image_size, image_size, channels),
                                 variant="paper", base_filters=base_filters,
                                 kernel_size=kernel_size, fused=fused, name=f"{name}_body")
    return keras.Model([z, text], body(h), name=name)


def build_text_dcgan_discriminator(image_size=64, text_dim=128, proj_dim=128, channels=3,
                                   base_filters=64, kernel_size=4, fused=True,
                                   name="text_dcgan_discriminator"):
    """``[image (batch, image_size, image_size, channels), text (batch, text_dim)]`` -> one
    logit ``(batch, 1)`` (arXiv:1605.05396, section 3.1): the image down to 4x4 with
    ``base_filters * 2**i`` channels (the paper's ndf = 64: 512 at 4x4 for 64x64), the text
    projection replicated 4x4 and depth-concatenated, a 1x1 convolution (as wide as the 4x4
    image map; batch norm, leaky ReLU), a 4x4 valid convolution to the logit.
    See chapter 7.1.
    """
    _checks.positive_int(text_dim, "text_dim")
    _checks.positive_int(proj_dim, "proj_dim")
    _checks.positive_int(channels, "channels")
    _checks.positive_int(base_filters, "base_filters")
    image_size, levels = _image_size(image_size)
    x = keras.Input((image_size, image_size, channels), name="image")
    text = keras.Input((text_dim,), name="text")
    h = _down_to_4x4(x, levels, base_filters, kernel_size, fused)
    width = base_filters * 2 ** (levels - 1)
    t = _text_projection(text, proj_dim, "text")
    t = keras.layers.Reshape((1, 1, proj_dim), name="text_reshape")(t)
    t = keras.layers.UpSampling2D((4, 4), name="text_tile")(t)        # replicated 4x4
    h = keras.layers.Concatenate(name="image_text")([h, t])
    h = keras.layers.Conv2D(width, 1, use_bias=False, kernel_initializer=_init(),
                            name="joint_conv")(h)
    h = keras.layers.LeakyReLU(0.2, name="joint_lrelu")(_bn("joint_bn", fused=fused)(h))
    h = keras.layers.Conv2D(1, 4, padding="valid", kernel_initializer=_init(), dtype="float32",
                            name="score_conv")(h)
    logit = keras.layers.Reshape((1,), dtype="float32", name="logit")(h)
    return keras.Model([x, text], logit, name=name)


def build_style_encoder(image_size=64, latent_dim=100, channels=3, base_filters=64,
                        kernel_size=4, fused=True, name="style_encoder"):
    """images ``(batch, image_size, image_size, channels)`` -> z ``(batch, latent_dim)``: the
    style encoder S of arXiv:1605.05396, section 4.4, trained to invert a frozen generator
    (``trainers.StyleEncoder``): the text discriminator's image pathway down to 4x4, then a
    linear layer to ``latent_dim``. See chapter 7.2.
    """
    _checks.positive_int(latent_dim, "latent_dim")
    _checks.positive_int(channels, "channels")
    _checks.positive_int(base_filters, "base_filters")
    image_size, levels = _image_size(image_size)
    x = keras.Input((image_size, image_size, channels), name="image")
    h = _down_to_4x4(x, levels, base_filters, kernel_size, fused)
    h = keras.layers.Flatten(name="flatten")(h)
    z = keras.layers.Dense(latent_dim, kernel_initializer=_init(), dtype="float32",
                           name="z")(h)
    return keras.Model(x, z, name=name)
