"""Dense and convolutional autoencoders (encoder ``x -> code``, decoder ``code -> x``).

The book's chapter 3.1 autoencoder: images are squeezed through a small code and
reconstructed; decoding *random* codes gives junk because nothing shapes the code space
(fig. 3-4), which is what the VAE fixes. See chapter 3.1.
"""

from __future__ import annotations

import math

import keras

from gan_tf.models import _checks


def _act(h, activation, name):
    if activation == "leaky_relu":
        return keras.layers.LeakyReLU(0.2, name=name)(h)
    return keras.layers.Activation(activation, name=name)(h)


def _output(h, output_activation):
    return keras.layers.Activation(output_activation or "linear", dtype="float32",
                                   name="out_act")(h)


def build_dense_encoder(input_shape=(28, 28, 1), latent_dim=32, hidden_units=(512, 256),
                        activation="relu", name="dense_encoder"):
    """``(batch, *input_shape)`` -> code ``(batch, latent_dim)`` through dense layers."""
    input_shape = _checks.shape(input_shape, "input_shape")
    _checks.positive_int(latent_dim, "latent_dim")
    x = keras.Input(input_shape, name="x")
    h = keras.layers.Flatten(name="flatten")(x)
    for i, units in enumerate(_checks.units(hidden_units, "hidden_units")):
        h = _act(keras.layers.Dense(units, name=f"dense_{i}")(h), activation, f"act_{i}")
    code = keras.layers.Dense(latent_dim, name="code")(h)
    return keras.Model(x, code, name=name)


def build_dense_decoder(latent_dim=32, output_shape=(28, 28, 1), hidden_units=(256, 512),
                        activation="relu", output_activation="tanh", name="dense_decoder"):
    """code ``(batch, latent_dim)`` -> ``(batch, *output_shape)``; ``output_activation=None``
    returns logits (the VAE's Bernoulli decoder)."""
    _checks.positive_int(latent_dim, "latent_dim")
    output_shape = _checks.shape(output_shape, "output_shape")
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, units in enumerate(_checks.units(hidden_units, "hidden_units")):
        h = _act(keras.layers.Dense(units, name=f"dense_{i}")(h), activation, f"act_{i}")
    h = keras.layers.Dense(math.prod(output_shape), name="out")(h)
    h = keras.layers.Reshape(output_shape, name="reshape")(_output(h, output_activation))
    return keras.Model(z, h, name=name)


def build_conv_encoder(input_shape=(28, 28, 1), latent_dim=32, filters=(32, 64),
                       activation="relu", name="conv_encoder"):
    """``(batch, h, w, c)`` -> ``(batch, latent_dim)``: stride-2 3x3 convolutions, then dense."""
    input_shape = _checks.shape(input_shape, "input_shape", rank=3)
    _checks.positive_int(latent_dim, "latent_dim")
    x = keras.Input(input_shape, name="x")
    h = x
    for i, f in enumerate(_checks.units(filters, "filters")):
        h = keras.layers.Conv2D(f, 3, strides=2, padding="same", name=f"conv_{i}")(h)
        h = _act(h, activation, f"act_{i}")
    h = keras.layers.Flatten(name="flatten")(h)
    code = keras.layers.Dense(latent_dim, name="code")(h)
    return keras.Model(x, code, name=name)


def build_conv_decoder(latent_dim=32, output_shape=(28, 28, 1), filters=(64, 32),
                       activation="relu", output_activation="tanh", name="conv_decoder"):
    """code -> image: dense to a (h/2^k, w/2^k, filters[0]) map, stride-2 transposed
    convolutions, a 3x3 output convolution. ``h`` and ``w`` must be divisible by 2^k."""
    _checks.positive_int(latent_dim, "latent_dim")
    height, width, channels = _checks.shape(output_shape, "output_shape", rank=3)
    filters = _checks.units(filters, "filters")
    scale = 2 ** len(filters)
    if height % scale or width % scale:
        raise ValueError(
            f"output_shape {output_shape} must have height and width divisible by {scale} "
            f"for {len(filters)} upsampling layers"
        )
    z = keras.Input((latent_dim,), name="z")
    h = keras.layers.Dense((height // scale) * (width // scale) * filters[0], name="project")(z)
    h = _act(h, activation, "act_project")
    h = keras.layers.Reshape((height // scale, width // scale, filters[0]), name="reshape")(h)
    for i, f in enumerate(filters):
        h = keras.layers.Conv2DTranspose(f, 3, strides=2, padding="same", name=f"deconv_{i}")(h)
        h = _act(h, activation, f"act_{i}")
    h = keras.layers.Conv2D(channels, 3, padding="same", name="out")(h)
    return keras.Model(z, _output(h, output_activation), name=name)


def build_autoencoder(encoder, decoder, name="autoencoder"):
    """Chain ``encoder`` and ``decoder`` into one model ``x -> decoder(encoder(x))``."""
    if encoder.output_shape[-1] != decoder.input_shape[-1]:
        raise ValueError(
            f"encoder code size {encoder.output_shape[-1]} does not match decoder input "
            f"size {decoder.input_shape[-1]}"
        )
    x = keras.Input(encoder.input_shape[1:], name="x")
    return keras.Model(x, decoder(encoder(x)), name=name)
