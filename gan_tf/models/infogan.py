"""InfoGAN's MNIST networks: Chen et al. 2016 (arXiv:1606.03657), appendix C.1, table 1.

- ``build_infogan_generator``: input ``concat(z, onehot(c1), c_cont)`` (62 + 10 + 2 = 74 for
  MNIST) -> FC 1024 BN ReLU -> FC 7x7x128 BN ReLU -> 4x4 up-convolution 64 stride 2 BN ReLU
  -> 4x4 up-convolution to the channels, stride 2. Our output is tanh (images in [-1, 1]) where
  the official code (github.com/openai/InfoGAN) read a Bernoulli mean (sigmoid) for [0, 1]
  pixels.
- ``build_infogan_discriminator``: D and the recognition network Q in ONE model on one shared
  trunk, 4x4 conv 64 stride 2 lReLU -> 4x4 conv 128 stride 2 BN lReLU -> FC 1024 BN lReLU;
  D's head is FC 1 (a logit), Q's head FC 128 BN lReLU -> FC outputs. One forward pass gives
  ``[logit (batch, 1), code_logits (batch, K), code_mean (batch, C)]``, plus
  ``code_log_std (batch, C)`` with ``learn_std=True`` (without continuous codes, ``C = 0``,
  only the first two). Q's continuous head is a factored Gaussian; the official MNIST run fixes
  its std to 1 (``Uniform(1, fix_std=True)``), our default (``learn_std=False``).

Leaky ReLU slope 0.1 as appendix C says (the official code's ``leaky_rectify`` defaults to
0.01); weights N(0, 0.02), batch norm with moving-average decay 0.9, epsilon 1e-5 and
gamma ~ N(1, 0.02), "SAME" padding, as in the official ``custom_ops``. See chapter 6.3.
"""

from __future__ import annotations

import keras

from gan_tf.models import _checks
from gan_tf.models.dcgan import _bn, _init


def _codes(n_categories, n_continuous):
    _checks.positive_int(n_categories, "n_categories")
    if n_categories < 2:
        raise ValueError(f"n_categories must be at least 2 (a categorical code), got "
                         f"{n_categories}")
    if isinstance(n_continuous, bool) or not isinstance(n_continuous, int) or n_continuous < 0:
        raise ValueError(f"n_continuous must be an int >= 0, got {n_continuous!r}")
    return int(n_categories), int(n_continuous)


def build_infogan_generator(noise_dim=62, n_categories=10, n_continuous=2,
                            image_shape=(28, 28, 1), name="infogan_generator"):
    """``concat(z, onehot(c1), c_cont)`` ``(batch, noise_dim + n_categories + n_continuous)``
    -> images ``(batch, *image_shape)`` in [-1, 1]; arXiv:1606.03657 table 1 (MNIST), for any
    image side divisible by 4. See chapter 6.3."""
    _checks.positive_int(noise_dim, "noise_dim")
    n_categories, n_continuous = _codes(n_categories, n_continuous)
    image_shape = _checks.shape(image_shape, "image_shape", rank=3)
    height, width, channels = image_shape
    if height % 4 or width % 4:
        raise ValueError(f"image_shape needs a height and width divisible by 4 (two stride-2 "
                         f"up-convolutions), got {image_shape}")
    latent = keras.Input((noise_dim + n_categories + n_continuous,), name="z_c")
    h = keras.layers.Dense(1024, use_bias=False, kernel_initializer=_init(), name="fc_1024")(
        latent)
    h = keras.layers.ReLU(name="relu_1")(_bn("bn_1")(h))
    h = keras.layers.Dense(height // 4 * width // 4 * 128, use_bias=False,
                           kernel_initializer=_init(), name="fc_map")(h)
    h = keras.layers.ReLU(name="relu_2")(_bn("bn_2")(h))
    h = keras.layers.Reshape((height // 4, width // 4, 128), name="map")(h)
    h = keras.layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False,
                                     kernel_initializer=_init(), name="upconv_64")(h)
    h = keras.layers.ReLU(name="relu_3")(_bn("bn_3")(h))
    h = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same",
                                     kernel_initializer=_init(), name="upconv_out")(h)
    out = keras.layers.Activation("tanh", dtype="float32", name="tanh")(h)
    return keras.Model(latent, out, name=name)


def build_infogan_discriminator(image_shape=(28, 28, 1), n_categories=10, n_continuous=2,
                                learn_std=False, leaky_slope=0.1,
                                name="infogan_discriminator"):
    """Images -> ``[logit, code_logits, code_mean(, code_log_std)]`` from one shared trunk:
    D's head and the recognition network Q (arXiv:1606.03657 table 1, section 6: "Q shares
    all convolutional layers with D"). ``learn_std=False`` (the official MNIST setting) fixes
    Q's Gaussian std to 1 and leaves out the ``code_log_std`` output. See chapter 6.3."""
    image_shape = _checks.shape(image_shape, "image_shape", rank=3)
    n_categories, n_continuous = _codes(n_categories, n_continuous)

    def lrelu(h, label):
        return keras.layers.LeakyReLU(negative_slope=leaky_slope, name=f"lrelu_{label}")(h)

    x = keras.Input(image_shape, name="x")
    h = keras.layers.Conv2D(64, 4, strides=2, padding="same", kernel_initializer=_init(),
                            name="conv_64")(x)
    h = lrelu(h, 1)
    h = keras.layers.Conv2D(128, 4, strides=2, padding="same", use_bias=False,
                            kernel_initializer=_init(), name="conv_128")(h)
    h = lrelu(_bn("bn_2")(h), 2)
    h = keras.layers.Flatten(name="flatten")(h)
    h = keras.layers.Dense(1024, use_bias=False, kernel_initializer=_init(), name="fc_1024")(h)
    trunk = lrelu(_bn("bn_3")(h), 3)
    logit = keras.layers.Dense(1, kernel_initializer=_init(), dtype="float32",
                               name="logit")(trunk)
    q = keras.layers.Dense(128, use_bias=False, kernel_initializer=_init(), name="q_fc_128")(
        trunk)
    q = lrelu(_bn("q_bn")(q), "q")
    outputs = [logit, keras.layers.Dense(n_categories, kernel_initializer=_init(),
                                         dtype="float32", name="code_logits")(q)]
    if n_continuous:
        outputs.append(keras.layers.Dense(n_continuous, kernel_initializer=_init(),
                                          dtype="float32", name="code_mean")(q))
        if learn_std:
            outputs.append(keras.layers.Dense(n_continuous, kernel_initializer=_init(),
                                              dtype="float32", name="code_log_std")(q))
    return keras.Model(x, outputs, name=name)
