"""gan_tf.losses' GAN-CLS discriminator loss (Reed et al., arXiv:1605.05396, Algorithm 1) and
the style encoder's squared error (section 4.4) against NumPy on known logits."""

import numpy as np
import pytest

from gan_tf import losses

REAL = np.array([2.0, -1.0, 0.0, 3.5], np.float32)
WRONG = np.array([0.5, 1.0, -2.0, 0.0], np.float32)
FAKE = np.array([-1.5, 0.0, 4.0, -0.25], np.float32)


def _bce(logits, target):
    p = 1.0 / (1.0 + np.exp(-np.asarray(logits, np.float64)))
    return -(target * np.log(p) + (1 - target) * np.log(1 - p))


def test_matching_aware_loss_weights_wrong_and_fake_terms_by_one_half():
    want = _bce(REAL, 1) + 0.5 * (_bce(WRONG, 0) + _bce(FAKE, 0))
    got = losses.gan_cls_discriminator_loss(REAL, WRONG, FAKE, reduction="none").numpy()
    assert got.shape == (4,)                    # per example
    np.testing.assert_allclose(got, want, rtol=1e-5)
    # logits 0 everywhere: log 2 + (log 2 + log 2) / 2 = 2 log 2
    zeros = np.zeros(3, np.float32)
    np.testing.assert_allclose(losses.gan_cls_discriminator_loss(zeros, zeros, zeros).numpy(),
                               2 * np.log(2), rtol=1e-6)          # the mean, by default
    np.testing.assert_allclose(
        losses.gan_cls_discriminator_loss(REAL, WRONG, FAKE).numpy(),
        want.mean(), rtol=1e-5)
    # (batch, 1) logits, as the discriminators return them
    np.testing.assert_allclose(
        losses.gan_cls_discriminator_loss(REAL[:, None], WRONG[:, None], FAKE[:, None],
                                          reduction="none").numpy(),
        want, rtol=1e-5)


def test_without_matching_awareness_it_is_the_plain_gan_loss_and_ignores_wrong_text():
    want = _bce(REAL, 1) + _bce(FAKE, 0)
    for wrong in (WRONG, None):
        got = losses.gan_cls_discriminator_loss(REAL, wrong, FAKE, matching_aware=False,
                                                reduction="none")
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5)
    np.testing.assert_allclose(want, losses.nonsaturating_discriminator_loss(
        REAL, FAKE, reduction="none").numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="wrong_logits is required"):
        losses.gan_cls_discriminator_loss(REAL, None, FAKE)


def test_style_encoder_loss_is_the_squared_distance_summed_over_latent_axes():
    z = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]], np.float32)
    s = np.array([[0.0, -1.0, 0.5], [3.0, -4.0, 0.0]], np.float32)
    np.testing.assert_allclose(losses.style_encoder_loss(z, s, reduction="none").numpy(),
                               [2.0, 25.0])
    np.testing.assert_allclose(losses.style_encoder_loss(z, s).numpy(), 13.5)
    with pytest.raises(ValueError, match=r"one shape \(batch, latent_dim\)"):
        losses.style_encoder_loss(z, s[:, :2])
