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
whose vocabulary is 90 words, so we read *words* (the same paper evaluates word-level
encoders beside the character-level ones): a word-level CNN-RNN, word embedding
-> 1-D convolutions over words -> GRU -> average hidden state over the words -> dense to
``embed_dim`` (128, the papers' FC-128 projection). Captions are about ten words long, so the
temporal max-pooling of the char-CNN (which shortens a few hundred characters) is left out.
Padding id 0 is masked throughout: padded positions are zeroed before every convolution (a
convolution at the last word then sees zeros, as at the end of an unpadded caption), the GRU
skips them and the average runs over the real words only, so a caption encodes the same
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


# -- the shipped, frozen encoders of the scenes (data/models/) --------------------------------

TEXT_ENCODER_FILE = "scene_text_encoder.weights.h5"
IMAGE_ENCODER_FILE = "scene_image_encoder.weights.h5"
TRAIN_COMMAND = "python scripts/train_scene_models.py --out data/models/"
# SHA-256 of the shipped files (also in their .sha256 files); a file matching neither is refused.
SHIPPED_SHA256 = {
    TEXT_ENCODER_FILE: "8df14183ab301beca726ed6d401e13b834aa2dcf2b4b47c07d7d9fdb5187f93b",
    IMAGE_ENCODER_FILE: "01c6b2e3e1fe58f32beea31f422a6261938989bea62f315ac987c6a183042b46",
}


def _verified(name, models_dir):
    path = config.find_weights(name, TRAIN_COMMAND, models_dir)
    sha = path.with_name(name.replace(".weights.h5", ".sha256"))
    return config.verify_sha256(path, SHIPPED_SHA256.get(name), sha, TRAIN_COMMAND)


def scene_text_encoder(vocab_size=None, max_len=None):
    """The architecture of the shipped scene text encoder (random weights): the scene grammar's
    vocabulary (``gan_tf.data.scenes.VOCABULARY``, id 0 = padding) and ``MAX_WORDS``.
    See chapter 7.1."""
    from gan_tf.data import scenes

    return build_text_encoder(vocab_size or len(scenes.VOCABULARY),
                              max_len or scenes.MAX_WORDS)


def load_text_encoder(models_dir=None):
    """The frozen text encoder phi of chapter 7: word ids ``(n, MAX_WORDS)`` -> ``(n, 128)``,
    trained with the scene image encoder by ``scripts/train_scene_models.py`` (Reed et al.'s
    joint embedding, arXiv:1605.05395, section 3). Its weights file is checked against its
    pinned SHA-256 (``SHIPPED_SHA256``, else the ``.sha256`` file): a mismatch is a
    ``ValueError`` naming both hashes, a missing file a ``FileNotFoundError`` naming the
    training command. ``trainable`` is False. See chapter 7.1."""
    model = scene_text_encoder()
    model.load_weights(_verified(TEXT_ENCODER_FILE, models_dir))
    model.trainable = False
    return model


def load_scene_image_encoder(models_dir=None):
    """The image encoder theta trained with ``load_text_encoder``'s phi: 32x32 scenes in
    [-1, 1] -> ``(n, 128)``; theta(v)^T phi(t) scores how well caption t describes scene v.
    SHA-256 checked as ``load_text_encoder``. See chapter 7.1."""
    model = build_scene_image_encoder(32)
    model.load_weights(_verified(IMAGE_ENCODER_FILE, models_dir))
    model.trainable = False
    return model


def encode_captions(captions, encoder=None, batch_size=512):
    """phi of every caption: ``captions`` is n lists of k str (``Scenes.captions``) -> float32
    ``(n, k, 128)``, the ``embeddings`` argument of ``gan_tf.data.captioned_dataset``.
    ``encoder`` defaults to ``load_text_encoder()``. Words outside the grammar, empty captions
    and captions of more than ``MAX_WORDS`` words raise ``ValueError`` (``tokenize``), as do
    images with different numbers of captions. See chapter 7.1."""
    from gan_tf.data import scenes

    if isinstance(captions, str) or not all(isinstance(c, (list, tuple)) for c in captions):
        first = type(next(iter(captions), None)).__name__
        raise ValueError("captions must be n lists of k str (one list per image), received "
                         f"{type(captions).__name__} of {first}")
    counts = {len(c) for c in captions}
    if len(captions) == 0 or len(counts) != 1 or 0 in counts:
        raise ValueError(f"captions must hold the same number k >= 1 of captions for each of "
                         f"n >= 1 images, received counts {sorted(counts)}")
    n, k = len(captions), counts.pop()
    encoder = load_text_encoder() if encoder is None else encoder
    max_len = encoder.input_shape[1] or scenes.MAX_WORDS
    tokens = scenes.tokenize([c for caps in captions for c in caps], max_len=max_len)
    batch_size = _checks.positive_int(batch_size, "batch_size")
    out = np.concatenate([np.asarray(encoder(tokens[i:i + batch_size], training=False),
                                     np.float32) for i in range(0, len(tokens), batch_size)])
    return out.reshape(n, k, -1)


class TextConditioning:
    """The GANs' text input: phi(t) / s, the frozen encoder's embeddings divided by one number
    s, their standard deviation over the training captions (about 0.05 for the shipped encoder).

    The joint-embedding loss fixes only the direction of phi(t), and the shipped phi's outputs
    come out small; a generator fed them directly sees its text input 20 times weaker than its
    N(0, 1) noise (StackGAN's conditioning augmentation then drowns the text in its epsilon).
    One global scale is a fixed linear map of the frozen encoder, so retrieval and the
    matching-aware losses are unchanged. See chapter 7.1 and guide ch07a, section 4.

    ``TextConditioning(train_captions, encoder=None)``: ``train_captions`` is ``Scenes.captions``
    of the training scenes (n lists of k str); ``encoder`` defaults to ``load_text_encoder()``.
    Attributes ``encoder``, ``scale`` (float), ``raw_train`` (phi of the training captions,
    ``(n, k, 128)``) and ``train`` (``raw_train / scale``, the ``embeddings`` argument of
    ``data.captioned_dataset``). ``embed(captions)`` scales phi of n lists of k captions
    (``(n, k, 128)``); calling it on caption strings gives ``(n, 128)``.
    """

    def __init__(self, train_captions, encoder=None):
        self.encoder = load_text_encoder() if encoder is None else encoder
        self.raw_train = encode_captions(train_captions, self.encoder)
        self.scale = float(self.raw_train.std())
        self.train = self.raw_train / self.scale

    def embed(self, captions):
        """phi(t) / scale of n lists of k captions: ``(n, k, 128)``."""
        return encode_captions(captions, self.encoder) / self.scale

    def __call__(self, captions):
        """phi(t) / scale of caption strings: ``(n, 128)``."""
        if isinstance(captions, str):
            raise ValueError(f"expected a list of caption strings, received the string "
                             f"{captions!r}")
        return self.embed([[c] for c in captions])[:, 0]
