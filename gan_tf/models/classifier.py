"""A small CNN classifier whose penultimate layer embeds images for the evaluation metrics.

FID (Heusel et al., arXiv:1706.08500) and KID (Binkowski et al., arXiv:1801.01401) were
defined on Inception-v3 features of ImageNet photos; for 28x28 grey images a classifier
trained on the domain itself gives more meaningful features and works offline (the "domain
specific" extractor that Binkowski et al., section 5, and many MNIST GAN papers use). The
128-unit ``"features"`` layer is that embedding; the logits feed the Inception Score
(Salimans et al., arXiv:1606.03498) and the class-coverage check. See chapter 5.5.
"""

from __future__ import annotations

import keras

from gan_tf.models import _checks

FEATURES_LAYER = "features"


def build_classifier(input_shape=(28, 28, 1), num_classes=10, dropout=0.3, name="classifier"):
    """image ``(batch, *input_shape)`` in [-1, 1] -> class logits ``(batch, num_classes)``.

    Conv 32 3x3 -> Conv 64 3x3 stride 2 -> Conv 128 3x3 stride 2 -> MaxPool 2 (all ReLU,
    ``padding="same"``, so 28x28 becomes 4x4 and 8x8 digits become 1x1) -> Flatten ->
    Dense 128 ReLU named ``"features"`` (the metrics' embedding) -> Dropout -> Dense logits
    (no softmax). See chapter 5.5.
    """
    input_shape = _checks.shape(input_shape, "input_shape", rank=3)
    _checks.positive_int(num_classes, "num_classes")
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    x = keras.Input(input_shape, name="image")
    h = keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv_0")(x)
    h = keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu",
                            name="conv_1")(h)
    h = keras.layers.Conv2D(128, 3, strides=2, padding="same", activation="relu",
                            name="conv_2")(h)
    h = keras.layers.MaxPooling2D(2, padding="same", name="pool")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    h = keras.layers.Dense(128, activation="relu", name=FEATURES_LAYER)(h)
    h = keras.layers.Dropout(dropout, name="dropout")(h)
    logits = keras.layers.Dense(num_classes, dtype="float32", name="logits")(h)
    return keras.Model(x, logits, name=name)
