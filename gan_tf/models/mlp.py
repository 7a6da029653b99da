"""Fully connected generator and discriminator (the vanilla GAN of Goodfellow et al. 2014,
arXiv:1406.2661, section 5: MLPs for both players). See chapters 3.4 and 4.1.
"""

from __future__ import annotations

import math

import keras

from gan_tf.layers import Maxout
from gan_tf.models import _checks


def build_mlp_generator(latent_dim=100, output_shape=(28, 28, 1), hidden_units=(128,),
                        activation="relu", output_activation="tanh", batch_norm=False,
                        name="mlp_generator"):
    """z ``(batch, latent_dim)`` -> sample ``(batch, *output_shape)``.

    Hidden dense layers of ``hidden_units`` with ``activation``; the output is
    ``output_activation`` (``"tanh"`` for images in [-1, 1], ``None`` for real values such as
    the 1-D GAN of chapter 3.4). The defaults give the book's baseline, a 100-128-784 MLP
    (z of 100 values, one hidden layer of 128, a 28x28 image; chapter 4.1).
    """
    _checks.positive_int(latent_dim, "latent_dim")
    output_shape = _checks.shape(output_shape, "output_shape")
    hidden_units = _checks.units(hidden_units, "hidden_units")
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, units in enumerate(hidden_units):
        h = keras.layers.Dense(units, name=f"dense_{i}")(h)
        if batch_norm:
            h = keras.layers.BatchNormalization(name=f"bn_{i}")(h)
        h = keras.layers.Activation(activation, name=f"act_{i}")(h)
    h = keras.layers.Dense(math.prod(output_shape), name="out")(h)
    if output_activation is not None:
        h = keras.layers.Activation(output_activation, dtype="float32", name="out_act")(h)
    else:
        h = keras.layers.Activation("linear", dtype="float32", name="out_act")(h)
    if len(output_shape) > 1:
        h = keras.layers.Reshape(output_shape, name="reshape")(h)
    return keras.Model(z, h, name=name)


def build_mlp_discriminator(input_shape=(28, 28, 1), hidden_units=(128,),
                            activation="leaky_relu", dropout=0.0, maxout_pieces=5,
                            layer_norm=False, name="mlp_discriminator"):
    """sample ``(batch, *input_shape)`` -> one logit ``(batch, 1)`` (no sigmoid).

    ``activation="leaky_relu"`` uses slope 0.2 (DCGAN's choice, arXiv:1511.06434);
    ``activation="maxout"`` makes each hidden layer ``gan_tf.layers.Maxout`` with
    ``maxout_pieces`` pieces (the critic of the 2-D mode-collapse benchmarks, chapter 5.6).
    ``layer_norm=True`` normalises each hidden layer per example (usable with WGAN-GP).
    """
    input_shape = _checks.shape(input_shape, "input_shape")
    hidden_units = _checks.units(hidden_units, "hidden_units")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    x = keras.Input(input_shape, name="x")
    h = keras.layers.Flatten(name="flatten")(x) if len(input_shape) > 1 else x
    for i, units in enumerate(hidden_units):
        if activation == "maxout":
            h = Maxout(units, maxout_pieces, name=f"maxout_{i}")(h)
            if layer_norm:
                h = keras.layers.LayerNormalization(name=f"ln_{i}")(h)
            if dropout:
                h = keras.layers.Dropout(dropout, name=f"dropout_{i}")(h)
            continue
        h = keras.layers.Dense(units, name=f"dense_{i}")(h)
        if layer_norm:
            h = keras.layers.LayerNormalization(name=f"ln_{i}")(h)
        if activation == "leaky_relu":
            h = keras.layers.LeakyReLU(0.2, name=f"act_{i}")(h)
        else:
            h = keras.layers.Activation(activation, name=f"act_{i}")(h)
        if dropout:
            h = keras.layers.Dropout(dropout, name=f"dropout_{i}")(h)
    logit = keras.layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model(x, logit, name=name)
