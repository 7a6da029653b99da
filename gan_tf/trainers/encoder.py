"""Training iGAN's projection encoder: a network P with G(P(x)) close to x.

Zhu et al., "Generative Visual Manipulation on the Natural Image Manifold" (arXiv:1609.03552,
section 3.1, eq. 3): theta_P* = argmin_theta sum_n L(G(P(x_n; theta)), x_n) over *real* images
x_n, with the projection loss L(x, x') = mean (x - x')^2 + lambda * mean (C(x) - C(x'))^2
(pixels plus a feature network C; ``gan_tf.losses.projection_loss``). The generator is
trained first and stays frozen. See chapter 8.1.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from gan_tf import checks, losses
from gan_tf.trainers import _common


class ProjectionEncoder(_common.EncoderTrainer, keras.Model):
    """Trains ``encoder`` (images -> z) so that ``generator(encoder(x))`` reconstructs x.

    Each step encodes the batch (encoder in training mode), decodes it with the frozen
    generator (inference mode) and takes one optimizer step on the encoder alone, on
    ``losses.projection_loss`` averaged over the global batch. The authors train on the real
    images of the data set (their ``train_predict_z.py``; eq. 3 sums over real photos), so
    ``fit`` takes images: an array ``(n, *image_shape)`` in [-1, 1] or a Dataset of such
    batches (labels, if any, are ignored). Generated images ``G(z)`` work too, but then P
    learns only the generator's range. The step draws no random numbers.

    Args:
        encoder: ``keras.Model`` images -> ``(batch, latent_dim)``
            (``models.build_projection_encoder``).
        generator: the trained ``keras.Model`` z ``(batch, latent_dim)`` -> images.
        feature_network: ``keras.Model`` images -> features (any shape), the C of the loss, or
            ``None`` for the pixel loss alone. The authors use AlexNet's conv4; offline,
            ``gan_tf.manipulation.feature_network()`` (the shipped Fashion-MNIST classifier's
            last convolution) stands in for it.
        lam: weight of the feature term, >= 0; 0.002 is the authors' weight for AlexNet conv4,
            tied to its scale (with the stand-in network about 1 weighs the terms comparably;
            see ``gan_tf.manipulation``).

    Metrics: ``loss`` (the projection loss), ``pixel_loss``. See chapter 8.1.
    """

    def __init__(self, encoder, generator, feature_network=None, lam=0.002,
                 name="projection_encoder_trainer", **kwargs):
        super().__init__(name=name, **kwargs)
        for what, net in (("encoder", encoder), ("generator", generator)):
            if not isinstance(net, keras.Model):
                raise ValueError(f"{name}: {what} must be a keras.Model, got "
                                 f"{type(net).__name__}")
        latent_dim = int(generator.input_shape[-1])
        image_shape = tuple(generator.output_shape[1:])
        if tuple(encoder.input_shape[1:]) != image_shape:
            raise ValueError(f"{name}: the encoder takes images of shape "
                             f"{tuple(encoder.input_shape[1:])}, the generator makes "
                             f"{image_shape}")
        if tuple(encoder.output_shape[1:]) != (latent_dim,):
            raise ValueError(f"{name}: the encoder returns {tuple(encoder.output_shape[1:])}, "
                             f"the generator takes z of shape ({latent_dim},)")
        if feature_network is not None and tuple(feature_network.input_shape[1:]) != image_shape:
            raise ValueError(f"{name}: the feature network takes images of shape "
                             f"{tuple(feature_network.input_shape[1:])}, the generator makes "
                             f"{image_shape}")
        self.encoder, self.generator = encoder, generator
        self.feature_network = feature_network
        self.lam = checks.non_negative(lam, "lam")
        self.latent_dim, self.image_shape = latent_dim, image_shape
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.pixel_tracker = keras.metrics.Mean(name="pixel_loss")
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker, self.pixel_tracker]

    def compile(self, optimizer=None, **kwargs):
        """Default optimizer Adam(2e-4, beta_1=0.5), the authors' settings (their 1e-5 L2
        weight decay is left out); other keyword arguments go to ``keras.Model.compile``."""
        optimizer = _common.prepare_optimizer(
            optimizer, lambda: keras.optimizers.Adam(2e-4, beta_1=0.5))
        super().compile(optimizer=optimizer, **kwargs)
        self.optimizer.build(self.encoder.trainable_variables)

    def projection_terms(self, x, training=False):
        """Per-example ``(loss, pixel_loss)``, each ``(batch,)``, of G(P(x)) against x."""
        _common.check_batch_spec(x, self.image_shape, self.name)
        x = tf.cast(x, tf.float32)
        fake = tf.cast(self.generator(self.encoder(x, training=training), training=False),
                       tf.float32)
        pixel = losses.projection_loss(fake, x, reduction="none")
        if self.feature_network is None:
            return pixel, pixel
        target = tf.stop_gradient(self.feature_network(x, training=False))
        loss = losses.projection_loss(fake, x, self.feature_network(fake, training=False),
                                      target, lam=self.lam, reduction="none")
        return loss, pixel

    def _update(self, loss, pixel):
        self.loss_tracker.update_state(loss)
        self.pixel_tracker.update_state(pixel)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        x = _common.unpack_inputs(data)
        variables = self.encoder.trainable_variables
        with tf.GradientTape() as tape:
            loss, pixel = self.projection_terms(x, training=True)
            scaled = self.optimizer.scale_loss(_common.average_loss(loss))
        self.optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return self._update(loss, pixel)

    def test_step(self, data):
        return self._update(*self.projection_terms(_common.unpack_inputs(data)))

    def check_input(self, x):
        """``ValueError`` naming expected and received for images of the wrong rank, shape,
        channel count, dtype or range, non-finite values, or no batch to train on."""
        _common.check_fit_input(x, self.image_shape, self.name)

