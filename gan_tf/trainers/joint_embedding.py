"""Train a text encoder phi and an image encoder theta jointly: the structured joint embedding.

Reed et al., "Learning Deep Representations of Fine-Grained Visual Descriptions"
(arXiv:1605.05395), section 3: minimise the symmetric hinge surrogates l_v + l_t of the 0-1
loss of the two classifiers f_v and f_t built on the compatibility F(v, t) = theta(v)^T phi(t)
(``gan_tf.losses.joint_embedding_loss``). The trained phi, frozen, is the text encoding of the
text-to-image GANs of chapter 7 (Reed et al., arXiv:1605.05396, section 3.1). See chapter 7.1.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import checks, losses
from gan_tf.trainers import _common


class JointEmbedding(keras.Model):
    """``image_encoder`` (images -> ``(b, d)``) and ``text_encoder`` (word ids ``(b, L)`` ->
    ``(b, d)``) trained by ``fit`` on ``(images, tokens, classes)``.

    A batch is ``(images, tokens, classes)`` (also accepted: ``((images, tokens), classes)``):
    row n is an image in [-1, 1], one of its captions as word ids (0 = padding) and its class,
    an int ``(b,)`` or an attribute tuple ``(b, A)`` (see ``losses.joint_embedding_loss``).
    ``negatives`` is passed to the loss: ``"mean"`` (default) averages the hinge over the
    batch's wrong classes, as Reed et al.'s released code does; ``"max"`` is the max over classes
    of the paper's equations. Measured on the scenes (4,000 scenes, 624 steps of 64 pairs, Adam
    1e-3, from random weights), ``"max"`` stalled at loss 2.0 (every score equal, both margins
    missed by 1; 19% attribute top-1 on 100 test scenes) while ``"mean"`` reached 59%. A likely
    reason: with the max, a row's gradient comes from one most confusable class only, often a
    scene its caption cannot tell apart (captions leave attributes out).
    ``fit`` reports ``loss`` and ``accuracy``: the fraction of the batch's captions whose
    highest-scoring image in the batch is of their class.
    Under ``tf.distribute`` each replica's rows are each other's negatives; the loss is averaged
    over the global batch. See chapter 7.1.
    """

    def __init__(self, image_encoder, text_encoder, negatives="mean", name="joint_embedding",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        image_out, text_out = image_encoder.output_shape, text_encoder.output_shape
        if not (isinstance(image_out, tuple) and len(image_out) == 2):
            raise ValueError(f"image_encoder must return (batch, d), its output shape is "
                             f"{image_out}")
        if not (isinstance(text_out, tuple) and len(text_out) == 2):
            raise ValueError(f"text_encoder must return (batch, d), its output shape is "
                             f"{text_out}")
        if image_out[-1] != text_out[-1]:
            raise ValueError(f"image_encoder and text_encoder must embed in one space: "
                             f"expected equal sizes, received d = {image_out[-1]} (images) and "
                             f"d = {text_out[-1]} (text)")
        if len(image_encoder.input_shape) != 4:
            raise ValueError(f"image_encoder must take images (batch, h, w, c), its input shape "
                             f"is {image_encoder.input_shape}")
        if negatives not in losses.JOINT_NEGATIVES:
            raise ValueError(f"unknown negatives {negatives!r}; expected one of "
                             f"{losses.JOINT_NEGATIVES}")
        self.image_encoder, self.text_encoder = image_encoder, text_encoder
        self.negatives = negatives
        self.embed_dim = int(image_out[-1])
        self.image_shape = tuple(image_encoder.input_shape[1:])
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy_tracker = keras.metrics.Mean(name="accuracy")
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker, self.accuracy_tracker]

    def compile(self, optimizer=None, **kwargs):
        """Default optimizer Adam(1e-3); other keyword arguments go to ``keras.Model``."""
        optimizer = _common.prepare_optimizer(optimizer, lambda: keras.optimizers.Adam(1e-3))
        super().compile(optimizer=optimizer, **kwargs)
        self.optimizer.build(self.trainable_variables)

    def split_batch(self, data):
        """``(images, tokens, classes)`` of a batch given as ``(images, tokens, classes)`` or
        ``((images, tokens), classes)`` (or either wrapped in a 1-tuple, as Keras passes
        arrays); ``ValueError`` otherwise."""
        parts = tf.nest.flatten(data)
        if len(parts) != 3:
            raise ValueError(f"{self.name} trains on (images, tokens, classes), received a batch "
                             f"of {len(parts)} tensors")
        return tuple(parts)

    def embed(self, images, tokens, training=False):
        """``(theta(images), phi(tokens))``, each ``(b, d)`` float32."""
        _common.check_batch_spec(images, self.image_shape, self.name)
        return (tf.cast(self.image_encoder(images, training=training), tf.float32),
                tf.cast(self.text_encoder(tokens, training=training), tf.float32))

    def loss_terms(self, images, tokens, classes, training=False):
        """Per-row loss ``(b,)`` and the in-batch caption -> image accuracy (a scalar)."""
        image_emb, text_emb = self.embed(images, tokens, training=training)
        per_row = losses.joint_embedding_loss(image_emb, text_emb, classes,
                                              negatives=self.negatives, reduction="none")
        return per_row, self._accuracy(image_emb, text_emb, classes)

    @staticmethod
    def _accuracy(image_emb, text_emb, classes):
        c = tf.convert_to_tensor(classes)
        c = c[:, None] if c.shape.rank == 1 else c
        best = tf.argmax(tf.matmul(image_emb, text_emb, transpose_b=True), axis=0)  # per text
        match = tf.reduce_all(tf.equal(tf.gather(c, best), c), axis=-1)
        return tf.reduce_mean(tf.cast(match, tf.float32))

    def _update(self, per_row, accuracy):
        self.loss_tracker.update_state(tf.reduce_mean(per_row))
        self.accuracy_tracker.update_state(accuracy)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        images, tokens, classes = self.split_batch(data)
        variables = self.trainable_variables
        with tf.GradientTape() as tape:
            per_row, accuracy = self.loss_terms(images, tokens, classes, training=True)
            loss = _common.average_loss(per_row)
            scaled = self.optimizer.scale_loss(loss)
        self.optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return self._update(per_row, accuracy)

    def test_step(self, data):
        return self._update(*self.loss_terms(*self.split_batch(data), training=False))

    def call(self, inputs, training=False):
        """``[images, tokens]`` -> ``(theta(images), phi(tokens))``."""
        images, tokens = inputs
        return self.embed(images, tokens, training=training)

    def batch_needs(self):
        """``(min_batch, why)``: two rows on each replica (a row needs another as negative)."""
        return _common.batch_needs(self, 2, "two rows (one the other's negative)")

    def fit(self, x=None, *args, **kwargs):
        """``keras.Model.fit`` on ``(images, tokens, classes)`` arrays or a dataset of such
        batches, after checking ``epochs`` and the data (see ``check_input``)."""
        x, kwargs = _common.prepare_fit(x, args, kwargs, self.check_input, self.name,
                                        *self.batch_needs())
        return super().fit(x, **kwargs)

    def check_input(self, x):
        """``ValueError`` naming expected and received unless ``x`` (arrays, or a Dataset's first
        batch) is ``(images, tokens, classes)``: images of this encoder's shape in [-1, 1],
        integer tokens ``(n, L)`` >= 0, integer classes ``(n,)`` or ``(n, A)``, one row each."""
        if x is None:
            return
        if isinstance(x, tf.data.Dataset):
            batch = next(iter(x.take(1)), None)
            if batch is None:
                raise ValueError(f"{self.name} has no batch to train on: the dataset is empty")
        else:
            batch = x
        parts = tf.nest.flatten(batch)
        if len(parts) != 3:
            raise ValueError(f"{self.name} trains on (images, tokens, classes), received "
                             f"{len(parts)} arrays; pass fit((images, tokens, classes))")
        images, tokens, classes = (np.asarray(p) for p in parts)
        min_batch, needs = self.batch_needs()
        _common.check_fit_input(images, self.image_shape, self.name, min_batch=min_batch,
                                needs=needs)
        if tokens.ndim != 2 or tokens.dtype.kind not in "iu":
            raise ValueError(f"{self.name} expects integer word ids of shape (n, max_len), "
                             f"received dtype {tokens.dtype.name} and shape {tokens.shape}")
        if tokens.size and tokens.min() < 0:
            raise ValueError(f"{self.name} expects word ids >= 0 (0 = padding), received "
                             f"{int(tokens.min())}")
        if classes.ndim not in (1, 2) or (classes.dtype.kind not in "iu" and classes.size):
            raise ValueError(f"{self.name} expects integer classes of shape (n,) or "
                             f"(n, attributes), received dtype {classes.dtype.name} and shape "
                             f"{classes.shape}")
        if not len(images) == len(tokens) == len(classes):
            raise ValueError(f"{self.name} expects one caption and one class per image, received "
                             f"{len(images)} images, {len(tokens)} captions and {len(classes)} "
                             f"classes")

    def _batched(self, fn, x, batch_size):
        batch_size = checks.positive_int(batch_size, "batch_size")
        return np.concatenate([np.asarray(fn(x[i:i + batch_size], training=False), np.float32)
                               for i in range(0, len(x), batch_size)])

    def encode_images(self, images, batch_size=256):
        """theta(images) ``(n, d)`` float32 NumPy. See chapter 7.1."""
        images = np.asarray(images, np.float32)
        _common.check_batch_spec(tf.convert_to_tensor(images[:1]), self.image_shape, self.name)
        return self._batched(self.image_encoder, images, batch_size)

    def encode_texts(self, tokens, batch_size=256):
        """phi(tokens) ``(n, d)`` float32 NumPy. See chapter 7.1."""
        return self._batched(self.text_encoder, np.asarray(tokens, np.int32), batch_size)
