"""VAE encoder q(z|x) = N(mean, diag(exp(log_var))) and Bernoulli decoder p(x|z).

Kingma & Welling, arXiv:1312.6114, section 3 and appendix C.2. The decoder returns pixel
logits: with images x in [-1, 1], the likelihood is Bernoulli on (x + 1) / 2 (the book's
binary cross-entropy reconstruction term). The reparameterisation layer is
``gan_tf.layers.Reparameterize``. See chapter 3.1.
"""

from __future__ import annotations

import keras

from gan_tf.models import _checks
from gan_tf.models.autoencoder import (
    build_conv_decoder,
    build_conv_encoder,
    build_dense_decoder,
    build_dense_encoder,
)


def build_vae_encoder(input_shape=(28, 28, 1), latent_dim=2, conv=True, hidden=None,
                      name="vae_encoder"):
    """``x (batch, h, w, c)`` -> ``[mean, log_var]``, each ``(batch, latent_dim)``.

    ``conv=True`` uses stride-2 convolutions (``hidden`` = filters, default (32, 64)), else
    dense layers (``hidden`` = units, default (512,)); either body ends in a 256-unit ReLU
    layer that feeds the two heads.
    """
    _checks.positive_int(latent_dim, "latent_dim")
    if conv:
        body = build_conv_encoder(input_shape, latent_dim=256, filters=hidden or (32, 64),
                                  name=f"{name}_body")
    else:
        body = build_dense_encoder(input_shape, latent_dim=256,
                                   hidden_units=hidden or (512,), name=f"{name}_body")
    x = keras.Input(body.input_shape[1:], name="x")
    h = keras.layers.Activation("relu", name="act_code")(body(x))
    mean = keras.layers.Dense(latent_dim, dtype="float32", name="z_mean")(h)
    log_var = keras.layers.Dense(latent_dim, dtype="float32", name="z_log_var")(h)
    return keras.Model(x, [mean, log_var], name=name)


def build_vae_decoder(latent_dim=2, output_shape=(28, 28, 1), conv=True, hidden=None,
                      name="vae_decoder"):
    """z ``(batch, latent_dim)`` -> pixel logits ``(batch, *output_shape)``."""
    if conv:
        return build_conv_decoder(latent_dim, output_shape, filters=hidden or (64, 32),
                                  output_activation=None, name=name)
    return build_dense_decoder(latent_dim, output_shape, hidden_units=hidden or (256, 512),
                               output_activation=None, name=name)
