"""The text encoder phi(t) of chapter 7 and the image encoder theta(v) it is trained with.

Reed et al., "Learning Deep Representations of Fine-Grained Visual Descriptions"
(arXiv:1605.05395), section 3: a text encoder phi and an image encoder theta are trained
jointly so that the compatibility F(v, t) = theta(v)^T phi(t) is high for an image and its
description (the loss is ``gan_tf.losses.joint_embedding_loss``, the trainer
``gan_tf.trainers.JointEmbedding``). The text-to-image GANs of chapter 7 (Reed et al.,
arXiv:1605.05396, section 3.1; GAWWN; StackGAN) use phi frozen.

Departure from the paper, on purpose: Reed et al. read *characters* (char-CNN-RNN, section
3.2: temporal convolutions and max-pooling over characters, then a recurrent layer, the
encoding being the average hidden state over time) because bird and flower descriptions are
open text. The scene captions of this book (``gan_tf.data.scenes``) come from a closed grammar
whose vocabulary is a few dozen words, so we read *words*: a word-level CNN-RNN, word embedding
-> 1-D convolutions over words -> GRU -> average hidden state over the words -> dense to
``embed_dim`` (128, the papers' FC-128 projection). Captions are about ten words long, so the
temporal max-pooling of the char-CNN (which shortens a few hundred characters) is left out.
Padding id 0 is masked throughout: padded positions are zeroed before every convolution, the
GRU skips them and the average runs over the real words only, so a caption encodes the same
however long its padding. See chapter 7.1.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from gan_tf import config
from gan_tf.models import _checks

TEXT_ENCODER_NAME = "text_encoder"
IMAGE_ENCODER_NAME = "scene_image_encoder"
EMBED_DIM = 128


def build_text_encoder(vocab_size, max_len=None, embed_dim=EMBED_DIM, word_dim=64,
                       conv_filters=(128,), conv_width=3, gru_units=128,
                       name=TEXT_ENCODER_NAME):
    """Word ids ``(batch, max_len)`` int32, 0 = padding -> phi(t) ``(batch, embed_dim)``.

    Embedding(``vocab_size``, ``word_dim``) -> for each of ``conv_filters``: Conv1D(width
    ``conv_width``, ``padding="same"``, ReLU) -> GRU(``gru_units``, all hidden states) -> mean of
    the hidden states over the real (non-padding) words, as Reed et al. (arXiv:1605.05395,
    section 3.2) average the char-CNN-RNN's hidden units over time -> Dense(``embed_dim``),
    linear. Padded positions are zeroed after the embedding and after each convolution and
    masked in the GRU, so padding never changes the encoding (``max_len=None`` takes any
    length). ``vocab_size`` counts the padding id. See chapter 7.1.
    """
    vocab_size = _checks.positive_int(vocab_size, "vocab_size")
    if vocab_size < 2:
        raise ValueError(f"vocab_size must count the padding id 0 and at least one word "
                         f"(>= 2), got {vocab_size}")
    if max_len is not None:
        max_len = _checks.positive_int(max_len, "max_len")
    for value, what in ((embed_dim, "embed_dim"), (word_dim, "word_dim"),
                        (conv_width, "conv_width"), (gru_units, "gru_units")):
        _checks.positive_int(value, what)
    conv_filters = _checks.units(conv_filters, "conv_filters")
    tokens = keras.Input((max_len,), dtype="int32", name="tokens")
    mask = ops.not_equal(tokens, 0)
    weight = ops.expand_dims(ops.cast(mask, "float32"), -1)          # (b, L, 1): 1 = a word
    h = keras.layers.Embedding(vocab_size, word_dim, name="word_embedding")(tokens) * weight
    for i, filters in enumerate(conv_filters):
        h = keras.layers.Conv1D(filters, conv_width, padding="same", activation="relu",
                                name=f"conv_{i}")(h) * weight
    h = keras.layers.GRU(gru_units, return_sequences=True, name="gru")(h, mask=mask)
    mean = ops.sum(h * weight, axis=1) / ops.maximum(ops.sum(weight, axis=1), 1.0)
    out = keras.layers.Dense(embed_dim, dtype="float32", name="embedding")(mean)
    return keras.Model(tokens, out, name=name)


def build_scene_image_encoder(image_size=32, embed_dim=EMBED_DIM, filters=(32, 64, 128),
                              channels=3, name=IMAGE_ENCODER_NAME):
    """Images ``(batch, image_size, image_size, channels)`` in [-1, 1] -> theta(v)
    ``(batch, embed_dim)``.

    ``len(filters)`` 4x4 convolutions of stride 2 (LeakyReLU 0.2, ``padding="same"``), so a
    32x32 scene becomes 4x4x128 with the default three, then Flatten -> Dense(``embed_dim``),
    linear. No global pooling: where the item stands (the scenes' position attribute) must
    survive into the embedding. Reed et al. (arXiv:1605.05395, section 4) project fixed
    GoogLeNet features linearly; these scenes are small enough to learn theta from scratch.
    See chapter 7.1.
    """
    image_size = _checks.positive_int(image_size, "image_size")
    _checks.positive_int(embed_dim, "embed_dim")
    _checks.positive_int(channels, "channels")
    filters = _checks.units(filters, "filters")
    if not filters:
        raise ValueError("filters must name at least one convolution, got ()")
    x = keras.Input((image_size, image_size, channels), name="image")
    h = x
    for i, f in enumerate(filters):
        h = keras.layers.Conv2D(f, 4, strides=2, padding="same", name=f"conv_{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"lrelu_{i}")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    out = keras.layers.Dense(embed_dim, dtype="float32", name="embedding")(h)
    return keras.Model(x, out, name=name)
