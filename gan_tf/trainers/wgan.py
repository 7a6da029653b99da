"""Wasserstein GANs and the least-squares GAN, as loss hooks on the shared ``GAN`` loop.

- ``WGAN``: Arjovsky, Chintala & Bottou 2017 (arXiv:1701.07875), Algorithm 1: critic loss
  f(G(z)) - f(x) (no sigmoid), weights clipped to [-c, c] after every critic update, c = 0.01,
  RMSProp with learning rate 5e-5 (as the authors' code: decay 0.99, 1e-8 outside the root), n_critic = 5 critic steps (each on fresh real data) per
  generator step.
- ``WGANGP``: Gulrajani et al. 2017 (arXiv:1704.00028), Algorithm 1: critic loss
  f(G(z)) - f(x) + lambda (||grad f(x_hat)||_2 - 1)^2 with x_hat = alpha x + (1 - alpha) G(z),
  alpha ~ U[0, 1] per example, lambda = 10, Adam(1e-4, beta_1 = 0, beta_2 = 0.9), n_critic = 5;
  no batch norm in the critic (the penalty is per example; use layer norm instead).
- ``LSGAN``: Mao et al. 2017 (arXiv:1611.04076), eq. 2 with a = 0, b = c = 1, Adam(2e-4, 0.5).

The noise and alpha come from the trainer's seed generator (saved with checkpoints); under a
``tf.distribute`` strategy each replica takes its slice of one global draw. See chapter 5.
"""

from __future__ import annotations

import keras

from gan_tf import losses, penalties, rng
from gan_tf.trainers import _common
from gan_tf.trainers.gan import GAN


class WGAN(GAN):
    """WGAN with weight clipping (arXiv:1701.07875, Algorithm 1). Feed batches of
    ``d_steps * m``: each of the ``d_steps`` critic steps takes ``m`` fresh real examples; a
    last batch of fewer than ``d_steps`` examples is dropped by ``fit`` (see ``GAN``). Trains
    with ``loss="wasserstein"`` only. See chapter 5.3."""

    default_loss = "wasserstein"
    own_loss_only = True

    def __init__(self, generator, discriminator, latent_dim=None, d_steps=5, clip_value=0.01,
                 seed=None, name="wgan", **kwargs):
        super().__init__(generator, discriminator, latent_dim=latent_dim, d_steps=d_steps,
                         seed=seed, name=name, **kwargs)
        if clip_value <= 0:
            raise ValueError(f"clip_value must be positive, got {clip_value}")
        self.clip_value = float(clip_value)
        self.w_tracker = self.add_tracker("wasserstein_estimate")

    def compile(self, d_optimizer=None, g_optimizer=None, loss=None, **kwargs):
        """Defaults: RMSProp with the paper's learning rate 5e-5 for both, configured as the
        authors' reference code's (PyTorch) RMSProp: decay 0.99 and 1e-8 added to the root.
        Keras puts epsilon inside the square root, so 1e-16 there; Keras' own default (1e-7
        inside, sqrt = 3e-4) would dwarf a clipped critic's gradients and stall it."""
        super().compile(d_optimizer or self.reference_rmsprop(),
                        g_optimizer or self.reference_rmsprop(), loss=loss, **kwargs)

    @staticmethod
    def reference_rmsprop(learning_rate=5e-5):
        """``keras.optimizers.RMSprop`` matching ``torch.optim.RMSprop(lr)`` (alpha 0.99, eps
        1e-8 outside the square root, up to a relative 1e-8 / sqrt(v))."""
        return keras.optimizers.RMSprop(learning_rate, rho=0.99, epsilon=1e-16)

    def discriminator_loss(self, real, fake, real_logits, fake_logits, real_condition=None,
                           fake_condition=None):
        per_example = super().discriminator_loss(real, fake, real_logits, fake_logits)
        self.w_tracker.update_state(-keras.ops.mean(per_example))
        return per_example

    def after_discriminator_step(self):
        penalties.clip_weights(self.discriminator, self.clip_value)


class WGANGP(GAN):
    """WGAN with gradient penalty (arXiv:1704.00028, Algorithm 1). Batches as ``WGAN`` (a last
    batch of fewer than ``d_steps`` examples is dropped); ``loss="wasserstein"`` only.
    See chapter 5.4."""

    default_loss = "wasserstein"
    own_loss_only = True

    def __init__(self, generator, discriminator, latent_dim=None, d_steps=5, gp_weight=10.0,
                 seed=None, name="wgan_gp", **kwargs):
        super().__init__(generator, discriminator, latent_dim=latent_dim, d_steps=d_steps,
                         seed=seed, name=name, **kwargs)
        _common.check_no_batch_norm(discriminator, "WGAN-GP")
        if gp_weight < 0:
            raise ValueError(f"gp_weight must be >= 0, got {gp_weight}")
        self.gp_weight = float(gp_weight)
        self.w_tracker = self.add_tracker("wasserstein_estimate")
        self.gp_tracker = self.add_tracker("gradient_penalty")

    def compile(self, d_optimizer=None, g_optimizer=None, loss=None, **kwargs):
        """Defaults: Adam(1e-4, beta_1=0, beta_2=0.9) for both (the paper's)."""
        super().compile(d_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
                        g_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
                        loss=loss, **kwargs)

    def discriminator_loss(self, real, fake, real_logits, fake_logits, real_condition=None,
                           fake_condition=None):
        w_loss = losses.wasserstein_discriminator_loss(real_logits, fake_logits, reduction="none")
        m = keras.ops.shape(real)[0]
        alpha = _common.replica_slice(
            lambda shape: rng.uniform(shape, self.seed_generator), m)
        gp = penalties.gradient_penalty(self.discriminator, real, fake, alpha=alpha,
                                        reduction="none")
        self.w_tracker.update_state(-keras.ops.mean(w_loss))
        self.gp_tracker.update_state(keras.ops.mean(gp))
        return w_loss + self.gp_weight * gp


class LSGAN(GAN):
    """Least-squares GAN (arXiv:1611.04076, eq. 2; a = 0, b = c = 1); ``loss="least_squares"``
    only. See chapter 5."""

    default_loss = "least_squares"
    own_loss_only = True

    def __init__(self, generator, discriminator, latent_dim=None, d_steps=1, seed=None,
                 name="lsgan", **kwargs):
        super().__init__(generator, discriminator, latent_dim=latent_dim, d_steps=d_steps,
                         seed=seed, name=name, **kwargs)
