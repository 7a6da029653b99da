"""Variational autoencoder trained on the negative ELBO.

Kingma & Welling 2013 (arXiv:1312.6114), eq. 10 with the Gaussian KL of appendix B:
loss(x) = -E_q[log p(x|z)] + beta * KL(q(z|x) || N(0, I)), one reparameterised sample per
example (``gan_tf.layers.Reparameterize``). The decoder returns pixel logits; the likelihood is
Bernoulli on (x + 1) / 2 for images in [-1, 1], summed over pixels (nats per image).
``beta`` = 1 is the VAE; other values give the beta-VAE. See chapter 3.1.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gan_tf import layers, losses
from gan_tf.trainers import _common


class VAE(keras.Model):
    """Encoder ``x -> [mean, log_var]`` and decoder ``z -> logits`` trained by ``fit()``.

    ``evaluate(test_ds)`` returns the test-set negative ELBO in ``loss`` (with beta = 1).
    """

    def __init__(self, encoder, decoder, beta=1.0, seed=None, name="vae", **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(encoder.output_shape, list) or len(encoder.output_shape) != 2:
            raise ValueError("encoder must return [mean, log_var]")
        latent = encoder.output_shape[0][-1]
        if decoder.input_shape[-1] != latent:
            raise ValueError(f"encoder latent size {latent} does not match decoder input "
                             f"size {decoder.input_shape[-1]}")
        if tuple(decoder.output_shape[1:]) != tuple(encoder.input_shape[1:]):
            raise ValueError(f"decoder output {decoder.output_shape[1:]} does not match encoder "
                             f"input {encoder.input_shape[1:]}")
        if beta < 0:
            raise ValueError(f"beta must be >= 0, got {beta}")
        self.encoder, self.decoder = encoder, decoder
        self.latent_dim = int(latent)
        self.beta = float(beta)
        self.image_shape = tuple(encoder.input_shape[1:])
        self.reparameterize = layers.Reparameterize(seed=seed, name="reparameterize")
        self._sample_seed = 0 if seed is None else int(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    def compile(self, optimizer=None, **kwargs):
        """Default optimizer Adam(1e-3); other keyword arguments go to ``keras.Model``."""
        optimizer = _common.prepare_optimizer(optimizer, lambda: keras.optimizers.Adam(1e-3))
        super().compile(optimizer=optimizer, **kwargs)
        self.optimizer.build(self.trainable_variables)

    def loss_terms(self, x, training=False):
        """Per-example ``(reconstruction, kl)``, each ``(batch,)``, in nats."""
        _common.check_batch_spec(x, self.image_shape, self.name)
        mean, log_var = self.encoder(x, training=training)
        z = self.reparameterize([mean, log_var])
        logits = tf.cast(self.decoder(z, training=training), tf.float32)
        target = (tf.cast(x, tf.float32) + 1.0) / 2.0
        bce = tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=logits)
        reconstruction = tf.reduce_sum(bce, axis=list(range(1, len(logits.shape))))
        kl = losses.gaussian_kl(mean, log_var, reduction="none")
        return reconstruction, kl

    def _update(self, reconstruction, kl):
        self.loss_tracker.update_state(tf.reduce_mean(reconstruction + kl))
        self.reconstruction_tracker.update_state(tf.reduce_mean(reconstruction))
        self.kl_tracker.update_state(tf.reduce_mean(kl))
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        x = _common.unpack_inputs(data)
        with tf.GradientTape() as tape:
            reconstruction, kl = self.loss_terms(x, training=True)
            loss = _common.average_loss(reconstruction + self.beta * kl)
            scaled = self.optimizer.scale_loss(loss)
        variables = self.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return self._update(reconstruction, kl)

    def test_step(self, data):
        return self._update(*self.loss_terms(_common.unpack_inputs(data), training=False))

    def fit(self, x=None, *args, **kwargs):
        """``keras.Model.fit``, after checking ``epochs`` and the data (see ``check_input``)."""
        x, kwargs = _common.prepare_fit(x, args, kwargs, self.check_input, self.name,
                                        *self.batch_needs())
        return super().fit(x, **kwargs)

    def batch_needs(self):
        """``(min_batch, why)``: one example per replica (a smaller last batch is dropped)."""
        return _common.batch_needs(self, 1, "one example")

    def check_input(self, x):
        """``ValueError`` naming expected and received for images of the wrong rank, shape,
        channel count, dtype or range, non-finite values, or no batch to train on (a Dataset's
        first batch, or a whole array)."""
        min_batch, needs = self.batch_needs()
        _common.check_fit_input(x, self.image_shape, self.name, min_batch=min_batch,
                                needs=needs)

    def call(self, x, training=False):
        """Reconstruction of ``x`` through the posterior mean, in [-1, 1]."""
        return self.decode(self.encoder(x, training=training)[0], training=training)

    def encode(self, x, batch_size=512):
        """Posterior means, ``(n, latent_dim)`` NumPy array."""
        x = np.asarray(x, dtype=np.float32)
        return np.concatenate([np.asarray(self.encoder(x[i:i + batch_size])[0])
                               for i in range(0, len(x), batch_size)])

    def decode(self, z, training=False):
        """Mean image 2 * sigmoid(logits) - 1 in [-1, 1]."""
        return 2.0 * tf.sigmoid(tf.cast(self.decoder(z, training=training), tf.float32)) - 1.0

    def sample(self, n, seed=None):
        """Decode ``n`` prior draws z ~ N(0, I) (NumPy, [-1, 1])."""
        n = _common.positive_int(n, "n")
        seed = self._sample_seed if seed is None else int(seed)
        z = keras.random.normal((n, self.latent_dim), seed=seed)
        return np.asarray(self.decode(z))
