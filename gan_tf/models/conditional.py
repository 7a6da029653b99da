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
- ``build_acgan_generator`` / ``build_acgan_discriminator``: AC-GAN's CIFAR-10 networks (Odena,
  Olah & Shlens, arXiv:1610.09585, appendix) for 28x28 images; D sees the image alone and has a
  source head and a class head.

See chapters 6.1 and 6.2.
"""

from __future__ import annotations

import math

import keras

from gan_tf.layers import Dropout, Maxout
from gan_tf.models import _checks
from gan_tf.models.dcgan import _bn, _init, build_dcgan_discriminator, build_dcgan_generator


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


def build_acgan_generator(latent_dim=100, n_classes=10, image_shape=(28, 28, 1),
                          filters=(192, 96), kernel_size=5, fused=True, name="acgan_generator"):
    """``[z, y]`` -> images in [-1, 1]: AC-GAN's generator (Odena, Olah & Shlens,
    arXiv:1610.09585, appendix, the CIFAR-10 table) on ``concat(z, y)`` (the paper's 100 noise
    + 10 one-hot inputs).

    A dense layer (ReLU, no batch norm) projects to a ``side / 2**len(filters)`` square map
    with ``filters[0]`` channels; then 5x5 stride-2 transposed convolutions with
    ``filters[1:]`` (batch norm, ReLU) and a last one to the image's channels (tanh). Weights
    N(0, 0.02), biases 0, as in the paper. ``filters=(384, 192, 96)`` on 32x32x3 is the
    paper's network (Linear 384 at 4x4 -> 192 -> 96 -> 3). The default for 28x28x1 drops its
    first level: 7x7x192 -> 14x14x96 -> 28x28x1, two stride-2 upsamplings, because 28 = 7 x 4
    does not halve down to 4x4; it also keeps the network cheap (about 24M multiply-adds per
    image) for a few minutes of CPU training. ``fused`` as for ``build_dcgan_generator``
    (gan_tf's fused batch norm, same numbers). See chapter 6.2.
    """
    _checks.positive_int(latent_dim, "latent_dim")
    _checks.positive_int(n_classes, "n_classes")
    image_shape = _checks.shape(image_shape, "image_shape", rank=3)
    filters = _checks.units(filters, "filters")
    if not filters:
        raise ValueError("filters must hold at least one width, got ()")
    scale = 2 ** len(filters)
    if image_shape[0] % scale or image_shape[1] % scale:
        raise ValueError(f"{len(filters)} stride-2 upsamplings need an image side divisible by "
                         f"{scale}, got image_shape={image_shape}")
    side = (image_shape[0] // scale, image_shape[1] // scale)
    z = keras.Input((latent_dim,), name="z")
    y = keras.Input((n_classes,), name="y")
    h = keras.layers.Concatenate(name="z_y")([z, y])
    h = keras.layers.Dense(side[0] * side[1] * filters[0], activation="relu",
                           kernel_initializer=_init(), name="project")(h)
    h = keras.layers.Reshape(side + (filters[0],), name="reshape")(h)
    for i, width in enumerate(filters[1:]):
        h = keras.layers.Conv2DTranspose(width, kernel_size, strides=2, padding="same",
                                         use_bias=False, kernel_initializer=_init(),
                                         name=f"deconv_{i}")(h)
        h = keras.layers.ReLU(name=f"relu_{i}")(_bn(f"bn_{i}", fused=fused)(h))
    h = keras.layers.Conv2DTranspose(image_shape[2], kernel_size, strides=2, padding="same",
                                     kernel_initializer=_init(), name="deconv_out")(h)
    out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    return keras.Model([z, y], out, name=name)


def build_acgan_discriminator(image_shape=(28, 28, 1), n_classes=10,
                              filters=(16, 32, 64, 128, 256, 512), dropout=0.5, fused=True,
                              name="acgan_discriminator"):
    """image -> ``[source_logit (batch, 1), class_logits (batch, n_classes)]``: AC-GAN's
    discriminator (arXiv:1610.09585, appendix, the CIFAR-10 table).

    3x3 convolutions with ``filters`` (the paper's 16, 32, 64, 128, 256, 512), strides 2 and 1
    alternating, batch norm on all but the first, LeakyReLU 0.2, dropout 0.5 after each; then
    the paper's last linear layer of 1 + K outputs as two heads, the source logit (its
    sigmoid is P(S = real | X)) and the class logits (their softmax is P(C | X)). Weights
    N(0, 0.02), biases 0. Only the input differs from the paper: 28x28x1 halves to
    14, 7 and 4 (the paper's 32x32x3 to 16, 8, 4), so the flattened 4x4x512 map is the same
    (about 29M multiply-adds per image). ``fused`` as for ``build_dcgan_discriminator``.
    See chapter 6.2.
    """
    image_shape = _checks.shape(image_shape, "image_shape", rank=3)
    _checks.positive_int(n_classes, "n_classes")
    filters = _checks.units(filters, "filters")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    x = keras.Input(image_shape, name="image")
    h = x
    for i, width in enumerate(filters):
        h = keras.layers.Conv2D(width, 3, strides=2 if i % 2 == 0 else 1, padding="same",
                                use_bias=i == 0, kernel_initializer=_init(), name=f"conv_{i}")(h)
        if i > 0:
            h = _bn(f"bn_{i}", fused=fused)(h)
        h = keras.layers.LeakyReLU(0.2, name=f"lrelu_{i}")(h)
        if dropout:
            h = (Dropout if fused else keras.layers.Dropout)(dropout, name=f"dropout_{i}")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    source = keras.layers.Dense(1, kernel_initializer=_init(), dtype="float32",
                                name="source")(h)
    classes = keras.layers.Dense(n_classes, kernel_initializer=_init(), dtype="float32",
                                 name="classes")(h)
    return keras.Model(x, [source, classes], name=name)
