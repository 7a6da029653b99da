"""Class-conditional networks: the label y (one-hot, ``(batch, n_classes)``) is a second input.

- ``build_cgan_mlp_generator`` / ``build_cgan_mlp_discriminator``: the MNIST networks of Mirza &
  Osindero 2014 (arXiv:1411.1784, section 4.1). G: z -> 200 ReLU and y -> 1000 ReLU, joined
  into 1200 ReLU, then 784 outputs; D: x -> maxout 240 units x 5 pieces and y -> maxout 50 x 5,
  joined into maxout 240 x 4 pieces, then one logit; dropout 0.5 on D's hidden layers. Our
  output is tanh for images in [-1, 1] where the paper's sigmoid made [0, 1] pixels, and D
  returns the logit (the losses apply the sigmoid).
- ``build_conditional_dcgan_generator`` / ``..._discriminator``: the book's DCGAN (chapter 4)
  conditioned as the cGAN paper prescribes, by concatenation: G sees ``concat(z, y)``; D sees
  the image with y appended as ``n_classes`` constant planes (each pixel carries the one-hot
  row), the usual way to feed a vector to a convolutional network.

See chapter 6.1.
"""

from __future__ import annotations

import math

import keras

from gan_tf.layers import Dropout, Maxout
from gan_tf.models import _checks
from gan_tf.models.dcgan import build_dcgan_discriminator, build_dcgan_generator


def label_planes(y, height, width, name):
    """One-hot rows ``(batch, K)`` -> ``(batch, height, width, K)`` constant planes."""
    k = y.shape[-1]
    h = keras.layers.Reshape((1, 1, k), name=f"{name}_reshape")(y)
    return keras.layers.UpSampling2D((height, width), name=f"{name}_tile")(h)


def build_cgan_mlp_generator(latent_dim=100, n_classes=10, output_shape=(28, 28, 1),
                             name="cgan_mlp_generator"):
    """``[z (batch, latent_dim), y (batch, n_classes)]`` -> images in [-1, 1]; arXiv:1411.1784
    section 4.1 (200 + 1000 -> 1200 ReLU units). See chapter 6.1."""
    _checks.positive_int(latent_dim, "latent_dim")
    _checks.positive_int(n_classes, "n_classes")
    output_shape = _checks.shape(output_shape, "output_shape")
    z = keras.Input((latent_dim,), name="z")
    y = keras.Input((n_classes,), name="y")
    hz = keras.layers.Dense(200, activation="relu", name="z_dense")(z)
    hy = keras.layers.Dense(1000, activation="relu", name="y_dense")(y)
    h = keras.layers.Concatenate(name="join")([hz, hy])
    h = keras.layers.Dense(1200, activation="relu", name="joint_dense")(h)
    h = keras.layers.Dense(math.prod(output_shape), name="out")(h)
    h = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    out = keras.layers.Reshape(output_shape, name="image")(h)
    return keras.Model([z, y], out, name=name)


def build_cgan_mlp_discriminator(input_shape=(28, 28, 1), n_classes=10, dropout=0.5,
                                 name="cgan_mlp_discriminator"):
    """``[x (batch, *input_shape), y (batch, n_classes)]`` -> one logit; arXiv:1411.1784
    section 4.1 (maxout 240x5 and 50x5, joint maxout 240x4, dropout). See chapter 6.1."""
    input_shape = _checks.shape(input_shape, "input_shape")
    _checks.positive_int(n_classes, "n_classes")
    x = keras.Input(input_shape, name="x")
    y = keras.Input((n_classes,), name="y")
    hx = Maxout(240, 5, name="x_maxout")(keras.layers.Flatten(name="flatten")(x))
    hx = Dropout(dropout, name="x_dropout")(hx)
    hy = Dropout(dropout, name="y_dropout")(Maxout(50, 5, name="y_maxout")(y))
    h = keras.layers.Concatenate(name="join")([hx, hy])
    h = Dropout(dropout, name="joint_dropout")(Maxout(240, 4, name="joint_maxout")(h))
    out = keras.layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model([x, y], out, name=name)


def build_conditional_dcgan_generator(latent_dim=100, n_classes=10, image_shape=(28, 28, 1),
                                      name="conditional_dcgan_generator", **dcgan_kwargs):
    """``[z, y]`` -> images: the DCGAN generator (``build_dcgan_generator``, its keyword
    arguments) applied to ``concat(z, y)``. See chapter 6.1."""
    _checks.positive_int(latent_dim, "latent_dim")
    _checks.positive_int(n_classes, "n_classes")
    z = keras.Input((latent_dim,), name="z")
    y = keras.Input((n_classes,), name="y")
    body = build_dcgan_generator(latent_dim + n_classes, image_shape, name=f"{name}_body",
                                 **dcgan_kwargs)
    out = body(keras.layers.Concatenate(name="z_y")([z, y]))
    return keras.Model([z, y], out, name=name)


def build_conditional_dcgan_discriminator(image_shape=(28, 28, 1), n_classes=10,
                                          name="conditional_dcgan_discriminator",
                                          **dcgan_kwargs):
    """``[x, y]`` -> one logit: the DCGAN discriminator (``build_dcgan_discriminator``, its
    keyword arguments) on the image with y appended as ``n_classes`` constant planes.
    See chapter 6.1."""
    image_shape = _checks.shape(image_shape, "image_shape", rank=3)
    _checks.positive_int(n_classes, "n_classes")
    x = keras.Input(image_shape, name="x")
    y = keras.Input((n_classes,), name="y")
    h = keras.layers.Concatenate(name="x_y")(
        [x, label_planes(y, image_shape[0], image_shape[1], "y")])
    body = build_dcgan_discriminator(image_shape[:2] + (image_shape[2] + n_classes,),
                                     name=f"{name}_body", **dcgan_kwargs)
    return keras.Model([x, y], body(h), name=name)
