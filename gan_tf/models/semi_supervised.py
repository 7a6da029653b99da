"""The discriminator/classifier of the semi-supervised GAN, and its supervised baseline.

``build_sgan_discriminator``: a small CNN for 28x28 (or 8x8) grey images with dropout, whose
last hidden layer, named ``"features"``, is the intermediate layer f of feature matching
(Salimans et al., arXiv:1606.03498, section 3.1; their code matches the activations feeding the
output layer). Its output layer has K + 1 logits for Odena's D/C (arXiv:1606.01583, section 2),
K logits for Salimans et al.'s parametrisation with a fixed 0 logit for "fake" (section 5), or
K logits as the plain classifier the semi-supervised GAN is compared with. The generator is the
book's DCGAN generator (``build_dcgan_generator``). See chapter 6.2.
"""

from __future__ import annotations

import keras

from gan_tf.layers import Dropout
from gan_tf.models import _checks

FEATURES_LAYER = "features"


def build_sgan_discriminator(image_shape=(28, 28, 1), n_classes=10, outputs=None,
                             filters=(32, 64, 128), feature_units=128, dropout=0.5,
                             input_dropout=0.2, name="sgan_discriminator"):
    """image in [-1, 1] -> ``outputs`` logits (default ``n_classes + 1``, the last for "fake").

    Dropout ``input_dropout`` on the image, then 3x3 stride-2 convolutions with ``filters``
    (LeakyReLU 0.2, dropout ``dropout`` after each), flatten, a dense layer of
    ``feature_units`` LeakyReLU units named ``"features"`` (the feature-matching layer),
    dropout, and the output layer (no softmax). Dropout 0.2 on the input and 0.5 inside are the
    settings of Salimans et al.'s released CIFAR-10 discriminator (arXiv:1606.03498,
    section 5). No batch norm: a batch's unlabelled and labelled images go through in one pass, and
    without batch statistics that equals two separate passes. ``outputs=n_classes`` gives
    Salimans et al.'s K logits, or the supervised baseline classifier trained on the labelled
    examples alone. See chapter 6.2.
    """
    image_shape = _checks.shape(image_shape, "image_shape", rank=3)
    n_classes = _checks.positive_int(n_classes, "n_classes")
    outputs = n_classes + 1 if outputs is None else _checks.positive_int(outputs, "outputs")
    if outputs not in (n_classes, n_classes + 1):
        raise ValueError(f"outputs must be n_classes ({n_classes}) or n_classes + 1 "
                         f"({n_classes + 1}), got {outputs}")
    filters = _checks.units(filters, "filters")
    _checks.positive_int(feature_units, "feature_units")
    for rate, what in ((dropout, "dropout"), (input_dropout, "input_dropout")):
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"{what} must be in [0, 1), got {rate}")
    x = keras.Input(image_shape, name="image")
    h = Dropout(input_dropout, name="input_dropout")(x) if input_dropout else x
    for i, width in enumerate(filters):
        h = keras.layers.Conv2D(width, 3, strides=2, padding="same", name=f"conv_{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"lrelu_{i}")(h)
        if dropout:
            h = Dropout(dropout, name=f"dropout_{i}")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    h = keras.layers.Dense(feature_units, name="dense")(h)
    h = keras.layers.LeakyReLU(0.2, name=FEATURES_LAYER)(h)
    if dropout:
        h = Dropout(dropout, name="features_dropout")(h)
    logits = keras.layers.Dense(outputs, dtype="float32", name="logits")(h)
    return keras.Model(x, logits, name=name)
