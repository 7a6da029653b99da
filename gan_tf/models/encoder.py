"""The projection encoder of iGAN: images -> latent codes, trained to invert a generator.

Zhu et al., "Generative Visual Manipulation on the Natural Image Manifold" (arXiv:1609.03552,
section 3.1, "projection via a feedforward network"): a network P with x ~ G(P(x)). The
authors' code gives P the DCGAN discriminator's architecture with ``latent_dim`` outputs and a
tanh (their prior is uniform on [-1, 1]^d). It is trained by ``trainers.ProjectionEncoder``
and used by ``gan_tf.manipulation.project``. See chapter 8.1.
"""

from __future__ import annotations

import keras

from gan_tf.models import _checks
from gan_tf.models.dcgan import build_dcgan_discriminator


def build_projection_encoder(image_shape=(28, 28, 1), latent_dim=100, box=None, variant=None,
                             base_filters=64, norm="batch", fused=True,
                             name="projection_encoder"):
    """images ``(batch, *image_shape)`` in [-1, 1] -> codes ``(batch, latent_dim)``.

    The trunk is ``build_dcgan_discriminator(image_shape, variant, base_filters, norm)`` up to
    its ``"flatten"`` layer (the book's variant at 28x28, with its dropout; the paper's
    otherwise), followed by a linear layer ``"z"`` to ``latent_dim``. With ``box`` = b the
    output is ``b * tanh(.)``, inside the box [-b, b]^d as the authors' encoder is for their
    U(-1, 1) prior (b = 1); with ``box=None`` (for gan_tf's N(0, I) prior) it is linear.
    See chapter 8.1.
    """
    _checks.positive_int(latent_dim, "latent_dim")
    if box is not None and not float(box) > 0:
        raise ValueError(f"box must be a positive half-width or None, got {box!r}")
    trunk = build_dcgan_discriminator(image_shape, variant=variant, base_filters=base_filters,
                                      norm=norm, fused=fused, name=f"{name}_trunk")
    h = trunk.get_layer("flatten").output
    z = keras.layers.Dense(latent_dim, dtype="float32", name="z")(h)
    if box is not None:
        z = keras.layers.Activation("tanh", dtype="float32", name="tanh")(z)
        z = keras.layers.Rescaling(float(box), dtype="float32", name="box")(z)
    return keras.Model(trunk.input, z, name=name)
